import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { logger, setMetricsSink, withFunctionEnvironment } from "@clawops/core";
import { deliveryItemKey } from "@clawops/core/alerts";
import { client, setClientInterceptor } from "@clawops/core/aws";
import type { FailureDrillResult } from "@clawops/core/failure-drill";
import {
  FailureDrillKeys,
  GATEWAY_START_MARKER,
  GATEWAY_STOP_MARKER,
  setFailureDrillClock,
} from "@clawops/core/failure-drill";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { failureDrillTasks } from "../../functions/failure-drill/tasks.js";
import { lastFailureDrill } from "../../functions/readiness/records.js";
import { dynamoDbProxyModel } from "../../packages/sandbox/src/aws/dynamodb-proxy.js";
import { AwsSimulator, type ServiceModel } from "../../packages/sandbox/src/aws/simulator.js";
import { SandboxClock } from "../../packages/sandbox/src/clock.js";
import { createStateTable, type LocalDynamo, startDynamo } from "../../packages/sandbox/src/dynamo.js";
import { loadWorkflow, runWorkflow } from "./lifecycle-workflow-harness.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const table = "clawops-test-state";
const ASG = "clawops-test-fleet";
const ALARM = "clawops-test-unhealthy-gateways";
const A = "i-0aaaaaaaaaaaaaaa1";
const B = "i-0bbbbbbbbbbbbbbb2";
const NEW = "i-0ccccccccccccccc3";
const OBSERVE_MS = 15_000;
const windows = { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 };
const settings = {
  fleetName: "openclaw",
  autoScalingGroupName: ASG,
  alarmName: ALARM,
  gatewayServiceName: "openclaw-gateway",
  windows,
  observeIntervalSeconds: 15,
  recordDays: 400,
};
const definition = loadWorkflow("failure-drill.asl.json");

/** When things happen after the gateway stops (seconds; `null` = never). */
interface Script {
  readonly instances: readonly { id: string; health: string }[];
  readonly alarmAfter: number | null;
  /** Seconds from the alarm to the router's delivery. */
  readonly alertAfter: number | null;
  readonly replacementAfter: number | null;
  readonly okAfter: number | null;
  /** The alarm has been in ALARM since before the drill (another gateway is failing already). */
  readonly alarmBefore?: boolean;
}
const healthyPair = [
  { id: A, health: "Healthy" },
  { id: B, health: "Healthy" },
];
const onTime: Script = {
  instances: healthyPair,
  alarmAfter: 150,
  alertAfter: 4,
  replacementAfter: 420,
  okAfter: 570,
};

let dynamo: LocalDynamo;
let clock: SandboxClock;
let script: Script;
let stoppedAt: number | undefined;
let scripts: string[][];
let events: { DetailType: string; Detail: Record<string, unknown> }[];
let sim: AwsSimulator;
let undo: (() => void)[] = [];
let day = 0;
/** How the scripts end on the instance: systemctl's exit status (SSM: Success on 0, else Failed). */
let exits: { stop: number; start: number };
/** SendCommand of the restart script is refused (the Restore role lost ssm:SendCommand). */
let startRefused: boolean;
let afterStop: () => void;
/** Each command's script and how many times its invocation was read. */
const invocations = new Map<string, { script: string; reads: number }>();

const after = (seconds: number | null) =>
  stoppedAt !== undefined && seconds !== null && clock.now() >= stoppedAt + seconds * 1000;
const at = (seconds: number) => new Date((stoppedAt ?? 0) + seconds * 1000);

