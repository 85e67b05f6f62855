import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { essentialEvalResults, parseEvalResults } from "@clawops/core/readiness";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../src/program.js";
import { argv, captureStreams } from "./capture.js";
import { deployedStage } from "./deployed-stage.js";

const dynamo = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
const autoscaling = mockClient(AutoScalingClient);
const sqs = mockClient(SQSClient);

/** With every flow. */
const deployed = deployedStage({
  "evals-function": "clawops-prod-evals",
  "alert-router": JSON.stringify({ functionName: "clawops-prod-router", settings: {} }),
});

/** An error as the SDK raises a service's answer: its name and message, `$fault` and `$metadata`. */
const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: "client",
    $metadata: { httpStatusCode, requestId: "req-1", attempts: 1 },
  });

const clawops = async (...args: string[]) => {
  const io = captureStreams();
  const code = await run(argv(...args, "--stage", "prod", "--region", "eu-west-1"), {
    streams: io,
    stageLookup: deployed,
    env: {},
  });
  return { code, stderr: io.stderrText(), stdout: io.stdoutText() };
};

/** `{ results, ... }` as promptfoo writes it: each result carries its prompt, response and grading. */
function promptfooOutput(cases: number, bulk = "") {
  return {
    evalId: "eval-2026-03-01T02:00:00",
    results: {
      version: 3,
      timestamp: "2026-03-01T02:00:00.000Z",
      prompts: [{ raw: "{{input}}", label: "skill" }],
      results: Array.from({ length: cases }, (_, i) => ({
        id: `r-${i}`,
        testIdx: i,
        promptIdx: 0,
        testCase: {
          description: ["[normal] drafts a reply", "[decline] bulk send", "[edge] empty inbox"][i % 3],
          vars: { skill: i % 2 ? "email" : "crm", input: bulk },
          metadata: i % 5 === 0 ? { kind: "normal", owner: "ops" } : { owner: "ops" },
          assert: [{ type: "llm-rubric", value: "…" }],
        },
        vars: { skill: i % 2 ? "email" : "crm", input: bulk },
        prompt: { raw: bulk, label: "skill" },
        response: { output: bulk },
        success: i % 7 !== 0,
        score: 1,
        gradingResult: { pass: true, score: 1, reason: bulk },
      })),
    },
    config: { description: "skills" },
  };
}

beforeEach(() => {
  for (const mock of [dynamo, lambda, autoscaling, sqs]) mock.reset();
});

describe("Function: run when AWS answers a command with an error", () => {
  it("says which KMS permission alerts replay lacks when the dead-letter queue's key refuses it (exit 2)", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .rejects(awsError("KmsAccessDenied", "The ciphertext refers to a key you do not have access to"));
    const { code, stderr } = await clawops("alerts", "replay");
    expect(code).toBe(2);
    expect(stderr).toContain("AWS denied a call the command needs (KmsAccessDenied:");
    expect(stderr).toContain("kms:Decrypt on the stage's clawops KMS key");
    expect(stderr).not.toContain("a bug in clawops");
  });

  it("tells the operator to renew credentials that expire in the middle of status (exit 2)", async () => {
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(awsError("ExpiredToken", "The security token included in the request is expired", 403));
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(QueryCommand).resolves({ Items: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    const { code, stderr } = await clawops("status");
    expect(code).toBe(2);
    expect(stderr).toContain("your AWS credentials expired (ExpiredToken: The security token");
    expect(stderr).toContain("renew them (aws sso login");
    expect(stderr).not.toContain("a bug in clawops");
  });

  it.each([
    [
      "readiness",
      ["readiness"],
      "ResourceNotFoundException",
      "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:clawops-prod-readiness",
    ],
    ["alerts test", ["alerts", "test"], "TooManyRequestsException", "Rate Exceeded."],
  ])(
    "reports AWS's own error in %s with its name and message, not as a bug (exit 2)",
    async (_, command, name, message) => {
      lambda.on(InvokeCommand).rejects(awsError(name, message, 404));
      const { code, stderr } = await clawops(...command);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `error: AWS answered a call the command makes with an error (${name}: ${message})`,
      );
      expect(stderr).not.toContain("a bug in clawops");
    },
  );

  it("still reports an error that is not AWS's as a bug, with its stack (exit 1)", async () => {
    lambda.on(InvokeCommand).rejects(new TypeError("Cannot read properties of undefined (reading 'x')"));
    const { code, stderr } = await clawops("readiness");
    expect(code).toBe(1);
    expect(stderr).toContain("unexpected error (a bug in clawops");
  });
});

describe("Command: clawops evals report --stage with a large promptfoo file", () => {
  it("sends only what the ingestion reads, which parses to the same report", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "clawops-evals-")), "results.json");
    const output = promptfooOutput(60, "x".repeat(25_000)); // 60 cases, 7.5 MB of prompts, responses and grading
    await writeFile(file, JSON.stringify(output));
    const at = { ingestedAt: new Date("2026-03-01T02:10:00Z"), scheduled: true };
    lambda.on(InvokeCommand).resolves({
      Payload: Buffer.from(JSON.stringify(parseEvalResults(output, at))) as never,
    });
    const { code, stderr } = await clawops("evals", "report", file, "--scheduled");
    expect(stderr).not.toContain("error");
    expect(code).toBe(1); // some cases fail
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as string;
    expect(Buffer.byteLength(sent)).toBeLessThan(64 * 1024);
    const { results, scheduled } = JSON.parse(sent) as { results: unknown; scheduled: boolean };
    expect(scheduled).toBe(true);
    expect(parseEvalResults(results, at)).toEqual(parseEvalResults(output, at));
  });

  it("refuses, before reaching AWS, cases too many for one Lambda Invoke (exit 2)", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "clawops-evals-")), "results.json");
    // 1,000 cases whose descriptions alone (7 KB each) are more than a Lambda Invoke carries.
    const output = promptfooOutput(1_000);
    output.results.results.forEach((result, i) => {
      result.testCase.description = `[normal] case ${i} ${"d".repeat(7_000)}`;
    });
    await writeFile(file, JSON.stringify(output));
    const { code, stderr } = await clawops("evals", "report", file);
    expect(code).toBe(2);
    expect(stderr).toContain("over the 6 MB a Lambda Invoke carries: report fewer cases per run");
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe("Function: essentialEvalResults", () => {
  const at = { ingestedAt: new Date("2026-03-01T02:10:00Z") };

  it.each([
    ["promptfoo's nested results", promptfooOutput(12, "…")],
    [
      "a bare results array with metadata on the result",
      {
        timestamp: "2026-02-01T00:00:00Z",
        results: [
          { success: true, description: "edge: empty", metadata: { kind: null, skill: "crm" }, vars: "none" },
          { success: false, description: "x", testCase: "not an object", vars: { skill: 3 } },
          {
            success: true,
            testCase: { metadata: ["a"], vars: { skill: "email" } },
            metadata: { type: "decline" },
          },
        ],
      },
    ],
  ])("keeps what parseEvalResults reads from %s", (_, output) => {
    expect(parseEvalResults(essentialEvalResults(output), at)).toEqual(parseEvalResults(output, at));
  });
});
