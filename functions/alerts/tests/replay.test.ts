import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture } from "../../../packages/core/tests/events/fixtures.js";
import { replayDeadLetters, sendTestAlert } from "../replay.js";
import { DLQ_URL, type RouterWorld, routerSettings, startWorld } from "./harness.js";

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

    expect(report).toEqual({ replayed: 1, failed: [], skipped: 1 });
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
