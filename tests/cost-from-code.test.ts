/**
 * The cost model against what the code does: the metrics the functions publish and how often, the monitor's
 * state item as the monitor writes it, a launch gate's states on the real ASL, readiness's billed calls.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type ClawopsEnvironment, METRICS_NAMESPACE, setMetricsSink } from "@clawops/core";
import { setDrillClock } from "@clawops/core/drills";
import { FailureDrillMetric, OBSERVE_INTERVAL_SECONDS } from "@clawops/core/failure-drill";
import { formatGatewayProbeOutput, GONE_ACTION_METRIC, MonitorMetric } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BACKUP_EFS_RESTORE_GB_USD,
  type CostInputs,
  DDB_PITR_GB_MONTH_USD,
  DDB_STORAGE_GB_MONTH_USD,
  DDB_WRITE_MILLION_USD,
  DRILL_VERIFY_MB,
  estimate,
  FAILURE_DRILL_SECONDS,
  pricedMetrics,
  READINESS_CALLS_A_RUN,
  READINESS_RECORDS,
  SWEEPER_PUBLISHES_EVERY_HOURS,
} from "../bench/cost.js";
import { type CfnTemplate, type Inventory, inventoryOf } from "../bench/cost-inventory.js";
import { dynamoItemBytes, monitorStateBytes, monitorStateOf } from "../bench/cost-monitor-state.js";
import { measureReadinessRecords, readinessPutItems } from "../bench/cost-readiness-records.js";
import { failureDrillRun, launchGateRun, restoreDrillRun } from "../bench/cost-workflows.js";
import { ReadinessMetric } from "../functions/readiness/publish.js";
import "../packages/sandbox/src/polyfills.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const CONTEXT = {
  functionName: "cost",
  awsRequestId: "cost",
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

const fn = (memoryMb: number, scheduledPerMonth = 0, tracing = true) => ({
  memoryMb,
  tracing,
  scheduledPerMonth,
});
/** The default stage's inventory (docs/benchmarks.md), with the measured call counts. */
const inventory: Inventory = {
  kmsKeys: 1,
  kmsKeysByStack: { Core: 1 },
  rotatedKmsKeys: 1,
  alarms: 3,
  secrets: 1,
  drillFileSystems: 2,
  functions: {
    "lifecycle/monitor": fn(256, 43_800, false),
    "lifecycle/reconcile": fn(256, 8_760),
    "readiness/run": fn(512, 730),
    "drills/sweeper": fn(256, 730),
    "drills/plan": fn(256),
    "drills/verify": fn(1024),
    "lifecycle/probe": fn(256),
    "alerts/router": fn(256),
  },
  scheduledStateMachines: { RestoreDrill: 43_800 / 1440 / 7 },
};
const inputs: CostInputs = {
  monitorCalls: { "10": 5, "100": 7, "1000": 43 },
  readinessCalls: { "10": 42, "100": 44, "1000": 84 },
  ssmCallsPerGate: 10,
  verifierMBps: 138.27,
  inventory,
};

/** Every non-test source file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "tests" ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The names the code's metric expressions stand for, as they are written in an `addMetric` call. */
const METRIC_CONSTANTS: Record<string, readonly string[]> = {
  "MonitorMetric.UnhealthyGateways": [MonitorMetric.UnhealthyGateways],
  "ReadinessMetric.FailingTotal": [ReadinessMetric.FailingTotal],
  GONE_ACTION_METRIC: [GONE_ACTION_METRIC],
  // functions/failure-drill/record.ts: each of `failureDrillMetrics(result)`.
  "m.name": Object.values(FailureDrillMetric),
};

/** A weekly failure drill (`failureDrill.schedule` set): stacks/FailureDrill.ts' state machine and its functions. */
const WEEKLY = 43_800 / 1440 / 7;
const withFailureDrill: Inventory = {
  ...inventory,
  functions: { ...inventory.functions, "failure-drill/observe": fn(256) },
  scheduledStateMachines: { ...inventory.scheduledStateMachines, FailureDrillA1B2C3D4: WEEKLY },
};

