import { ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { DeadLetterRecord } from "@clawops/core/handler";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture } from "../../../packages/core/tests/events/fixtures.js";
import { replayDeadLetters, sendTestAlert } from "../replay.js";
import {
  announcementOf,
  DLQ_URL,
  type RouterWorld,
  routerSettings,
  SECRET_ARN,
  startWorld,
  type VirtualClock,
} from "./harness.js";

/** A record as the router writes it for an alert Slack refused. */
const recordOf = (event: unknown): DeadLetterRecord => ({
  reason: "AlertDeliveryError: invalid_auth",
  errorName: "AlertDeliveryError",
  functionName: "clawops-test-alertRouter",
  failedAt: "2026-03-02T12:05:00.000Z",
  event,
});

let world: RouterWorld;
afterEach(async () => {
  await world?.close();
});

describe("Function: replayDeadLetters", () => {
  it("re-sends dead-lettered alerts, deletes them, and leaves other flows' records", async () => {
    world = await startWorld({ token: "xoxb-wrong" });
    await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"));
    const [record] = world.deadLetters();
    const foreign = {
      reason: "PermanentError: x",
      errorName: "PermanentError",
      functionName: "other",
      failedAt: "",
      event: {},
    };
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { Body: JSON.stringify(record), ReceiptHandle: "r-alert" },
          { Body: JSON.stringify(foreign), ReceiptHandle: "r-foreign" },
        ],
      })
      .resolves({ Messages: [] });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({
      queueUrl: DLQ_URL,
      settings: routerSettings(world.slack.apiUrl),
      token: world.slack.token,
    });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 1, announcements: 0, superseded: 0 });
    const posted = world.slack.channel("ops-alerts").messages;
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain("clawops-test-fleet-gateway-unhealthy");
    const deleted = world.mocks.sqs
      .commandCalls(DeleteMessageCommand)
      .map((c) => c.args[0].input.ReceiptHandle);
    expect(deleted).toEqual(["r-alert"]);
  });

  it("keeps a record in the queue when Slack still refuses it", async () => {
    world = await startWorld({ token: "xoxb-wrong" });
    await world.invoke(loadFixture("clawops", "DrainFailed"));
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ Body: JSON.stringify(world.deadLetters()[0]), ReceiptHandle: "r" }] })
      .resolves({ Messages: [] });
    const report = await replayDeadLetters({
      queueUrl: DLQ_URL,
      settings: routerSettings(world.slack.apiUrl),
      token: "xoxb-still-wrong",
    });
    expect(report.failed).toEqual([{ reason: expect.stringContaining("invalid_auth"), channel: "C0ALERTS" }]);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

describe("Function: replayDeadLetters (through the alert router)", () => {
  it("sends each alert to the router, which posts it with the token only it may read", async () => {
    world = await startWorld();
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { Body: JSON.stringify(recordOf(loadFixture("clawops", "DrainFailed"))), ReceiptHandle: "r" },
        ],
      })
      .resolves({ Messages: [] });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 0, announcements: 0, superseded: 0 });
    expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
    expect(world.mocks.secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: SECRET_ARN,
    });
  });

  it("answers a replay the router cannot post (the secret unreadable) without dead-lettering it again", async () => {
    world = await startWorld();
    world.mocks.secrets.on(GetSecretValueCommand).rejects(
      Object.assign(new Error("not authorized to perform secretsmanager:GetSecretValue"), {
        name: "AccessDeniedException",
      }),
    );
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            Body: JSON.stringify(recordOf(loadFixture("aws.cloudwatch", "metric-alarm"))),
            ReceiptHandle: "r",
          },
        ],
      })
      .resolves({ Messages: [] });

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report.replayed).toBe(0);
    expect(report.failed).toEqual([
      { reason: expect.stringContaining("AccessDeniedException"), channel: "" },
    ]);
    expect(world.mocks.sqs.commandCalls(SendMessageCommand)).toEqual([]);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toEqual([]);
  });

  it("replays what Lambda's own DLQ holds after its async retries: the event as is, no record around it", async () => {
    world = await startWorld();
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            Body: JSON.stringify(loadFixture("aws.cloudwatch", "metric-alarm")),
            ReceiptHandle: "r-lambda",
            MessageAttributes: {
              ErrorCode: { DataType: "Number", StringValue: "200" },
              ErrorMessage: { DataType: "String", StringValue: "RetryableError: alarm is being delivered" },
            },
          },
        ],
      })
      .resolves({ Messages: [] });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 0, announcements: 0, superseded: 0 });
    const [posted] = world.slack.channel("ops-alerts").messages;
    expect(posted!.text).toContain("clawops-test-fleet-gateway-unhealthy");
    const receive = world.mocks.sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(receive.MessageAttributeNames).toEqual(["All"]);
  });

  it("long-polls the queue, so a short poll that samples no message does not end the replay", async () => {
    world = await startWorld();
    let queued = [
      { Body: JSON.stringify(recordOf(loadFixture("clawops", "DrainFailed"))), ReceiptHandle: "r" },
    ];
    // SQS short polling (WaitTimeSeconds 0) samples a subset of its servers: it may answer empty while
    // messages wait. A long poll asks them all.
    world.mocks.sqs.on(ReceiveMessageCommand).callsFake((input: ReceiveMessageCommandInput) => {
      if (!input.WaitTimeSeconds) return { Messages: [] };
      const Messages = queued;
      queued = [];
      return { Messages };
    });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report.replayed).toBe(1);
  });
});

