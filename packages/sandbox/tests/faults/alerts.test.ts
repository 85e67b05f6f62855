import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { threadItemKey } from "@clawops/core/alerts";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { replayDeadLetters } from "../../../../functions/alerts/replay.js";
import { type AlertsInstall, installAlerts } from "../../src/gameday/scenes/alerts.js";
import { createSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox.js";
import type { SlackMessage } from "../../src/slack/workspace.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";
import { type StageAlarm, stageAlarm } from "./stage-alarm.js";

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

/** An alarm of clawops' own (`clawops-<stage>-` prefix, so routed) that keeps the state it is set to. */
/** A sandbox with the production alert router installed, its real I/O tracked by the clock, and an alarm. */
async function alertsWorld(options: SandboxOptions = {}): Promise<{ box: Sandbox; alarm: StageAlarm }> {
  const sandbox = await createSandbox({ fleetSize: 1, gateways: false, ...options });
  box = sandbox;
  router = await installAlerts(sandbox);
  const untrackIo = trackRealIo(sandbox);
  const restoreRetries = sdkRetriesOnClock(sandbox.clock);
  untrack = () => {
    restoreRetries();
    untrackIo();
  };
  return { box: sandbox, alarm: await stageAlarm(sandbox, router) };
}

/** Everything the workspace shows: top-level messages, every version of them, and their thread replies. */
function everything(sandbox: Sandbox): string {
  const text = (m: Pick<SlackMessage, "text" | "blocks">) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;
  return (sandbox.slack.server?.channels() ?? [])
    .flatMap((view) =>
      view.messages.flatMap((m) => [text(m), ...m.edits.map(text), ...view.thread(m.ts).map(text)]),
    )
    .join("\n");
}

/** The alarm's top-level messages. */
const posts = (sandbox: Sandbox, alarm: StageAlarm) =>
  sandbox.slack.channel(alarm.channel).messages.filter((m) => JSON.stringify(m).includes(alarm.name));
const deliveryFailures = (sandbox: Sandbox) =>
  sandbox.events.published({ source: ["clawops"], "detail-type": ["AlertDeliveryFailed"] });
/** The bus's deliveries of the alarm's own events (the router also hears the scene's other alarm). */
const deliveriesOf = (sandbox: Sandbox, alarm: StageAlarm) => {
  const ids = new Set(
    sandbox.events.published({ detail: { alarmName: [alarm.name] } }).map((event) => event.id),
  );
  return sandbox.events.bus.deliveries().filter((d) => ids.has(d.eventId));
};
const statuses = (sandbox: Sandbox, method: string) =>
  sandbox.slack.server?.calls(method).map((c) => c.status) ?? [];

/** `clawops alerts replay` with the router's settings and the token it reads from the secret. */
function replay(sandbox: Sandbox) {
  const settings = router?.settings;
  if (!settings) throw new Error("the alert router is not installed");
  return replayDeadLetters({ queueUrl: sandbox.deadLetters.url, settings, token: sandbox.slack.token });
}

describe("Fault matrix: alerts (Slack, the secret, EventBridge, DynamoDB)", () => {
  it("posts once after Slack answers 429 twice, waiting Retry-After on the clock", async () => {
    const { box, alarm } = await alertsWorld();
    box.slack.server?.rateLimited("chat.postMessage", { retryAfterSeconds: 15, times: 2 });
    const raisedAt = box.clock.now();

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => posts(box, alarm).length > 0)).toBe(true);

    expect(posts(box, alarm)).toHaveLength(1);
    expect(statuses(box, "chat.postMessage")).toEqual([429, 429, 200]);
    // Two Retry-After waits of 15 s on the sandbox clock: the router honoured them, not a backoff of its own.
    expect(box.clock.now() - raisedAt).toBeGreaterThanOrEqual(30_000);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it.each([
    [
      "HTTP 503 three times",
      (s: Sandbox) => s.slack.server?.fail("chat.postMessage", { status: 503, times: 3 }),
      [
        [503, "http_503"],
        [503, "http_503"],
        [503, "http_503"],
        [200, undefined],
      ],
    ],
    [
      "a request that times out",
      (s: Sandbox) => s.slack.server?.timeout("chat.postMessage", 1),
      [
        [0, "timeout"],
        [200, undefined],
      ],
    ],
    [
      "a transient internal_error",
      (s: Sandbox) => s.slack.server?.error("chat.postMessage", "internal_error"),
      [
        [200, "internal_error"],
        [200, undefined],
      ],
    ],
  ] as const)("posts once after %s", async (_fault, inject, answered) => {
    const { box, alarm } = await alertsWorld();
    inject(box);

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => posts(box, alarm).length > 0)).toBe(true);

    expect(posts(box, alarm)).toHaveLength(1);
    // The fault was hit, then retried: every answer Slack gave, in order, the last one the post.
    expect(box.slack.server?.calls("chat.postMessage").map((c) => [c.status, c.error])).toEqual(answered);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("dead-letters an alarm when 5xx outlasts the retries, announces AlertDeliveryFailed, and replay posts it", async () => {
    const { box, alarm } = await alertsWorld();
    box.slack.server?.fail("chat.postMessage", { status: 503, times: 6 });

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => deliveryFailures(box).length > 0)).toBe(true);

    expect(posts(box, alarm)).toHaveLength(0);
    const [record, ...more] = box.deadLetters.records();
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      reason: "AlertDeliveryError: retries exhausted: HTTP 503",
      extra: { kind: "alert", permanent: false },
      event: { detail: { alarmName: alarm.name } },
    });
    // The failure is itself announced (in the critical channel; Slack answers again by then).
    expect(everything(box)).toContain("retries exhausted: HTTP 503");

    const report = await replay(box);
    expect(report).toMatchObject({ replayed: 1, failed: [] });
    expect(posts(box, alarm).filter((m) => m.text.startsWith("ALARM:"))).toHaveLength(1);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("dead-letters invalid_auth with the rendered message, announces it once without a loop, and replay with the fixed token posts it", async () => {
    const { box, alarm } = await alertsWorld();
    const secretId = router?.slackSecretArn;
    await makeClient(SecretsManagerClient).send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ botToken: "xoxb-revoked" }),
      }),
    );

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => box.deadLetters.records().length >= 2)).toBe(true);

    expect(box.slack.channel(alarm.channel).messages).toHaveLength(0);
    const records = box.deadLetters.records();
    expect(records.map((r) => r.reason)).toEqual([
      "AlertDeliveryError: invalid_auth",
      "AlertDeliveryError: invalid_auth",
    ]);
    expect(records[0]).toMatchObject({
      extra: { kind: "alert", permanent: true },
      event: { source: "aws.cloudwatch" },
    });
    expect(JSON.stringify(records[0]?.extra?.message)).toContain(alarm.name);
    // The AlertDeliveryFailed of the first failure failed too: dead-lettered, not announced again.
    expect(records[1]?.event).toMatchObject({ "detail-type": "AlertDeliveryFailed" });
    expect(deliveryFailures(box)).toHaveLength(1);
    // The DLQ depth is what the Core stack's alarm watches to reach the fallback topic.
    expect(box.aws.models.sqs.queues.get(box.deadLetters.url)?.messages).toHaveLength(2);

    const report = await replay(box);
    expect(report).toMatchObject({ replayed: 1, announcements: 1, failed: [] });
    expect(posts(box, alarm).filter((m) => m.text.startsWith("ALARM:"))).toHaveLength(1);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("dead-letters the alert with the reason when the Slack secret cannot be read, and replay posts it", async () => {
    const { box, alarm } = await alertsWorld();
    box.aws.inject("SecretsManager.GetSecretValue", {
      error: {
        name: "AccessDeniedException",
        message: "not authorized to perform secretsmanager:GetSecretValue",
      },
    });

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => box.deadLetters.records().length > 0)).toBe(true);

    expect(box.deadLetters.records()).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(
          /^PermanentError: the Slack secret could not be read: AccessDeniedException/,
        ),
        event: expect.objectContaining({ detail: expect.objectContaining({ alarmName: alarm.name }) }),
      }),
    ]);
    expect(box.slack.server?.calls("chat.postMessage")).toEqual([]);
    // A permanent failure ends the invocation: one delivery, no Lambda retry loop.
    expect(deliveriesOf(box, alarm).map((d) => d.outcome)).toEqual(["ok"]);

    expect(await replay(box)).toMatchObject({ replayed: 1, failed: [] });
    expect(posts(box, alarm)).toHaveLength(1);
  });

  it("posts once when EventBridge delivers the alarm three times at once: the dedup claim is a conditional write", async () => {
    const { box, alarm } = await alertsWorld({
      bus: { duplicate: (event) => (event.source === "aws.cloudwatch" ? 2 : false) },
    });

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => posts(box, alarm).length > 0)).toBe(true);

    expect(deliveriesOf(box, alarm).map((d) => [d.duplicate, d.outcome])).toEqual([
      [false, "ok"],
      [true, "ok"],
      [true, "ok"],
    ]);
    expect(posts(box, alarm)).toHaveLength(1);
    const thread = box.slack.channel(alarm.channel).thread(posts(box, alarm)[0]?.ts ?? "");
    expect(thread.flatMap((m) => m.files)).toHaveLength(1); // one graph, not three
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("delivers ALARM and OK that arrive together in turn (the alarm's lock): no ALARM left open; the next ALARM opens a new thread", async () => {
    let holding = true;
    // EventBridge holds both transitions back and then delivers them at once, in parallel.
    const { box, alarm } = await alertsWorld({
      bus: { drop: (event) => holding && event.detail.alarmName !== undefined },
    });
    const db = box.dynamo.client;
    if (!db) throw new Error("no DynamoDB");
    await alarm.set("ALARM", "first problem");
    await box.clock.advance(1_000);
    await alarm.set("OK", "recovered");
    holding = false;
    const held = box.events.published({ detail: { alarmName: [alarm.name] } });
    expect(held.map((e) => e.detail.state)).toMatchObject([{ value: "ALARM" }, { value: "OK" }]);

    for (const event of held) box.events.bus.invoke("clawops-alerts-AlarmStateChange", event);
    expect(await runUntilSettled(box, () => everything(box).includes("recovered"))).toBe(true);

    // One invocation at a time: the ALARM's thread is resolved by the OK, or (when the OK took the lock
    // first) the OK is posted on its own and the older ALARM is skipped as stale. Either way the recovery is
    // shown and no message still says ALARM.
    expect(everything(box)).toContain("recovered");
    expect(posts(box, alarm).filter((m) => /^ALARM: /.test(m.text))).toEqual([]);
    const { Item } = await db.send(
      new GetCommand({ TableName: box.dynamo.table, Key: threadItemKey(alarm.name), ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ lastState: "OK", resolved: true });

    const before = posts(box, alarm).length;
    await alarm.set("ALARM", "second problem");
    expect(await runUntilSettled(box, () => posts(box, alarm).length > before)).toBe(true);
    expect(posts(box, alarm).at(-1)?.text).toMatch(/^ALARM: /);
    expect(JSON.stringify(posts(box, alarm).at(-1)?.blocks)).toContain("second problem");
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("hands a throttled secret fetch back to EventBridge's retry, which posts once", async () => {
    const { box, alarm } = await alertsWorld();
    // More throttles than the SDK's own five attempts: the invocation fails as retryable.
    box.aws.inject("SecretsManager.GetSecretValue", { throttle: 5 });

    await alarm.set("ALARM");
    expect(await runUntilSettled(box, () => posts(box, alarm).length > 0)).toBe(true);

    expect(posts(box, alarm)).toHaveLength(1);
    expect(deliveriesOf(box, alarm).map((d) => [d.attempt, d.outcome])).toEqual([
      [1, "error"],
      [2, "ok"],
    ]);
    expect(box.aws.calls("SecretsManager", "GetSecretValue").map((c) => c.outcome)).toEqual([
      ...Array(5).fill("ThrottlingException"),
      "ok",
    ]);
    expect(box.deadLetters.records()).toEqual([]);
  });
});