describe("Function: pricedMetrics", () => {
  it("prices every custom metric a deployed function publishes, for each function that publishes it", () => {
    // Prepare: every function on a schedule, the failure drill's included.
    const priced = new Set(
      pricedMetrics(withFailureDrill).flatMap((m) =>
        m.publishedBy.flatMap((file) => m.metrics.map((n) => `${file}: ${n}`)),
      ),
    );
    const unpriced: string[] = [];
    for (const file of [...sources("functions"), ...sources("packages/core/src")]) {
      const text = readFileSync(join(root, file), "utf8");
      for (const [, arg = ""] of text.matchAll(/\.addMetric\(\s*([^,]+),/g)) {
        const literal = /^["'`]([^"'`]+)["'`]$/.exec(arg.trim())?.[1];
        const names = literal ? [literal] : (METRIC_CONSTANTS[arg.trim()] ?? []);
        if (names.length === 0) unpriced.push(`${file}: ${arg.trim()}`);
        for (const name of names) if (!priced.has(`${file}: ${name}`)) unpriced.push(`${file}: ${name}`);
      }
    }
    expect(unpriced, "metrics published but not priced in bench/cost.ts").toEqual([]);
  });

  it("prices the failure drill's metrics only when a schedule runs it (on demand, they are the operator's)", () => {
    const published = (inv: Inventory) =>
      pricedMetrics(inv).filter((m) => m.publishedBy.includes("functions/failure-drill/record.ts"));
    expect(published(inventory)).toEqual([]);
    expect(published(withFailureDrill)).toEqual([
      expect.objectContaining({ metrics: Object.values(FailureDrillMetric), hoursSent: WEEKLY }),
    ]);
  });

  it("prices the sweeper's DrillDaysSinceLastPass by the hours its runs through a day publish it", async () => {
    // Prepare: the sweeper's hourly runs over one UTC day, nothing to sweep.
    process.env.CLAWOPS_STATE_TABLE = "clawops-test-state";
    process.env.CLAWOPS_STAGE = "test";
    process.env.POWERTOOLS_SERVICE_NAME = "drills-sweeper";
    process.env.CLAWOPS_SETTINGS = JSON.stringify({
      fleetName: "openclaw",
      vaultName: "v",
      restoreRoleArn: "arn:aws:iam::123456789012:role/r",
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      fileSystems: [{ fileSystemId: "fs-0fleetworkspace0", kind: "workspace", path: "/workspace" }],
      manifestParameterName: "/clawops/test/soul-manifest",
      verifier: { functionName: "v", subnetIds: ["subnet-a"], mountTargetSecurityGroupIds: ["sg-0"] },
    });
    const efs = mockClient(EFSClient);
    const dynamo = mockClient(DynamoDBClient);
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    dynamo.on(PutItemCommand).resolves({});
    const emitted: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => {
      emitted.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const day = Date.UTC(2026, 5, 15);
    let now = day;
    const restoreClock = setDrillClock(() => now);
    vi.useFakeTimers({ toFake: ["Date"] });
    let publishingRuns = 0;
    try {
      const { handler } = (await import("../functions/drills/sweeper.js")) as {
        handler: (e: unknown, c: unknown) => Promise<unknown>;
      };
      for (let hour = 0; hour < 24; hour++) {
        now = day + hour * 3_600_000 + 60_000;
        vi.setSystemTime(now);
        dynamo.on(GetItemCommand).resolves({ Item: { at: { N: String(now - 86_400_000) } } });
        emitted.length = 0;
        // Act
        await handler({}, CONTEXT);
        if (emitted.join("\n").includes("DrillDaysSinceLastPass")) publishingRuns += 1;
      }
    } finally {
      process.stdout.write = write;
      vi.useRealTimers();
      restoreClock();
      efs.restore();
      dynamo.restore();
    }
    // Assess: the model prices the hours the code sends the metric in, no fewer.
    expect(publishingRuns).toBe(24 / SWEEPER_PUBLISHES_EVERY_HOURS);
    const sweeper = pricedMetrics(inventory).find(
      (m) => m.metrics.includes("DrillDaysSinceLastPass") && m.publisher.includes("sweeper"),
    );
    expect(sweeper?.hoursSent).toBeCloseTo((730 / 24) * publishingRuns, 1);
    const line = estimate(inputs, 10).lines.find((l) => l.item.startsWith("metrics: drill sweeper"));
    expect(line?.quantity).toBeCloseTo(publishingRuns / 24, 2);
  });
});

describe("Function: monitorStateBytes", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([10, 100, 1000])("sizes the item saveMonitorState writes for %d instances", async (n) => {
    // Prepare
    const dynamo = mockClient(DynamoDBClient);
    dynamo.on(PutItemCommand).resolves({});
    const { saveMonitorState } = await import("../functions/lifecycle/health-history.js");
    const { asgName, state, now } = monitorStateOf(n);
    // Act
    await saveMonitorState({ stateTable: "clawops-test-state" } as ClawopsEnvironment, asgName, state, now);
    const [put] = dynamo.commandCalls(PutItemCommand);
    const written = (put?.args[0].input as PutItemCommandInput | undefined)?.Item ?? {};
    dynamo.restore();
    // Assess: the model's item is the one the code writes, ~75 bytes an instance.
    expect(monitorStateBytes(n)).toBe(dynamoItemBytes(written));
    expect(Object.keys(JSON.parse(written.histories?.S ?? "{}"))).toHaveLength(n);
  });

  it("bills the monitor's PutItem by the item's size: 8 write units a run at 100 instances", () => {
    const bytes = monitorStateBytes(100);
    expect(bytes).toBeGreaterThan(7 * 1024);
    const writes = estimate(inputs, 100).lines.find((l) => l.item === "on-demand writes");
    expect(writes?.quantity).toBeGreaterThanOrEqual(43_800 * Math.ceil(bytes / 1024));
    const tenWrites = estimate(inputs, 10).lines.find((l) => l.item === "on-demand writes");
    expect(writes?.quantity ?? 0).toBeGreaterThan((tenWrites?.quantity ?? 0) + 43_800 * 6);
  });
});

describe("Function: launchGateRun", () => {
  it("counts the states a launch gate enters on the real launch-gate.asl.json", async () => {
    // Prepare: the lifecycle benchmark's gate (the gateway healthy from its third probe on).
    process.env.CLAWOPS_SETTINGS = JSON.stringify({
      fleetName: "bench",
      autoScalingGroupName: "clawops-bench-fleet",
      launchHookName: "h1",
      terminateHookName: "h2",
      gateway: { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 },
      gate: {
        healthyProbesRequired: 2,
        probeIntervalSeconds: 15,
        deadlineSeconds: 900,
        heartbeatTimeoutSeconds: 600,
      },
      drain: { timeoutSeconds: 120, serviceName: "openclaw-gateway" },
      monitor: { unhealthyAfter: 3, periodSeconds: 60 },
    });
    process.env.CLAWOPS_STATE_TABLE = "clawops-test-state";
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    const ssm = mockClient(SSMClient);
    const autoscaling = mockClient(AutoScalingClient);
    let sent = 0;
    ssm.on(SendCommandCommand).callsFake(() => ({ Command: { CommandId: `cmd-${sent++}` } }));
    ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string }) => ({
      Status: "Success",
      StandardOutputContent: formatGatewayProbeOutput(
        Number(input.CommandId.slice(4)) >= 2
          ? { curlExit: 0, status: 200, body: "ok" }
          : { curlExit: 7, status: 0, body: "" },
      ),
    }));
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});
    const { lifecycleTasks } = await import("../functions/lifecycle/tasks.js");
    const definition = JSON.parse(
      readFileSync(join(root, "stacks/workflows/launch-gate.asl.json"), "utf8"),
    ) as StateMachineDefinition;
    const locals: Record<string, (input: unknown) => Promise<unknown>> = {};
    const waits: Record<string, number> = {};
    for (const [name, state] of Object.entries(definition.States) as unknown as [
      string,
      Record<string, unknown>,
    ][]) {
      if (state.Type === "Wait") waits[name] = 0;
      if (state.Type !== "Task") continue;
      const task = String((state.Parameters as { FunctionName: string }).FunctionName).slice(2, -1);
      const handler = (
        lifecycleTasks as unknown as Record<string, (e: unknown, c: Context) => Promise<unknown>>
      )[task];
      locals[name] = async (event) => ({
        Payload: await handler?.((event as { Payload: unknown }).Payload, CONTEXT),
      });
    }
    const action = {
      asgName: "clawops-bench-fleet",
      hookName: "h1",
      instanceId: "i-0bec4000000000001",
      token: "t",
      transition: "launch",
    };
    // Act
    const execution = new StateMachine(definition).run(
      { action },
      { overrides: { taskResourceLocalHandlers: locals as never, waitTimeOverrides: waits } },
    );
    let entered = 0;
    const counting = (async () => {
      for await (const event of execution.eventLogs) if (event.type === "StateEntered") entered += 1;
    })();
    await execution.result;
    await counting;
    const ssmCalls = ssm.calls().length;
    ssm.restore();
    autoscaling.restore();
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    // Assess: the model counts the same states from the gate's SSM calls (a send and a read a probe).
    expect(ssmCalls % 2).toBe(0);
    expect(launchGateRun(ssmCalls / 2).transitions).toBe(entered);
  });

  it("prices a gate of the benchmark's 10 SSM calls at 32 states", () => {
    expect(launchGateRun(5).transitions).toBe(32);
    const line = estimate(inputs, 10).lines.find((l) => l.item.startsWith("launch gates"));
    expect(line?.quantity).toBe(10 * (32 + 8));
  });
});

describe("Function: restoreDrillRun", () => {
  it("walks the real restore-drill.asl.json, polling every 15 s as the drill does", () => {
    const timings = { restoreSeconds: 600, prepareSeconds: 150, mountTargetsDeleteSeconds: 60 };
    const one = restoreDrillRun(1, timings);
    const two = restoreDrillRun(2, timings);
    // 40 polls of 3 states (10 with PrepareWhileRestoring) a file system, its fixed states, and the drill's own.
    expect(two.transitions - one.transitions).toBe(3 + 40 * 3 + 10 + 4 + 1 + 6);
    expect(two.transitions).toBeGreaterThan(280);
    expect(restoreDrillRun(2, { ...timings, restoreSeconds: 1800 }).transitions).toBeGreaterThan(
      two.transitions,
    );
  });
});

describe("Function: estimate", () => {
  it("prices the drills' own EFS restores by the GB each drill restores", () => {
    const drills = 43_800 / 1440 / 7;
    const restores = estimate(inputs, 10).lines.find((l) => l.service === "AWS Backup");
    expect(restores).toMatchObject({ unit: "GB" });
    expect(restores?.usd).toBeCloseTo(((drills * DRILL_VERIFY_MB) / 1024) * BACKUP_EFS_RESTORE_GB_USD, 3);
  });

  it("prices the KMS key's rotations: $1, $2, then $3 a month from year 3", () => {
    const ten = estimate(inputs, 10);
    expect(ten.lines.find((l) => l.service === "KMS")?.usd).toBe(3);
    expect(ten.totalUsd - ten.firstYearUsd).toBeCloseTo(2, 4);
    expect(ten.totalUsd - ten.secondYearUsd).toBeCloseTo(1, 4);
    const requests = ten.lines.find((l) => l.service === "KMS" && l.unit === "requests");
    expect(requests?.quantity).toBeLessThan(20_000);
    expect(requests?.item).toContain("free a month: yes");
  });

  it("reads the key's rotation and the restore testing jobs the drill validates from the templates", () => {
    const templates: Record<string, CfnTemplate> = {
      "bench-clawops-Core": {
        Resources: { Key: { Type: "AWS::KMS::Key", Properties: { EnableKeyRotation: true } } },
      },
      "bench-clawops-Fleet": {
        Resources: {
          Plan: {
            Type: "AWS::Backup::RestoreTestingPlan",
            Properties: { ScheduleExpression: "cron(0 3 ? * SUN *)" },
          },
        },
      },
      "bench-clawops-Drills": {
        Resources: {
          Verify1: {
            Type: "AWS::Lambda::Function",
            Properties: { Handler: "functions/drills/verify.handler" },
          },
          Verify2: {
            Type: "AWS::Lambda::Function",
            Properties: { Handler: "functions/drills/verify.handler" },
          },
          Validate: {
            Type: "AWS::Events::Rule",
            Properties: { EventPattern: { detail: { $or: [{ restoreTestingPlanArn: ["arn:plan"] }] } } },
          },
        },
      },
    };
    const read = inventoryOf(templates);
    expect(read).toMatchObject({ rotatedKmsKeys: 1, drillFileSystems: 2 });
    expect(read.restoreTestJobsPerMonth).toBeCloseTo(2 * 4.35, 1);
    const withPlan = estimate({ ...inputs, inventory: { ...inventory, restoreTestJobsPerMonth: 8.7 } }, 10);
    const without = estimate(inputs, 10);
    const restored = (e: typeof without) => e.lines.find((l) => l.service === "AWS Backup")?.quantity ?? 0;
    expect(restored(withPlan) - restored(without)).toBeCloseTo(8.7, 1);
  });

  it("prices readiness's Secrets Manager and GetMetricData calls as its benchmark makes them", async () => {
    // Prepare: the readiness benchmark's fake account.
    const { apiCalls, installFakeAws } = await import("../functions/readiness/tests/fake-aws.js");
    const { NOW, settings } = await import("../packages/core/tests/readiness/fixtures.js");
    process.env.CLAWOPS_SETTINGS = JSON.stringify(settings());
    process.env.CLAWOPS_STATE_TABLE = "clawops-bench-state";
    process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-bench-dlq";
    const quiet = () => {};
    const restoreSink = setMetricsSink({ log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet });
    const { createRunHandler } = await import("../functions/readiness/run.js");
    installFakeAws({ instances: 10 });
    // Act
    await createRunHandler({ sleep: async () => {}, now: () => NOW })(
      { source: "aws.events", "detail-type": "Scheduled Event", detail: {} },
      CONTEXT,
    );
    restoreSink();
    // Assess
    const counts: Record<string, number> = {};
    for (const call of apiCalls()) counts[call] = (counts[call] ?? 0) + 1;
    for (const [api, perRun] of Object.entries(READINESS_CALLS_A_RUN))
      expect(counts[api] ?? 0, api).toBe(perRun);
    const line = estimate(inputs, 10).lines.find((l) => l.item.startsWith("ListSecrets + GetResourcePolicy"));
    expect(line?.usd).toBeGreaterThan(0);
  });
});

describe("Function: measureReadinessRecords", () => {
  it("sizes the records the real readiness run stores, and the model bills each PutItem by that size", async () => {
    // Act: one scheduled run of the real handler on the readiness benchmark's fake account.
    const items = await readinessPutItems(10);
    const measured = await measureReadinessRecords(10);
    // Assess: the two PutItems a run (store.ts storeRun), the run record holding the whole report.
    expect(items.map((i) => i.sk?.S?.split("#")[0])).toEqual(["run", "latest"]);
    expect(items.map((i) => dynamoItemBytes(i))).toEqual([measured.runBytes, measured.latestBytes]);
    expect(measured.runBytes).toBeGreaterThan(16 * 1024);
    const wru = (records: typeof measured) =>
      Math.ceil(records.runBytes / 1024) + Math.ceil(records.latestBytes / 1024);
    // The typed fallback (hand-built inventories) still bills what the code writes, for as long.
    expect(wru(READINESS_RECORDS)).toBe(wru(measured));
    expect(READINESS_RECORDS.runRetentionDays).toBe(measured.runRetentionDays);
    const writes = (inv: Inventory) =>
      estimate({ ...inputs, inventory: inv }, 10).lines.find((l) => l.item === "on-demand writes")
        ?.quantity ?? 0;
    const oneUnitEach = { ...measured, runBytes: 1024, latestBytes: 1024 };
    expect(
      writes({ ...inventory, readinessRecords: measured }) -
        writes({ ...inventory, readinessRecords: oneUnitEach }),
    ).toBeCloseTo(730 * (wru(measured) - 2), 0);
  });

  it("prices the state table's storage and point-in-time recovery: the run records kept until their TTL", async () => {
    // Prepare
    const records = await measureReadinessRecords(10);
    const runsKept = 730 * (records.runRetentionDays / (43_800 / 1440));
    const gb = (runsKept * records.runBytes) / 1024 ** 3;
    // Act
    const dynamo = (inv: Inventory) =>
      estimate({ ...inputs, inventory: { ...inv, readinessRecords: records } }, 10).lines.filter(
        (l) => l.service === "DynamoDB" && l.unit === "GB-months",
      );
    // Assess: ~2,160 records of ~17.6 KB, each GB-month billed for storage and for continuous backups.
    const [storage, pitr] = dynamo(inventory);
    expect(storage?.quantity).toBeGreaterThanOrEqual(Math.floor(gb * 100) / 100);
    expect(storage?.usd).toBeGreaterThanOrEqual(gb * DDB_STORAGE_GB_MONTH_USD * 0.99);
    expect(pitr?.usd).toBeGreaterThanOrEqual(gb * DDB_PITR_GB_MONTH_USD * 0.99);
    expect(dynamo({ ...inventory, pointInTimeRecovery: false })).toHaveLength(1);
  });
});

describe("CloudWatch GetMetricData (readiness)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("requests the metric of each alarm in clawops' namespace only, as the model and the inventory count them", async () => {
    // Prepare: the fake account's alarms plus one on an AWS namespace (Core's dead-letter alarm watches AWS/SQS).
    const { installFakeAws } = await import("../functions/readiness/tests/fake-aws.js");
    const { NOW, settings } = await import("../packages/core/tests/readiness/fixtures.js");
    process.env.CLAWOPS_SETTINGS = JSON.stringify(settings());
    process.env.CLAWOPS_STATE_TABLE = "clawops-bench-state";
    process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-bench-dlq";
    const quiet = () => {};
    const restoreSink = setMetricsSink({ log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet });
    const { createRunHandler } = await import("../functions/readiness/run.js");
    installFakeAws({ instances: 10 });
    const { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } = await import(
      "@aws-sdk/client-cloudwatch"
    );
    const send = CloudWatchClient.prototype.send;
    const alarms = [
      { AlarmName: "clawops-test-unhealthy-gateways", Namespace: "Clawops", MetricName: "UnhealthyGateways" },
      {
        AlarmName: "clawops-test-no-passing-drill",
        Namespace: "Clawops",
        MetricName: "DrillDaysSinceLastPass",
      },
      {
        AlarmName: "clawops-test-dead-letters",
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
      },
    ];
    const requested: string[] = [];
    vi.spyOn(CloudWatchClient.prototype, "send").mockImplementation(function (
      this: InstanceType<typeof CloudWatchClient>,
      command: unknown,
    ) {
      if (command instanceof DescribeAlarmsCommand)
        return Promise.resolve({
          MetricAlarms: alarms.map((a) => ({ ...a, Dimensions: [], ActionsEnabled: true, StateValue: "OK" })),
        });
      if (command instanceof GetMetricDataCommand)
        for (const q of command.input.MetricDataQueries ?? [])
          requested.push(String(q.MetricStat?.Metric?.Namespace));
      return (send as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);
    // Act
    try {
      await createRunHandler({ sleep: async () => {}, now: () => NOW })(
        { source: "aws.events", "detail-type": "Scheduled Event", detail: {} },
        CONTEXT,
      );
    } finally {
      restoreSink();
    }
    // Assess: readiness asks for the alarms in the namespace the inventory counts (METRICS_NAMESPACE), no other.
    expect(requested).toEqual([METRICS_NAMESPACE, METRICS_NAMESPACE]);
    const template: CfnTemplate = {
      Resources: Object.fromEntries(
        alarms.map((a) => [
          a.AlarmName,
          {
            Type: "AWS::CloudWatch::Alarm",
            Properties: { Namespace: a.Namespace, MetricName: a.MetricName },
          },
        ]),
      ),
    };
    const counted = inventoryOf({ "bench-clawops-Core": template });
    expect(counted).toMatchObject({ alarms: 3, clawopsAlarms: requested.length });
    const line = estimate(
      { ...inputs, inventory: { ...inventory, clawopsAlarms: counted.clawopsAlarms } },
      10,
    ).lines.find((l) => l.item.startsWith("GetMetricData"));
    expect(line?.quantity).toBe(730 * requested.length);
  });
});

describe("Scheduled failure drill", () => {
  it("walks the real failure-drill.asl.json: its fixed states and three a observation", () => {
    expect(failureDrillRun(1)).toEqual({ transitions: 4 + 3 + 4, tasks: 3 + 1 + 2 });
    expect(failureDrillRun(10).transitions - failureDrillRun(1).transitions).toBe(9 * 3);
  });

  it("is priced as its own workflow, not as a restore drill", () => {
    // Prepare: stacks/FailureDrill.ts with `failureDrill.schedule` set, beside the weekly restore drill.
    const drills: CfnTemplate = {
      Resources: {
        RestoreDrill0200534F: { Type: "AWS::StepFunctions::StateMachine" },
        DrillSchedule: {
          Type: "AWS::Events::Rule",
          Properties: {
            ScheduleExpression: "cron(0 3 ? * SUN *)",
            Targets: [{ Arn: { Ref: "RestoreDrill0200534F" } }],
          },
        },
      },
    };
    const failureDrill: CfnTemplate = {
      Resources: {
        FailureDrillA1B2C3D4: { Type: "AWS::StepFunctions::StateMachine" },
        FailureDrillSchedule: {
          Type: "AWS::Events::Rule",
          Properties: {
            ScheduleExpression: "cron(0 10 ? * WED *)",
            Targets: [{ Arn: { Ref: "FailureDrillA1B2C3D4" } }],
          },
        },
      },
    };
    const scheduled = inventoryOf({
      "bench-clawops-Drills": drills,
      "bench-clawops-FailureDrill": failureDrill,
    }).scheduledStateMachines;
    // Act
    const without = estimate(inputs, 10);
    const withIt = estimate(
      { ...inputs, inventory: { ...withFailureDrill, scheduledStateMachines: scheduled } },
      10,
    );
    const line = (e: typeof without, service: string, item: string) =>
      e.lines.find((l) => l.service === service && l.item.startsWith(item));
    // Assess: the restore drill's restores, transitions and verifiers are unchanged.
    for (const [service, item] of [
      ["AWS Backup", "EFS restores"],
      ["Step Functions", "restore drills"],
      ["Lambda", "drill verifier"],
    ] as const)
      expect(line(withIt, service, item)?.quantity, item).toBe(line(without, service, item)?.quantity);
    // Its own workflow, tasks, metrics and trace, each drill observed every OBSERVE_INTERVAL_SECONDS.
    const run = failureDrillRun(Math.ceil(FAILURE_DRILL_SECONDS / OBSERVE_INTERVAL_SECONDS));
    expect(line(withIt, "Step Functions", "scheduled failure drills")?.quantity).toBeCloseTo(
      WEEKLY * run.transitions,
      1,
    );
    expect(line(withIt, "Lambda", "failure drill tasks")).toBeDefined();
    expect(line(withIt, "CloudWatch", "metrics: scheduled failure drill")?.quantity).toBeGreaterThan(0);
    expect(line(without, "Step Functions", "scheduled failure drills")).toBeUndefined();
    const traces = (e: typeof without) => line(e, "X-Ray", "traces")?.quantity ?? 0;
    // One execution, and the replacement it causes (a launch gate and a drain), two alerts routed.
    expect(traces(withIt) - traces(without)).toBeCloseTo(WEEKLY * (1 + 2 + 2), 1);
  });

  it("refuses a scheduled state machine it does not know how to price", () => {
    const unknown = { ...inventory, scheduledStateMachines: { NightlyCleanup1234: 30 } };
    expect(() => estimate({ ...inputs, inventory: unknown }, 10)).toThrow(/NightlyCleanup1234/);
  });
});

describe("X-Ray", () => {
  it("records a trace per traced function invoked outside a workflow and per workflow execution, none per task", () => {
    const e = estimate(inputs, 10);
    // Reconciler, readiness and sweeper runs and routed alerts (the monitor is untraced)...
    const entryPoints = 8_760 + 730 + 730 + (20 + 2 * 10);
    // ...and the gates, drains and restore drills, whose Task Lambdas join the execution's trace.
    const executions = 2 * 10 + 43_800 / 1440 / 7;
    expect(e.lines.find((l) => l.service === "X-Ray")?.quantity).toBeCloseTo(entryPoints + executions, 1);
    const tasks = e.lines.filter((l) => /gate \+ drain tasks|drill tasks|drill verifier/.test(l.item));
    expect(tasks).toHaveLength(3);
  });
});

describe("Function: costMargin", () => {
  it("says the target fleet's headroom and the fleet size at which the monitor's item crosses its next KB", async () => {
    const { costMargin, TARGET_USD } = await import("../bench/cost.js");
    const margin = costMargin(inputs);
    const ten = estimate(inputs, 10);
    expect(margin.firstYearHeadroomUsd).toBeCloseTo(TARGET_USD - ten.firstYearUsd, 4);
    expect(margin.steadyHeadroomUsd).toBeCloseTo(TARGET_USD - ten.totalUsd, 4);
    const n = margin.monitorCrossesAtInstances;
    expect(monitorStateBytes(n)).toBeGreaterThan(1024 * margin.monitorNextKb);
    expect(monitorStateBytes(n - 1)).toBeLessThanOrEqual(1024 * margin.monitorNextKb);
    expect(margin.monitorBytesLeft).toBe(1024 * margin.monitorNextKb - monitorStateBytes(10));
    // Crossing costs one more write unit each monitor run.
    expect(margin.crossingWritesUsd).toBeCloseTo((43_800 * DDB_WRITE_MILLION_USD) / 1e6, 4);
  });
});
