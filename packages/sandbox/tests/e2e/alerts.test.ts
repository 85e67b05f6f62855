import {
  CloudWatchClient,
  ListTagsForResourceCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AlertsInstall,
  alarmMessages,
  installAlerts,
  killedGatewayAlarmResolves,
} from "../../src/gameday/scenes/alerts.js";
import { installLifecycle, type LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";

/** Short hooks and deadlines, so a test plays minutes, not hours. */
const config = shortHooksConfig;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const lines: string[] = [];
const timeline = { log: (line: string) => void lines.push(line) };
let sandbox: Sandbox | undefined;
let lifecycle: LifecycleInstall | undefined;
let alerts: AlertsInstall | undefined;

/** A one-instance fleet admitted by the real launch gate, with the alert router installed. */
async function bootedFleet(): Promise<{ box: Sandbox; flow: LifecycleInstall; router: AlertsInstall }> {
  const box = await createSandbox({ config, fleetSize: 1 });
  sandbox = box;
  const flow = await installLifecycle(box);
  lifecycle = flow;
  const router = await installAlerts(box);
  alerts = router;
  await box.clock.runUntil(() => box.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"), {
    limitMs: 60_000,
  });
  await flow.reconcile();
  await box.clock.runUntil(
    () => box.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
    { limitMs: 10 * 60_000 },
  );
  return { box, flow, router };
}

afterEach(async () => {
  alerts?.uninstall();
  lifecycle?.uninstall();
  await sandbox?.close();
  sandbox = undefined;
  lifecycle = undefined;
  alerts = undefined;
  lines.length = 0;
});

describe("Sandbox end to end: alerts", () => {
  it("creates the Lifecycle stack's unhealthy-gateways alarm and the router's secret", async () => {
    const { box, router } = await bootedFleet();
    const alarm = box.aws.models.cloudWatch.alarms.get(router.alarmName);
    expect(router.alarmName).toBe("clawops-sandbox-unhealthy-gateways");
    expect(alarm).toMatchObject({
      MetricName: "UnhealthyGateways",
      Statistic: "Maximum",
      Threshold: 0,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: "notBreaching",
    });
    expect(alarm?.StateValue).not.toBe("ALARM");
    const secret = [...box.aws.models.secrets.secrets.values()].find((s) => s.arn === router.slackSecretArn);
    expect(JSON.parse(secret?.value ?? "{}")).toEqual({
      botToken: box.slack.token,
    });
  });

  it("posts one ALARM message with a graph when a gateway dies, and resolves its thread after the replacement", async () => {
    const { box, flow, router } = await bootedFleet();
    const story = await killedGatewayAlarmResolves(box, router, flow, timeline);
    expect(story, [...lines, story.reason].join("\n")).toMatchObject({ passed: true });
    expect(story.secondsToAlarmPosted).toBeLessThan(story.secondsToResolved ?? 0);

    const [parent, ...others] = alarmMessages(box, router);
    expect(others).toHaveLength(0);
    // As first posted: the ALARM message with its severity and AWS's reason escaped for mrkdwn.
    const posted = parent?.edits[0];
    expect(posted?.text).toBe("ALARM: clawops-sandbox-unhealthy-gateways (high)");
    const postedBlocks = JSON.stringify(posted?.blocks);
    expect(postedBlocks).toContain("*Severity*\\nhigh");
    expect(postedBlocks).toContain("OK -&gt; ALARM transition");
    expect(postedBlocks).not.toContain("OK -> ALARM");
    // Now: updated as resolved, with how long it lasted.
    expect(parent?.text).toMatch(/^Resolved after \d+ ?(s|min|m|h)\b.*: clawops-sandbox-unhealthy-gateways$/);

    const thread = box.slack.channel(router.channel).thread(parent?.ts ?? "");
    const graphs = thread.flatMap((m) => m.files).filter((f) => f.content.subarray(0, 8).equals(PNG));
    expect(graphs).toHaveLength(1);
    expect(thread.filter((m) => m.files.length === 0).map((m) => m.text)).toEqual([
      expect.stringMatching(/clawops-sandbox-unhealthy-gateways\*? is \*?OK\*? after /),
    ]);
    expect(box.aws.calls("CloudWatch", "ListTagsForResource").length).toBeGreaterThan(0);
  });

  it("routes by the alarm's severity tag, which the CloudWatch model keeps as data", async () => {
    const box = await createSandbox({ config, fleetSize: 1, gateways: false });
    sandbox = box;
    const router = await installAlerts(box);
    alerts = router;
    const cloudWatch = makeClient(CloudWatchClient);
    const ResourceARN = box.aws.models.cloudWatch.alarms.get(router.alarmName)?.AlarmArn;
    await cloudWatch.send(
      new TagResourceCommand({
        ResourceARN,
        Tags: [
          { Key: "severity", Value: "critical" },
          { Key: "team", Value: "ops" },
        ],
      }),
    );
    await cloudWatch.send(new UntagResourceCommand({ ResourceARN, TagKeys: ["team"] }));
    const { Tags } = await cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN }));
    expect(Tags).toEqual([{ Key: "severity", Value: "critical" }]);

    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: router.alarmName, StateValue: "ALARM", StateReason: "drill" }),
    );
    const critical = () => box.slack.channel("ops-critical").messages;
    // The router's Slack and DynamoDB calls are real I/O the clock does not wait for: on a loaded machine they
    // can take longer than a minute of 1 s clock steps, so the deadline is generous and the bus must be idle too.
    let idle = false;
    void box.events.bus.idle().then(() => {
      idle = true;
    });
    await box.clock.runUntil(() => critical().length > 0 && idle, { limitMs: 15 * 60_000 });
    // Judged as first posted: while the router's real I/O finishes the clock runs on, the single instance's alarm
    // can evaluate back to OK, and the router then edits the same message to "Resolved after ...".
    const asPosted = critical().map((m) => m.edits[0] ?? m);
    expect(asPosted.map((m) => m.text)).toEqual([
      expect.stringContaining("ALARM: clawops-sandbox-unhealthy-gateways (critical)"),
    ]);
    expect(JSON.stringify(asPosted[0]?.blocks)).toContain("<!here>");
    expect(critical().map((m) => m.text)).toEqual([
      expect.stringMatching(/(ALARM: |Resolved after .*: )clawops-sandbox-unhealthy-gateways/),
    ]);
    expect(alarmMessages(box, router)).toHaveLength(0);
    await box.events.bus.idle();
  });
});
