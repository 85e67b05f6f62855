import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { makeClient } from "@clawops/core/aws";
import type { ClawopsConfigInput } from "@clawops/core/config";
import { afterEach, describe, expect, it } from "vitest";
import defaultConfig from "../../../../clawops.config.js";
import { type AlertsInstall, installAlerts } from "../../src/gameday/scenes/alerts.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";

let box: Sandbox | undefined;
let router: AlertsInstall | undefined;
let untrack: (() => void) | undefined;

afterEach(async () => {
  untrack?.();
  router?.uninstall();
  await box?.close();
  box = undefined;
  router = undefined;
  untrack = undefined;
});

const PREFIX = "openclaw-storm-";
/** The repository's configuration, routing the storm's alarms by their prefix (as an operator's fleet alarms). */
const stormConfig: ClawopsConfigInput = {
  ...defaultConfig,
  stages: { sandbox: { alerts: { alarmNamePrefixes: [PREFIX] } } },
};

describe("Fault matrix: alerts (a storm that recovers at once, under Slack's rate limit)", () => {
  it("shows the recovery on the group message's lines: no reply per grouped alarm, no 429 dead-letters", async () => {
    box = await createSandbox({ config: stormConfig, fleetSize: 1, gateways: false });
    const sandbox = box;
    router = await installAlerts(sandbox);
    const untrackIo = trackRealIo(sandbox);
    const restoreRetries = sdkRetriesOnClock(sandbox.clock);
    untrack = () => {
      restoreRetries();
      untrackIo();
    };
    const cloudWatch = makeClient(CloudWatchClient);
    const names = Array.from({ length: 15 }, (_, i) => `${PREFIX}${String(i).padStart(2, "0")}`);
    for (const name of names)
      await cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: "Clawops",
          MetricName: "StormDrill", // no one sends it: the alarms keep the states the test sets
          Period: 60,
          Statistic: "Maximum",
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          EvaluationPeriods: 1,
          TreatMissingData: "ignore",
        }),
      );
    const setAll = (state: "ALARM" | "OK") =>
      Promise.all(
        names.map((name) =>
          cloudWatch.send(
            new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: `storm: ${state}` }),
          ),
        ),
      );
    const channel = () => sandbox.slack.channel("ops-alerts");
    const group = () => channel().messages.find((m) => m.text.includes("Alert storm"));
    const listed = (state: string) => () =>
      names.slice(5).every((name) => JSON.stringify(group()?.blocks ?? []).includes(`${name}\` ${state}`));
    const posts = () => sandbox.slack.server?.calls("chat.postMessage").filter((c) => c.status === 200) ?? [];

    await setAll("ALARM");
    expect(await runUntilSettled(sandbox, listed("ALARM"))).toBe(true);
    const postedBefore = posts().length;

    await setAll("OK");
    expect(await runUntilSettled(sandbox, listed("OK"))).toBe(true);

    // Only the five alarms posted on their own get an "is OK" reply in their threads.
    expect(posts().length - postedBefore).toBe(5);
    expect(channel().thread(group()!.ts)).toEqual([]);
    expect(sandbox.deadLetters.records()).toEqual([]);
    expect(sandbox.events.published({ source: ["clawops"], "detail-type": ["AlertDeliveryFailed"] })).toEqual(
      [],
    );
  });
});