/** The fleet as Auto Scaling, CloudWatch, SSM and EventBridge would show it while the script plays. */
function scriptedAws(): ServiceModel[] {
  const replaced = () => after(script.replacementAfter);
  const instances = () => [
    ...script.instances
      .filter((i) => !(replaced() && i.id === A))
      .map((i) => ({ InstanceId: i.id, LifecycleState: "InService", HealthStatus: i.health })),
    ...(replaced() ? [{ InstanceId: NEW, LifecycleState: "InService", HealthStatus: "Healthy" }] : []),
  ];
  return [
    {
      service: "AutoScaling",
      commands: {
        DescribeAutoScalingGroups: () => ({
          AutoScalingGroups: [{ AutoScalingGroupName: ASG, Instances: instances() }],
        }),
        DescribeInstanceRefreshes: () => ({ InstanceRefreshes: [{ Status: "Successful" }] }),
        DescribeAutoScalingInstances: (input) => ({
          AutoScalingInstances: instances()
            .filter((i) => (input.InstanceIds as string[]).includes(i.InstanceId))
            .map((i) => ({ ...i, AutoScalingGroupName: ASG })),
        }),
      },
    },
    {
      service: "CloudWatch",
      commands: {
        DescribeAlarms: () => {
          if (script.alarmBefore)
            return {
              MetricAlarms: [
                {
                  AlarmName: ALARM,
                  StateValue: "ALARM",
                  StateTransitionedTimestamp: new Date(clock.now() - 3_600_000),
                  StateUpdatedTimestamp: new Date(clock.now() - 60_000),
                },
              ],
            };
          const { alarmAfter, okAfter } = script;
          const ok = alarmAfter !== null && after(okAfter);
          const alarm = !ok && after(alarmAfter);
          const state = alarm ? "ALARM" : "OK";
          const since = ok ? at(okAfter ?? 0) : alarm ? at(alarmAfter ?? 0) : new Date(Date.UTC(2026, 0, 1));
          return { MetricAlarms: [{ AlarmName: ALARM, StateValue: state, StateUpdatedTimestamp: since }] };
        },
      },
    },
    {
      service: "SSM",
      commands: {
        SendCommand: (input) => {
          const commands = (input.Parameters as { commands: string[] }).commands;
          scripts.push(commands);
          if (commands[0] === GATEWAY_START_MARKER && startRefused)
            throw Object.assign(new Error("User is not authorized to perform ssm:SendCommand"), {
              name: "AccessDeniedException",
            });
          if (commands[0] === GATEWAY_STOP_MARKER) stoppedAt = clock.now();
          const id = `cmd-${scripts.length}`;
          invocations.set(id, { script: commands[0] ?? "", reads: 0 });
          return { Command: { CommandId: id } };
        },
        // As AWS answers right after SendCommand: not there yet, then running, then how systemctl ended.
        GetCommandInvocation: (input) => {
          const invocation = invocations.get(input.CommandId as string);
          if (!invocation) throw Object.assign(new Error("no such command"), { name: "InvalidCommandId" });
          invocation.reads += 1;
          if (invocation.reads === 1) throw Object.assign(new Error(""), { name: "InvocationDoesNotExist" });
          if (invocation.reads === 2) return { Status: "InProgress", StatusDetails: "InProgress" };
          const exit = invocation.script === GATEWAY_STOP_MARKER ? exits.stop : exits.start;
          return exit === 0
            ? {
                Status: "Success",
                StatusDetails: "Success",
                ResponseCode: 0,
                StandardOutputContent: "CLAWOPS_DRILL=ok\n",
              }
            : {
                Status: "Failed",
                StatusDetails: "Failed",
                ResponseCode: exit,
                StandardErrorContent:
                  exit === 124
                    ? "the gateway unit is still deactivating 300 s after systemctl stop (TimeoutStopUSec=10min)\nfailed to run commands: exit status 124"
                    : "Unit openclaw-gatewy.service not loaded.\nfailed to run commands: exit status 5",
              };
        },
      },
    },
    {
      service: "EventBridge",
      commands: {
        PutEvents: (input) => {
          for (const e of input.Entries as { DetailType: string; Detail: string }[])
            events.push({ DetailType: e.DetailType, Detail: JSON.parse(e.Detail) });
          return { FailedEntryCount: 0, Entries: [{ EventId: `e-${events.length}` }] };
        },
      },
    },
  ];
}

/** What the alert router writes once it posted the alarm (functions/alerts/state.ts, recordDelivery). */
async function deliverWhenDue(): Promise<void> {
  const { alarmAfter, alertAfter } = script;
  if (alarmAfter === null || alertAfter === null || !after(alarmAfter + alertAfter)) return;
  const key = deliveryItemKey(ALARM);
  await client(DynamoDBClient).send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: key.pk },
        sk: { S: key.sk },
        state: { S: "ALARM" },
        stateChangedAt: { N: String(at(alarmAfter).getTime()) },
        deliveredAt: { N: String(at(alarmAfter + alertAfter).getTime()) },
        eventId: { S: "ev-1" },
        channel: { S: "C0123456789" },
      },
    }),
  );
}

/**
 * Each Observe runs one interval later on the sandbox clock (the Wait state itself is zeroed); `afterStop`
 * runs once the stop task returned (faults meant for the observations, not for the preflight's reads).
 */