describe("Function: replayDeadLetters (after a Slack outage)", () => {
  /** Serves `bodies` from the DLQ once, then an empty queue. */
  function queueOf(w: RouterWorld, bodies: readonly unknown[]) {
    w.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: bodies.map((body, i) => ({
          MessageId: `m-${i}`,
          Body: JSON.stringify(body),
          ReceiptHandle: `r-${i}`,
        })),
      })
      .resolves({ Messages: [] });
    w.mocks.sqs.on(DeleteMessageCommand).resolves({});
  }
  const critical = () =>
    world.mocks.cloudwatch
      .on(ListTagsForResourceCommand)
      .resolves({ Tags: [{ Key: "severity", Value: "critical" }] });

  it("deletes the AlertDeliveryFailed announcements of the alerts it delivered unposted, and counts them", async () => {
    world = await startWorld();
    // Slack down: the ALARM is dead-lettered and announced; the announcement is dead-lettered too.
    world.slack.fail("chat.postMessage", { status: 503, times: 12 });
    await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"));
    await world.invoke(announcementOf(world));
    const records = world.deadLetters();
    expect(records.map((r) => (r.event as { "detail-type"?: string })["detail-type"])).toEqual([
      "CloudWatch Alarm State Change",
      "AlertDeliveryFailed",
    ]);
    queueOf(world, records);

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 0, announcements: 1, superseded: 0 });
    expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
    expect(world.slack.channel("ops-critical").messages).toEqual([]);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(2);
  });

  it("leaves the announcement of an alert still failing in the queue", async () => {
    world = await startWorld({ token: "xoxb-wrong" }); // still the wrong token when the replay runs
    await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"));
    await world.invoke(announcementOf(world));
    queueOf(world, world.deadLetters());

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toMatchObject({ replayed: 0, skipped: 1, announcements: 0 });
    expect(report.failed).toHaveLength(1);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it("does not post again an alarm whose post Slack accepted before the router's retries failed", async () => {
    world = await startWorld({
      beforeDb: (command) => {
        const item = (command.input as { Item?: { sk?: string } }).Item;
        if (command.constructor.name === "PutCommand" && item?.sk === "thread")
          throw Object.assign(new Error("Throughput exceeds the current capacity of your table"), {
            name: "ProvisionedThroughputExceededException",
          });
      },
    });
    const event = loadFixture("aws.cloudwatch", "metric-alarm");
    // Sustained throttling: the first try and Lambda's two retries all fail on the thread write.
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(world.invoke(event)).rejects.toThrow(/Throughput exceeds/);
      (world.clock as VirtualClock).current += 60_000;
    }
    // Lambda puts the event into its dead-letter queue as it was, with the error as a message attribute.
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: "m-0",
            ReceiptHandle: "r-0",
            Body: JSON.stringify(event),
            MessageAttributes: { ErrorMessage: { DataType: "String", StringValue: "Throughput exceeds" } },
          },
        ],
      })
      .resolves({ Messages: [] });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 0, failed: [], skipped: 0, announcements: 0, superseded: 1 });
    expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it("does not post again an alarm that Lambda's retry delivered after its announcement was refused", async () => {
    world = await startWorld();
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    world.mocks.events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException" }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const event = () => loadFixture("aws.cloudwatch", "metric-alarm");
    await expect(world.invoke(event())).rejects.toThrow(/PutEvents refused/);
    (world.clock as VirtualClock).current += 60_000; // Lambda's retry: the bot was invited back meanwhile
    expect(await world.invoke(event())).toMatchObject({ status: "opened" });
    queueOf(world, world.deadLetters());

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 0, failed: [], skipped: 0, announcements: 0, superseded: 1 });
    expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
  });

  it("posts an event once when the queue holds two records of it (clawops' and Lambda's)", async () => {
    world = await startWorld();
    const event = loadFixture("aws.cloudwatch", "metric-alarm");
    queueOf(world, [recordOf(event), event]);

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 0, announcements: 0, superseded: 1 });
    expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
  });

  it("marks a replayed alarm as a replay, with when it first failed, and mentions no one", async () => {
    world = await startWorld();
    critical();
    queueOf(world, [recordOf(loadFixture("aws.cloudwatch", "metric-alarm"))]);

    await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    const [posted] = world.slack.channel("ops-critical").messages;
    expect(posted!.text).not.toContain("<!subteam^S0123ABC>");
    expect(JSON.stringify(posted!.blocks)).not.toContain("subteam");
    expect(JSON.stringify(posted!.blocks)).toContain(
      "Replayed from the dead-letter queue; first failed at 2026-03-02 12:05:00 UTC.",
    );
  });

  it("deletes an ALARM unposted when the alarm has recovered since (its OK was delivered)", async () => {
    world = await startWorld();
    critical();
    world.slack.error("chat.postMessage", "not_in_channel", 1);
    expect(await world.invoke(loadFixture("aws.cloudwatch", "metric-alarm"))).toMatchObject({
      status: "dead-lettered",
    });
    expect(await world.invoke(loadFixture("aws.cloudwatch", "ok"))).toMatchObject({ status: "posted" });
    queueOf(world, world.deadLetters());

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 0, failed: [], skipped: 0, announcements: 0, superseded: 1 });
    const messages = world.slack.channel("ops-critical").messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain("OK");
    expect(world.mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });
});

