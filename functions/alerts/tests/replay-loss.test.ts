/**
 * A dead-lettered alert is never lost between the router's retries and `clawops alerts replay`, and an
 * AlertDeliveryFailed announcement never outlives its alert in the dead-letter queue.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../../packages/core/tests/events/fixtures.js";
import { replayDeadLetters } from "../replay.js";
import { announcementOf, DLQ_URL, type RouterWorld, startWorld, type VirtualClock } from "./harness.js";

let world: RouterWorld;
afterEach(async () => {
  await world?.close();
});

const headerOf = (message: { blocks?: readonly Record<string, unknown>[] }) =>
  (message.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text ?? "";

const NAME = "x-alarm";
function transition(id: string, state: "ALARM" | "OK", timestamp: string, previous?: string) {
  const base =
    state === "OK" ? loadFixture("aws.cloudwatch", "ok") : loadFixture("aws.cloudwatch", "metric-alarm");
  let event = withField(withField(base, "id", id), "detail.alarmName", NAME);
  event = withField(event, "resources", [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${NAME}`]);
  if (previous) event = withField(event, "detail.previousState.value", previous);
  return withField(event, "detail.state.timestamp", timestamp);
}

function queueOf(w: RouterWorld, bodies: readonly unknown[], prefix = "m") {
  w.mocks.sqs.reset();
  w.mocks.sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({
      Messages: bodies.map((body, i) => ({
        MessageId: `${prefix}-${i}`,
        Body: JSON.stringify(body),
        ReceiptHandle: `${prefix}-r-${i}`,
      })),
    })
    .resolves({ Messages: [] });
  w.mocks.sqs.on(DeleteMessageCommand).resolves({});
  w.mocks.sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
}

describe("Replay: a dead-lettered OK whose retry finds its own thread write", () => {
  it("the OK of a thread whose ALARM message is gone reaches Slack (retry or replay)", async () => {
    world = await startWorld();
    expect(
      await world.invoke(transition("alarm-1", "ALARM", "2026-03-02T12:00:00.000+0000", "OK")),
    ).toMatchObject({
      status: "opened",
    });
    // The bot was removed from the channel: the update of the ALARM message and the OK's own post both fail.
    world.slack.error("chat.update", "not_in_channel", 1);
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    // PutEvents refuses the AlertDeliveryFailed announcement once (throttled): the event goes back to Lambda.
    world.mocks.events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException" }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const ok = () => transition("ok-1", "OK", "2026-03-02T12:04:00.000+0000", "ALARM");
    await expect(world.invoke(ok())).rejects.toThrow(/PutEvents refused/);
    const records = world.deadLetters();
    expect(records).toHaveLength(1);

    (world.clock as VirtualClock).current += 60_000; // Lambda's async retry (the bot was invited back)
    const retried = await world.invoke(ok());
    // The retry finds the first try's thread write (resolved) and has nothing to post: the record must replay.

    queueOf(world, records);
    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    const oks = world.slack
      .channel("ops-alerts")
      .messages.filter((m) => /OK|RESOLVED/.test(headerOf(m)) && !m.thread_ts);
    // The OK reaches Slack through the replay: its record is not dropped as "superseded".
    expect({ retried, report, okPosted: oks.length }).toMatchObject({ okPosted: 1 });
  });

  it("reaches Slack when the announcement went out but completing the event was throttled", async () => {
    let failComplete = true;
    world = await startWorld({
      beforeDb: (command) => {
        const item = (command.input as { Item?: { sk?: string; outcome?: string } }).Item;
        if (failComplete && command.constructor.name === "PutCommand" && item?.outcome === "dead-lettered") {
          failComplete = false;
          throw Object.assign(new Error("Throughput exceeds the current capacity of your table"), {
            name: "ProvisionedThroughputExceededException",
          });
        }
      },
    });
    await world.invoke(transition("alarm-1", "ALARM", "2026-03-02T12:00:00.000+0000", "OK"));
    world.slack.error("chat.update", "message_not_found", 1); // the ALARM message was deleted
    world.slack.error("chat.postMessage", "channel_not_found", 1);
    const ok = () => transition("ok-1", "OK", "2026-03-02T12:04:00.000+0000", "ALARM");
    await expect(world.invoke(ok())).rejects.toThrow(/Throughput exceeds/);
    const records = world.deadLetters();
    expect(records).toHaveLength(1);
    expect(world.mocks.events.commandCalls(PutEventsCommand)).toHaveLength(1); // "An alert did not reach Slack"

    (world.clock as VirtualClock).current += 60_000;
    await world.invoke(ok());
    queueOf(world, records);
    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    const oks = world.slack
      .channel("ops-alerts")
      .messages.filter((m) => /OK|RESOLVED/.test(headerOf(m)) && !m.thread_ts);
    expect({ report, okPosted: oks.length }).toMatchObject({ okPosted: 1 });
  });
});

describe("Replay: an announcement whose alert left the queue before this run", () => {
  it("deletes the announcement of an alert an earlier replay run delivered", async () => {
    world = await startWorld();
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"));
    const [alertRecord] = world.deadLetters();
    // Run 1: the operator replays as soon as the DLQ alarm fires; only the alert's record is there yet.
    queueOf(world, [alertRecord], "a");
    const first = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });
    expect(first).toMatchObject({ replayed: 1 });

    // The announcement's own delivery failed too (or Lambda dead-lettered it after its retries): it arrives now.
    world.mocks.sqs.on(SendMessageCommand).resolves({ MessageId: "m-x" });
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    await world.invoke(announcementOf(world));
    const announcementRecord = world.deadLetters().at(-1)!;
    expect((announcementRecord.event as { "detail-type": string })["detail-type"]).toBe(
      "AlertDeliveryFailed",
    );

    // Run 2 (and every later run): the announcement is neither posted nor deleted.
    queueOf(world, [announcementRecord], "b");
    const second = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });
    expect(second).toMatchObject({ announcements: 1, skipped: 0 });
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it("deletes it on the next full run after a --limit run replayed its alert", async () => {
    world = await startWorld();
    world.slack.error("chat.postMessage", "not_in_channel", 2);
    await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"));
    await world.invoke(announcementOf(world));
    const [alertRecord, announcementRecord] = world.deadLetters();
    // --limit 1: SQS hands out the alert's record (sent first).
    queueOf(world, [alertRecord], "a");
    const first = await replayDeadLetters({
      queueUrl: DLQ_URL,
      limit: 1,
      send: (request) => world.invoke(request),
    });
    expect(first).toMatchObject({ replayed: 1 });
    // The next run, without a limit: only the announcement is left.
    queueOf(world, [announcementRecord], "b");
    const second = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });
    expect(second).toMatchObject({ announcements: 1, skipped: 0 });
  });
});

describe("Router: the announcement of an undeliverable alert", () => {
  it("posts AlertDeliveryFailed in the default channel", async () => {
    world = await startWorld();
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    expect(await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"))).toMatchObject({
      status: "dead-lettered",
    });
    expect(await world.invoke(announcementOf(world))).toMatchObject({ status: "posted" });
    const all = world.slack.channels().flatMap((c) => c.messages);
    expect(all.some((m) => /did not reach Slack/.test(JSON.stringify(m)))).toBe(true);
  });
});