function tasks(): Record<string, Handler> {
  const observe = failureDrillTasks.ObserveFunctionArn as Handler;
  const stop = failureDrillTasks.StopFunctionArn as Handler;
  return {
    ...(failureDrillTasks as unknown as Record<string, Handler>),
    StopFunctionArn: async (event, context) => {
      const state = await stop(event, context);
      afterStop();
      return state;
    },
    ObserveFunctionArn: async (event, context) => {
      await clock.advance(OBSERVE_MS);
      await deliverWhenDue();
      return observe(event, context);
    },
  };
}

async function drill(input: Record<string, unknown> = {}) {
  return withFunctionEnvironment(
    { CLAWOPS_STATE_TABLE: table, CLAWOPS_SETTINGS: JSON.stringify(settings), CLAWOPS_STAGE: "test" },
    () => runWorkflow(definition, tasks(), input),
  );
}

const resultOf = (_run: Awaited<ReturnType<typeof drill>>) =>
  events.find((e) => e.DetailType === "FailureDrillCompleted")?.Detail as unknown as FailureDrillResult;
const lockItem = async () =>
  (
    await client(DynamoDBClient).send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: FailureDrillKeys.pk }, sk: { S: FailureDrillKeys.lock } },
        ConsistentRead: true,
      }),
    )
  ).Item;
/** The error the execution failed with (aws-local-stepfunctions wraps it in an ExecutionError). */
const failure = (run: Awaited<ReturnType<typeof drill>>) => (run.error?.cause as Error | undefined)?.name;
const restarted = () => scripts.some((s) => s[0] === GATEWAY_START_MARKER);

beforeAll(async () => {
  dynamo = await startDynamo();
  logger.setLogLevel("SILENT");
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  clock = new SandboxClock();
  // Each test's drill starts a day after the last one's, so the newest record is this test's.
  await clock.advance(++day * 86_400_000);
  stoppedAt = undefined;
  exits = { stop: 0, start: 0 };
  startRefused = false;
  afterStop = () => {};
  invocations.clear();
  scripts = [];
  events = [];
  script = onTime;
  sim = new AwsSimulator(clock);
  for (const model of scriptedAws()) sim.register(model);
  sim.register(dynamoDbProxyModel(dynamo.endpoint));
  undo = [
    setClientInterceptor(sim),
    setFailureDrillClock(() => clock.now()),
    setMetricsSink({ log() {}, info() {}, warn() {}, error() {}, debug() {} }),
  ];
  await createStateTable(client(DynamoDBClient), `${table}`).catch((error: Error) => {
    if (error.name !== "ResourceInUseException") throw error;
  });
  // Each drill starts unlocked and without an earlier run's delivery record (every test's clock starts alike).
  const delivery = deliveryItemKey(ALARM);
  for (const [pk, sk] of [
    [FailureDrillKeys.pk, FailureDrillKeys.lock],
    [delivery.pk, delivery.sk],
  ] as const)
    await client(DynamoDBClient).send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } } }),
    );
});
afterEach(() => {
  for (const fn of undo.reverse()) fn();
});

