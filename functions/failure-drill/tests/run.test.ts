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

const passed = {
  drillId: "fd-1",
  instanceId: "i-0aaa",
  startedAt: "2026-11-27T09:00:55.000Z",
  finishedAt: "2026-11-27T09:08:11.000Z",
  seconds: { alarm: 124, alertDelivered: 1, replacement: 375, recovered: 424 },
  windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 },
  verdicts: { alarm: "pass", alert: "pass", replacement: "pass" },
  passed: true,
  replacementInstanceId: "i-0new",
  abortedBecause: null,
};

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

  it("prints each measured time against its window when the drill passed", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ result: passed }),
    });
    const run = await runFailureDrill(target, { output });
    expect(run).toMatchObject({ passed: true, result: passed });
    expect(lines).toEqual([
      "failure drill fd-1 on i-0aaa: passed",
      "alarm in ALARM: 124 s after the stop (window 300 s): pass",
      "alert delivered: 1 s after the alarm (window 120 s): pass",
      "replacement InService: 375 s after the stop (window 900 s): pass (i-0new)",
      "alarm OK again: 424 s after the stop",
    ]);
  });

  it("reads a failed drill's times from the execution's cause (a failed execution has no output)", async () => {
    const aborted = {
      ...passed,
      passed: false,
      seconds: { alarm: null, alertDelivered: null, replacement: null, recovered: null },
      verdicts: { alarm: "missed", alert: "missed", replacement: "missed" },
      replacementInstanceId: null,
      abortedBecause: "the alarm did not fire within twice its window (600 s)",
    };
    sfn.on(DescribeExecutionCommand).resolves({
      status: "FAILED",
      error: "FailureDrillFailed",
      cause: JSON.stringify(aborted),
    });
    const run = await runFailureDrill(target, { output });
    expect(run).toMatchObject({
      passed: false,
      status: "FAILED",
      result: aborted,
      error: "FailureDrillFailed: the alarm did not fire within twice its window (600 s)",
    });
    expect(lines).toContain("alarm in ALARM: never after the stop (window 300 s): missed");
    expect(lines).toContain("aborted: the alarm did not fire within twice its window (600 s)");
  });

  it("passes only when the execution's result passed", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ result: passed }),
    });
    expect((await runFailureDrill(target, { output })).passed).toBe(true);
  });
});
