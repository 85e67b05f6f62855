import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runFailureDrill } from "../run.js";

const ssm = mockClient(SSMClient);
const sfn = mockClient(SFNClient);
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:FailureDrill";
let lines: string[];
const output = { out: (l: string) => lines.push(l), err: () => {} };
const target = { stage: "test", sleep: async () => {}, now: () => 0 };

beforeEach(() => {
  lines = [];
  ssm.on(GetParameterCommand, { Name: "/clawops/test/failure-drill-state-machine-arn" }).resolves({
    Parameter: { Value: ARN },
  });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run-1` });
});
afterEach(() => {
  ssm.reset();
  sfn.reset();
});

describe("Function: runFailureDrill", () => {
  it("starts a dry run with the requested instance and prints the plan", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ plan: ["stop the gateway on i-0b", "record the result"] }),
    });
    const run = await runFailureDrill(target, { output, instanceId: "i-0b", dryRun: true });
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? "")).toEqual({
      instanceId: "i-0b",
      dryRun: true,
    });
    expect(run).toMatchObject({ passed: true, status: "SUCCEEDED" });
    expect(lines).toEqual(["would stop the gateway on i-0b", "would record the result"]);
  });

  it("waits while the drill runs and reports a refusal as not passed, with its reason", async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING" })
      .resolves({ status: "FAILED", error: "FailureDrillRefused", cause: "only 1 healthy gateway" });
    const run = await runFailureDrill(target, { output });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(run).toMatchObject({
      passed: false,
      status: "FAILED",
      error: "FailureDrillRefused: only 1 healthy gateway",
    });
  });

  it("passes only when the execution's result passed", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ result: { passed: true, drillId: "fd-1" } }),
    });
    expect((await runFailureDrill(target, { output })).passed).toBe(true);
  });
});
