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
import { type ClawopsEnvironment, setMetricsSink } from "@clawops/core";
import { setDrillClock } from "@clawops/core/drills";
import { formatGatewayProbeOutput, GONE_ACTION_METRIC, MonitorMetric } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BACKUP_EFS_RESTORE_GB_USD,
  type CostInputs,
  DRILL_VERIFY_MB,
  estimate,
  ON_DEMAND_PUBLISHERS,
  pricedMetrics,
  READINESS_CALLS_A_RUN,
  SWEEPER_PUBLISHES_EVERY_HOURS,
} from "../bench/cost.js";
import { type CfnTemplate, type Inventory, inventoryOf } from "../bench/cost-inventory.js";
import { dynamoItemBytes, monitorStateBytes, monitorStateOf } from "../bench/cost-monitor-state.js";
import { launchGateRun, restoreDrillRun } from "../bench/cost-workflows.js";
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

/** The names the code's metric constants stand for, as they are written in an `addMetric` call. */
const METRIC_CONSTANTS: Record<string, string> = {
  "MonitorMetric.UnhealthyGateways": MonitorMetric.UnhealthyGateways,
  "ReadinessMetric.FailingTotal": ReadinessMetric.FailingTotal,
  GONE_ACTION_METRIC,
};

describe("Function: pricedMetrics", () => {
  it("prices every custom metric a deployed function publishes, for each function that publishes it", () => {
    const priced = new Set(
      pricedMetrics(inventory).flatMap((m) =>
        m.publishedBy.flatMap((file) => m.metrics.map((n) => `${file}: ${n}`)),
      ),
    );
    const unpriced: string[] = [];
    for (const file of [...sources("functions"), ...sources("packages/core/src")]) {
      if ((ON_DEMAND_PUBLISHERS as readonly string[]).includes(file)) continue;
      const text = readFileSync(join(root, file), "utf8");
      for (const [, arg = ""] of text.matchAll(/\.addMetric\(\s*([^,]+),/g)) {
        const literal = /^["'`]([^"'`]+)["'`]$/.exec(arg.trim())?.[1];
        const name = literal ?? METRIC_CONSTANTS[arg.trim()];
        if (!name || !priced.has(`${file}: ${name}`)) unpriced.push(`${file}: ${arg.trim()}`);
      }
    }
    expect(unpriced, "metrics published but not priced in bench/cost.ts").toEqual([]);
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