describe("Function: replayDeadLetters (records left in the queue)", () => {
  it("handles a record once even when it comes back visible while the replay still runs", async () => {
    world = await startWorld();
    const foreign = {
      reason: "PermanentError: x",
      errorName: "PermanentError",
      functionName: "other",
      failedAt: "",
      event: {},
    };
    // Its visibility timeout ran out: SQS hands the same message out again, under the same MessageId.
    const again = { Messages: [{ MessageId: "m-1", Body: JSON.stringify(foreign), ReceiptHandle: "r" }] };
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce(again)
      .resolvesOnce(again)
      .resolves({ Messages: [] });

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 0, failed: [], skipped: 1, announcements: 0, superseded: 0 });
  });

  it("goes on when a receive brings only records handled already, while alerts still wait", async () => {
    world = await startWorld();
    const foreign = {
      reason: "PermanentError: x",
      errorName: "PermanentError",
      functionName: "other",
      failedAt: "",
      event: {},
    };
    const left = { MessageId: "m-1", Body: JSON.stringify(foreign), ReceiptHandle: "r-1" };
    const alert = {
      MessageId: "m-2",
      Body: JSON.stringify(recordOf(loadFixture("clawops", "DrainFailed"))),
      ReceiptHandle: "r-2",
    };
    world.mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [left] })
      .resolvesOnce({ Messages: [left] })
      .resolvesOnce({ Messages: [alert] })
      .resolves({ Messages: [] });
    world.mocks.sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 1, announcements: 0, superseded: 0 });
  });
});

describe("Function: sendTestAlert", () => {
  it("opens and resolves a test thread through the router", async () => {
    world = await startWorld();
    const result = await sendTestAlert({
      stage: "test",
      region: "us-east-1",
      account: "123456789012",
      invoke: (event) => world.invoke(event),
      now: world.clock.now,
    });
    expect(result).toMatchObject({ alarm: { status: "opened" }, ok: { status: "resolved" } });
    const parent = world.slack.channel("ops-alerts").messages[0]!;
    expect(parent.text).toContain("clawops-test-test-alert");
    expect(parent.edits).toHaveLength(1);
  });
});
