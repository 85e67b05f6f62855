import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { sfnModel } from "../src/aws/sfn.js";
import { LocalStepFunctions } from "../src/stepfunctions.js";
import { type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const DEFINITION = {
  StartAt: "Probe",
  States: {
    Probe: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: { FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:probe", "Payload.$": "$" },
      ResultSelector: { "healthy.$": "$.Payload.healthy" },
      ResultPath: "$.probe",
      Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3 }],
      Next: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 600, Next: "Groups" },
    Groups: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:autoscaling:describeAutoScalingGroups",
      Parameters: { AutoScalingGroupNames: ["clawops-test-openclaw"] },
      ResultSelector: { "count.$": "$.AutoScalingGroups[0].DesiredCapacity" },
      ResultPath: "$.group",
      End: true,
    },
  },
};

const statusChange = { detailType: "Step Functions Execution Status Change", source: "aws.states" };

function engine(failures: number) {
  const sfn = new LocalStepFunctions(account.aws.world, (call) => account.aws.simulator.handle(call));
  let calls = 0;
  sfn.define({
    name: "gate",
    definition: DEFINITION,
    lambdas: {
      probe: () => {
        calls += 1;
        if (calls <= failures) throw Object.assign(new Error("not yet"), { name: "Flaky" });
        return { healthy: true };
      },
    },
  });
  account.aws.simulator.register(sfnModel(sfn));
  return sfn;
}

describe("Class: LocalStepFunctions", () => {
  it("runs Tasks in-process, spends Retry intervals and Waits on the sandbox clock, and calls aws-sdk integrations", async () => {
    account = await testAccount({ desired: 2 });
    const sfn = engine(2);
    const run = sfn.start("gate", { instance: "i-1" }, "launch-i-1");
    // Retries: 10 s then 20 s; then the 600 s Wait.
    await account.clock.advance(29_000);
    expect(run.status).toBe("RUNNING");
    await account.clock.advance(600_000);
    expect(run.status).toBe("RUNNING");
    await account.clock.advance(2_000);
    await run.done;
    expect(run.status).toBe("SUCCEEDED");
    expect(JSON.parse(run.output ?? "{}")).toEqual({
      instance: "i-1",
      probe: { healthy: true },
      group: { count: 2 },
    });
  });

  it("returns the running execution for a repeated name and input, and refuses a different input", async () => {
    account = await testAccount();
    const sfn = engine(0);
    const first = sfn.start("gate", { instance: "i-1" }, "launch-i-1");
    expect(sfn.start("gate", { instance: "i-1" }, "launch-i-1")).toBe(first);
    expect(() => sfn.start("gate", { instance: "i-2" }, "launch-i-1")).toThrow(
      expect.objectContaining({ name: "ExecutionAlreadyExists" }),
    );
  });

  it("refuses an execution name StartExecution would refuse, saying why", async () => {
    account = await testAccount();
    const sfn = engine(0);
    for (const [name, why] of [
      ["drill:2026-11-27", 'contains ":"'],
      ["two words", 'contains " "'],
      ["x".repeat(81), "81 characters; 1 to 80 allowed"],
      ["tab\there", 'contains "\\t"'],
    ] as const)
      expect(() => sfn.start("gate", {}, name)).toThrow(
        expect.objectContaining({ name: "InvalidName", message: expect.stringContaining(why) }),
      );
    expect(sfn.start("gate", {}, "drill-20261127T100536Z_a.b").status).toBe("RUNNING");
  });

  it("fails the execution with the handler's error name once retries are spent", async () => {
    account = await testAccount();
    const sfn = engine(10);
    const run = sfn.start("gate", {});
    await account.clock.advance(100_000);
    await run.done;
    expect([run.status, run.error]).toEqual(["FAILED", "Flaky"]);
  });

  it("publishes each execution's status changes to the bus as Step Functions does (RUNNING, then how it ended)", async () => {
    account = await testAccount();
    const events: { detailType: string; source: string; status: unknown; resources: readonly string[] }[] =
      [];
    account.aws.world.onEvent((e) => {
      if (e.source !== "aws.states") return;
      events.push({
        detailType: e["detail-type"],
        source: e.source,
        status: (e.detail as { status?: unknown }).status,
        resources: e.resources,
      });
    });
    const sfn = engine(0);
    const done = sfn.start("gate", {}, "finishes");
    await account.clock.advance(700_000);
    await done.done;
    const stopped = sfn.start("gate", {}, "stopped");
    sfn.stop(stopped.executionArn, "Operator", "stopped by hand");
    await stopped.done;
    expect(events).toEqual([
      { ...statusChange, status: "RUNNING", resources: [done.executionArn] },
      { ...statusChange, status: "SUCCEEDED", resources: [done.executionArn] },
      { ...statusChange, status: "RUNNING", resources: [stopped.executionArn] },
      { ...statusChange, status: "ABORTED", resources: [stopped.executionArn] },
    ]);
    // A sandbox that closes aborts what still runs without announcing it.
    sfn.start("gate", {}, "left-running");
    sfn.abortAll();
    expect(events.map((e) => e.status)).toEqual(["RUNNING", "SUCCEEDED", "RUNNING", "ABORTED", "RUNNING"]);
  });

  it("serves StartExecution and DescribeExecution to the real SFN client", async () => {
    account = await testAccount();
    const sfn = engine(0);
    const client = makeClient(SFNClient);
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: sfn.arnOf("gate"), name: "x", input: "{}" }),
    );
    await account.clock.advance(700_000);
    await sfn.idle();
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe("SUCCEEDED");
  });

  it("serves GetExecutionHistory: state entered and exited events in order, on the sandbox clock, newest first on request", async () => {
    account = await testAccount({ desired: 2 });
    const sfn = engine(0);
    const client = makeClient(SFNClient);
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: sfn.arnOf("gate"),
        name: "h",
        input: '{"instance":"i-1"}',
      }),
    );
    await account.clock.advance(700_000);
    await sfn.idle();
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "TaskStateExited",
      "WaitStateEntered",
      "WaitStateExited",
      "TaskStateEntered",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[1]?.stateEnteredEventDetails).toEqual({ name: "Probe", input: '{"instance":"i-1"}' });
    expect(JSON.parse(events[2]?.stateExitedEventDetails?.output ?? "{}")).toMatchObject({
      probe: { healthy: true },
    });
    // The Wait passed 600 s of sandbox time between its two events.
    const waited = (events[4]?.timestamp?.getTime() ?? 0) - (events[3]?.timestamp?.getTime() ?? 0);
    expect(waited).toBe(600_000);
    const newest = await client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
    );
    expect(newest.events?.map((e) => e.type)).toEqual(["ExecutionSucceeded", "TaskStateExited"]);
    expect(newest.nextToken).toBeDefined();
  });
});
