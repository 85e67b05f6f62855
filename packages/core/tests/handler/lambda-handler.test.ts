import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { readEnvironment } from "../../src/environment.js";
import { PermanentError, RetryableError } from "../../src/errors.js";
import { isDeadLettered, lambdaHandler } from "../../src/handler/lambda-handler.js";
import { metrics, setMetricsSink } from "../../src/observability.js";

const sqs = mockClient(SQSClient);
const env = readEnvironment({
  AWS_REGION: "us-east-1",
  CLAWOPS_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-test-dlq",
});
const context = {
  functionName: "clawops-test-fn",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

function parseOrder(event: unknown): { id: string } {
  const id = (event as { id?: unknown })?.id;
  if (typeof id !== "string") throw new Error(`id: expected string, got ${typeof id}`);
  return { id };
}

beforeEach(() => sqs.reset());

describe("Function: lambdaHandler", () => {
  it("passes the parsed input to the function and returns its result", async () => {
    const handler = lambdaHandler({ parse: parseOrder, env, handler: async (input) => ({ seen: input.id }) });

    await expect(handler({ id: "a" }, context)).resolves.toEqual({ seen: "a" });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("names the stage in every metric it flushes, so two stages' alarms never read each other's data", async () => {
    const blobs: string[] = [];
    // Powertools prints EMF through its own console (the one CloudWatch Logs reads in Lambda).
    const emfOut = metrics as unknown as { console: unknown };
    const previous = emfOut.console;
    emfOut.console = { log: (line: string) => void blobs.push(line) };
    try {
      const handler = lambdaHandler({
        parse: parseOrder,
        env: readEnvironment({ AWS_REGION: "us-east-1", CLAWOPS_STAGE: "prod" }),
        handler: async (_, context) => {
          context.metrics.addDimension("Fleet", "openclaw");
          context.metrics.addMetric("Orders", "Count", 1);
          return {};
        },
      });
      await handler({ id: "a" }, context);
    } finally {
      emfOut.console = previous;
    }
    const emf = blobs.map((b) => JSON.parse(b)).find((b) => b.Orders === 1);
    expect(emf).toMatchObject({ Stage: "prod", Fleet: "openclaw" });
    expect(emf._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(["Stage", "Fleet"]));
  });

  it("logs no Powertools warning on a warm invocation (the Stage dimension is set once per process)", async () => {
    const warnings: string[] = [];
    const quiet = () => {};
    const sink = {
      log: quiet,
      info: quiet,
      debug: quiet,
      error: quiet,
      warn: (...args: unknown[]) => void warnings.push(args.map(String).join(" ")),
    };
    const emfOut = metrics as unknown as { console: unknown };
    const previous = emfOut.console;
    emfOut.console = sink;
    const restore = setMetricsSink(sink);
    try {
      const handler = lambdaHandler({
        parse: parseOrder,
        env: readEnvironment({ AWS_REGION: "us-east-1", CLAWOPS_STAGE: "warm" }),
        handler: async (_, context) => {
          context.metrics.addMetric("Orders", "Count", 1);
          return {};
        },
      });
      await handler({ id: "a" }, context);
      warnings.length = 0;
      await handler({ id: "b" }, context);
      await handler({ id: "c" }, context);
    } finally {
      restore();
      emfOut.console = previous;
    }
    expect(warnings).toEqual([]);
  });

  it("sends a malformed event to the dead-letter queue with the reason and the event, without a retry", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const handler = lambdaHandler({ parse: parseOrder, env, handler: async () => "never" });

    const result = await handler({ nope: 1 }, context);

    expect(isDeadLettered(result)).toBe(true);
    const [call] = sqs.commandCalls(SendMessageCommand);
    expect(call?.args[0].input.QueueUrl).toBe(env.deadLetterQueueUrl);
    const record = JSON.parse(call?.args[0].input.MessageBody ?? "{}");
    expect(record).toMatchObject({
      errorName: "PermanentError",
      functionName: "clawops-test-fn",
      event: { nope: 1 },
    });
    expect(record.reason).toContain("id: expected string, got undefined");
  });

  it("dead-letters a permanent failure of the function itself", async () => {
    sqs.on(SendMessageCommand).resolves({});
    const handler = lambdaHandler({
      parse: parseOrder,
      env,
      handler: async () => {
        throw new PermanentError("channel_not_found");
      },
    });

    const result = await handler({ id: "a" }, context);

    expect(result).toEqual({ deadLettered: true, reason: "PermanentError: channel_not_found" });
  });

  it("throws a retryable failure so Lambda retries it", async () => {
    const handler = lambdaHandler({
      parse: parseOrder,
      env,
      handler: async () => {
        throw new RetryableError("ThrottlingException");
      },
    });

    await expect(handler({ id: "a" }, context)).rejects.toThrow("ThrottlingException");
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("throws every failure by name for a Step Functions task", async () => {
    const handler = lambdaHandler({ kind: "task", parse: parseOrder, env, handler: async () => "x" });

    await expect(handler({}, context)).rejects.toMatchObject({ name: "PermanentError" });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it.each([
    [
      "an AWS throttle the SDK gave up on",
      { name: "ThrottlingException", $fault: "client" },
      "RetryableError",
    ],
    ["an AWS 5xx", { name: "InternalServerError", $fault: "server" }, "RetryableError"],
    [
      "a DynamoDB write refused while another transaction holds its item (the SDK does not retry it)",
      { name: "TransactionConflictException", $fault: "client" },
      "RetryableError",
    ],
    ["a permanent AWS error", { name: "AccessDeniedException", $fault: "client" }, "AccessDeniedException"],
  ])("fails a Step Functions task on %s under the name its workflow retries by", async (_, shape, name) => {
    const handler = lambdaHandler({
      kind: "task",
      parse: parseOrder,
      env,
      handler: async () => {
        throw Object.assign(new Error("Rate exceeded"), shape);
      },
    });

    await expect(handler({ id: "a" }, context)).rejects.toMatchObject({ name });
  });

  it("still publishes the invocation's metrics when the dead-letter queue cannot take its record", async () => {
    sqs.on(SendMessageCommand).rejects(new Error("AccessDenied"));
    const blobs: string[] = [];
    const emfOut = metrics as unknown as { console: unknown };
    const previous = emfOut.console;
    emfOut.console = { log: (line: string) => void blobs.push(line) };
    try {
      const handler = lambdaHandler({
        parse: parseOrder,
        env,
        handler: async (_, context) => {
          context.metrics.addMetric("UnhealthyGateways", "Count", 1);
          throw new PermanentError("the run went wrong after it counted");
        },
      });
      await expect(handler({ id: "a" }, context)).rejects.toThrow("AccessDenied");
    } finally {
      emfOut.console = previous;
    }
    expect(blobs.map((b) => JSON.parse(b)).find((b) => b.UnhealthyGateways === 1)).toBeDefined();
  });

  it("throws when the dead-letter queue cannot take the record, so nothing is dropped", async () => {
    sqs.on(SendMessageCommand).rejects(new Error("AccessDenied"));
    const handler = lambdaHandler({ parse: parseOrder, env, handler: async () => "x" });

    await expect(handler({}, context)).rejects.toThrow("AccessDenied");
  });
});
