import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture } from "../../core/tests/events/fixtures.js";
import { run } from "../src/program.js";
import type { StageLookup } from "../src/stage-target.js";
import { argv, captureStreams } from "./capture.js";

const ROUTER = "clawops-prod-alerts-Router";
const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-prod-dlq";

/** A deployed stage's parameters, as the stacks write them under /clawops/prod/. */
const deployed: StageLookup = {
  credentials: async () => {},
  parameters: async () => ({
    fleet: JSON.stringify({ instanceRoleArn: "arn:aws:iam::123456789012:role/openclaw" }),
    "state-table": "clawops-prod-state",
    "dead-letter-queue-url": QUEUE,
    "alert-router": JSON.stringify({
      functionName: ROUTER,
      settings: { slackSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack" },
    }),
  }),
};

const mocks = {
  lambda: mockClient(LambdaClient),
  sqs: mockClient(SQSClient),
  secrets: mockClient(SecretsManagerClient),
};
afterEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});

describe("Command: clawops alerts replay --stage", () => {
  it("sends each dead-lettered alert to the alert router and never reads the Slack secret itself", async () => {
    const alarm = loadFixture("aws.cloudwatch", "metric-alarm");
    mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ Body: JSON.stringify(alarm), ReceiptHandle: "r-1" }] })
      .resolves({ Messages: [] });
    mocks.sqs.on(DeleteMessageCommand).resolves({});
    const answer = { status: "replayed", channel: "C0ALERTS", ts: "1772452800.000100" };
    mocks.lambda.on(InvokeCommand).resolves({ Payload: Buffer.from(JSON.stringify(answer)) as never });
    mocks.secrets.on(GetSecretValueCommand).rejects(new Error("AccessDeniedException: explicit deny"));
    const io = captureStreams();

    const code = await run(argv("alerts", "replay", "--stage", "prod", "--region", "us-east-1", "--json"), {
      streams: io,
      stageLookup: deployed,
    });

    expect(io.stderrText()).toBe("");
    expect(JSON.parse(io.stdoutText())).toEqual({
      replayed: 1,
      superseded: 0,
      announcements: 0,
      failed: [],
      skipped: 0,
    });
    expect(code).toBe(0);
    const [invoke] = mocks.lambda.commandCalls(InvokeCommand);
    expect(invoke!.args[0].input.FunctionName).toBe(ROUTER);
    expect(JSON.parse(String(invoke!.args[0].input.Payload))).toEqual({ replay: { event: alarm } });
    expect(mocks.secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
    expect(mocks.sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input.ReceiptHandle).toBe("r-1");
  });
});