describe("Workflow: failure-drill.asl.json", () => {
  it("passes when alarm, alert and replacement are all inside their windows", async () => {
    const run = await drill();
    expect(run.error).toBeUndefined();
    expect(run.states.at(-1)).toBe("Done");
    expect(events.map((e) => e.DetailType)).toEqual(["FailureDrillStarted", "FailureDrillCompleted"]);
    expect(resultOf(run)).toMatchObject({
      instanceId: A,
      passed: true,
      seconds: { alarm: 150, alertDelivered: 4, replacement: 420, recovered: 570 },
      verdicts: { alarm: "pass", alert: "pass", replacement: "pass" },
      replacementInstanceId: NEW,
    });
    const record = await lastFailureDrill(table);
    expect(record).toMatchObject({
      alarmSeconds: 150,
      alertDeliveredSeconds: 4,
      replacementSeconds: 420,
      windows,
    });
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER]);
    expect(await lockItem()).toBeUndefined();
  });

  it("fails and restarts the gateway when the alarm never fires", async () => {
    script = { ...onTime, alarmAfter: null, replacementAfter: null };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(run.states).toContain("RestoreGateway");
    expect(restarted()).toBe(true);
    expect(resultOf(run)).toMatchObject({
      passed: false,
      verdicts: { alarm: "missed" },
      abortedBecause: expect.stringContaining("the alarm did not fire"),
    });
    expect(await lastFailureDrill(table)).toMatchObject({ alarmSeconds: null, replacementSeconds: null });
  });

  it("fails the alert window when the alert arrives after two minutes", async () => {
    script = { ...onTime, alertAfter: 200 };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(resultOf(run)).toMatchObject({
      seconds: { alarm: 150, alertDelivered: 200 },
      verdicts: { alarm: "pass", alert: "fail", replacement: "pass" },
      abortedBecause: null,
    });
    expect(restarted()).toBe(false);
    expect(await lastFailureDrill(table)).toMatchObject({ alertDeliveredSeconds: 200 });
    // A failed execution has no output: its cause carries the result for `clawops drill --failure`.
    const cause = run.error?.cause as Error | undefined;
    expect(JSON.parse(cause?.message ?? "null")).toMatchObject({
      passed: false,
      seconds: { alarm: 150, alertDelivered: 200 },
      verdicts: { alarm: "pass", alert: "fail", replacement: "pass" },
    });
  });

  it("fails the replacement window when the new instance is InService too late", async () => {
    script = { ...onTime, replacementAfter: 1200, okAfter: 1350 };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(resultOf(run)).toMatchObject({
      seconds: { replacement: 1200 },
      verdicts: { alarm: "pass", alert: "pass", replacement: "fail" },
    });
    expect(await lastFailureDrill(table)).toMatchObject({ replacementSeconds: 1200 });
  });

  it("refuses with one healthy gateway and touches nothing", async () => {
    script = { ...onTime, instances: [healthyPair[0]!, { id: B, health: "Unhealthy" }] };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillRefused");
    expect((run.error?.cause as Error | undefined)?.message).toContain("only 1 healthy gateway");
    expect(scripts).toEqual([]);
    expect(events).toEqual([]);
    expect(await lockItem()).toBeUndefined();
  });

  it("aborts at twice the replacement window and restarts the gateway that is still there", async () => {
    script = { ...onTime, replacementAfter: null, okAfter: null };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    // The restart is confirmed from its invocation: not there yet, running, then Success.
    expect(run.states.slice(run.states.lastIndexOf("NextStep"))).toEqual([
      "NextStep",
      "RestoreGateway",
      "RestartSent",
      "WaitForRestart",
      "ConfirmRestart",
      "RestartSent",
      "WaitForRestart",
      "ConfirmRestart",
      "RestartSent",
      "WaitForRestart",
      "ConfirmRestart",
      "RestartSent",
      "AfterRestore",
      "Record",
      "AnnounceEnd",
      "Passed",
      "DrillFailed",
    ]);
    expect(restarted()).toBe(true);
    expect(resultOf(run).restart).toEqual({ outcome: "restarted", reason: null });
    expect(resultOf(run)).toMatchObject({
      seconds: { alarm: 150, alertDelivered: 4, replacement: null },
      abortedBecause: expect.stringContaining(
        "no replacement was InService within twice its window (1800 s)",
      ),
    });
    expect(clock.now() - (stoppedAt ?? 0)).toBeLessThanOrEqual(1800 * 1000 + OBSERVE_MS);
    expect(await lockItem()).toBeUndefined();
  });

  it("restores the gateway and releases the lock when a step fails", async () => {
    afterStop = () =>
      sim.inject("CloudWatch.DescribeAlarms", {
        error: { name: "AccessDenied", message: "not allowed", times: 99 },
      });
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillErrored");
    expect(run.states).toContain("RestoreAfterError");
    expect(restarted()).toBe(true);
    expect(await lockItem()).toBeUndefined();
  });

  it("refuses while another drill holds the lock", async () => {
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: FailureDrillKeys.pk },
          sk: { S: FailureDrillKeys.lock },
          owner: { S: "fd-other" },
          until: { N: String(clock.now() + 3_600_000) },
        },
      }),
    );
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillRefused");
    expect((run.error?.cause as Error | undefined)?.message).toContain("another failure drill is running");
  });

  // B's gateway is already down (the monitor has not marked it yet, so Auto Scaling still says Healthy).
  it("refuses while the unhealthy-gateways alarm is already in ALARM and stops nothing", async () => {
    script = { ...onTime, alarmBefore: true };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillRefused");
    expect((run.error?.cause as Error | undefined)?.message).toContain("already in ALARM");
    expect(scripts).toEqual([]);
    expect(events).toEqual([]);
    expect(await lockItem()).toBeUndefined();
  });

  it("ends with the reason, restarts nothing and gives the lock back when systemctl stop fails", async () => {
    exits.stop = 5;
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER]);
    expect(resultOf(run)).toMatchObject({
      passed: false,
      seconds: { alarm: null, alertDelivered: null, replacement: null, recovered: null },
      abortedBecause: expect.stringMatching(
        /^the gateway was not stopped, so nothing was measured: SSM says Failed: .*not loaded/,
      ),
      restart: null,
    });
    // Nothing waited for the alarm: the drill ended on the observation that read the failed stop.
    expect(clock.now() - (stoppedAt ?? 0)).toBe(3 * OBSERVE_MS);
    expect(await lockItem()).toBeUndefined();
  });

  // systemd carries on with the stop job after the script gave up: the gateway would go down unannounced.
  it("starts the gateway again when the stop script gave up on a unit systemd is still stopping", async () => {
    exits.stop = 124;
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER, GATEWAY_START_MARKER]);
    expect(resultOf(run)).toMatchObject({
      passed: false,
      seconds: { alarm: null, alertDelivered: null, replacement: null, recovered: null },
      abortedBecause: expect.stringMatching(
        /^the gateway stop did not finish, so nothing was measured.*still deactivating 300 s/,
      ),
      restart: { outcome: "restarted", reason: null },
    });
    expect(await lockItem()).toBeUndefined();
  });

  it("reports, in the result, the message and the cause, that the gateway could not be restarted after an abort", async () => {
    startRefused = true;
    script = { ...onTime, alarmAfter: null, replacementAfter: null };
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillFailed");
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER, GATEWAY_START_MARKER]);
    const restart = {
      outcome: "failed",
      reason: "SendCommand failed: AccessDeniedException: User is not authorized to perform ssm:SendCommand",
    };
    expect(resultOf(run).restart).toEqual(restart);
    expect(JSON.parse((run.error?.cause as Error | undefined)?.message ?? "null")).toMatchObject({ restart });
    expect(await lockItem()).toBeUndefined();
  });

  it("reports a restart whose systemctl start failed on the instance", async () => {
    exits.start = 5;
    script = { ...onTime, alarmAfter: null, replacementAfter: null };
    const run = await drill();
    expect(resultOf(run).restart).toEqual({
      outcome: "failed",
      reason: expect.stringMatching(/^systemctl start failed, SSM says Failed: .*not loaded/),
    });
  });

  it("tells the channel how the drill ended when a step errors after the gateway was stopped", async () => {
    afterStop = () =>
      sim.inject("CloudWatch.DescribeAlarms", {
        error: { name: "AccessDenied", message: "not allowed", times: 99 },
      });
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillErrored");
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER, GATEWAY_START_MARKER]);
    expect(events.map((e) => e.DetailType)).toEqual(["FailureDrillStarted", "FailureDrillCompleted"]);
    expect(events[1]?.Detail).toMatchObject({
      passed: false,
      abortedBecause: "the drill errored: AccessDenied: not allowed",
      restart: { outcome: "restarted", reason: null },
    });
    expect((run.error?.cause as Error | undefined)?.message).toBe(
      `the drill errored: AccessDenied: not allowed; the gateway on ${A} was restarted`,
    );
  });

  it("gives the lock back and says so in the cause when the restore after an error fails", async () => {
    startRefused = true;
    afterStop = () =>
      sim.inject("CloudWatch.DescribeAlarms", {
        error: { name: "AccessDenied", message: "not allowed", times: 99 },
      });
    const run = await drill();
    expect(failure(run)).toBe("FailureDrillErrored");
    expect(run.states).toContain("RestoreAfterError");
    expect(scripts.map((s) => s[0])).toEqual([GATEWAY_STOP_MARKER, GATEWAY_START_MARKER]);
    expect(await lockItem()).toBeUndefined();
    expect((run.error?.cause as Error | undefined)?.message).toContain(
      `the gateway on ${A} could not be restarted (SendCommand failed: AccessDeniedException`,
    );
  });

  it("describes the plan on a dry run and changes nothing", async () => {
    const run = await drill({ dryRun: true, instanceId: B });
    expect(run.error).toBeUndefined();
    expect(run.states.at(-1)).toBe("DryRun");
    expect(run.output).toMatchObject({ preflight: { decision: "go", instanceId: B } });
    expect((run.output as { plan: string[] }).plan.join("\n")).toContain(`systemctl stop 'openclaw-gateway'`);
    expect(scripts).toEqual([]);
    expect(events).toEqual([]);
    expect(await lockItem()).toBeUndefined();
  });
});
