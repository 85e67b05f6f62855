/**
 * Lifecycle benchmarks: how fast the launch gate admits a gateway once it is healthy (and how many SSM calls a
 * gate costs), and how the health monitor's AWS calls and wall time grow with the fleet.
 *
 * The gate runs the real `launch-gate.asl.json` with aws-local-stepfunctions and the real task handlers; the
 * clock is logical: each Wait state advances it by the seconds the state machine would wait. AWS is answered by
 * aws-sdk-client-mock (the sandbox engine's simulator can replace it once it is committed).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { formatGatewayProbeOutput, type LifecycleSettings } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import "../packages/sandbox/src/polyfills.js";

/** What `npm run bench` reports for the lifecycle flow. */
export interface LifecycleBenchResult {
  /** Logical seconds from the gateway turning healthy to CompleteLifecycleAction. */
  readonly gateLatencySeconds: number;
  /** Logical seconds from the last required healthy probe to CompleteLifecycleAction (target ≤ one interval). */
  readonly gateLatencyAfterLastProbeSeconds: number;
  readonly probeIntervalSeconds: number;
  /** SendCommand + GetCommandInvocation calls of that gate. */
  readonly ssmCallsPerGate: number;
  /** AWS calls of one monitor run, by fleet size (grows with ceil(N/50)). */
  readonly monitorCalls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  /** Wall seconds of one monitor run at 1,000 instances with 100 ms per AWS call (it collects the previous run's probe: no wait). */
  readonly monitorWallSeconds1000: number;
}

const SETTINGS: LifecycleSettings = {
  fleetName: "bench",
  autoScalingGroupName: "clawops-bench-fleet",
  launchHookName: "bench-launch-gate",
  terminateHookName: "bench-terminate-drain",
  gateway: { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 },
  gate: {
    healthyProbesRequired: 2,
    probeIntervalSeconds: 15,
    deadlineSeconds: 900,
    heartbeatTimeoutSeconds: 600,
  },
  drain: { timeoutSeconds: 120, serviceName: "openclaw-gateway" },
  monitor: { unhealthyAfter: 3, periodSeconds: 60 },
};
const CONTEXT = {
  functionName: "bench",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;
const output = (healthy: boolean) =>
  formatGatewayProbeOutput(
    healthy ? { curlExit: 0, status: 200, body: "ok" } : { curlExit: 7, status: 0, body: "" },
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Runs the launch gate with a gateway that turns healthy at `healthyAt` logical seconds. */
async function benchGate(tasks: Record<string, Handler>) {
  const ssm = mockClient(SSMClient);
  const autoscaling = mockClient(AutoScalingClient);
  const healthyAt = 37;
  let now = 0;
  let completedAt = Number.NaN;
  let lastHealthyProbeAt = Number.NaN;
  const sentAt = new Map<string, number>();
  ssm.on(SendCommandCommand).callsFake(() => {
    const id = `cmd-${sentAt.size}`;
    sentAt.set(id, now);
    return { Command: { CommandId: id } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string }) => {
    const healthy = (sentAt.get(input.CommandId) ?? 0) >= healthyAt;
    if (healthy) lastHealthyProbeAt = sentAt.get(input.CommandId) ?? Number.NaN;
    return { Status: "Success", StandardOutputContent: output(healthy) };
  });
  autoscaling.on(CompleteLifecycleActionCommand).callsFake(() => {
    completedAt = now;
    return {};
  });
  const definition = JSON.parse(
    readFileSync(fileURLToPath(new URL("../stacks/workflows/launch-gate.asl.json", import.meta.url)), "utf8"),
  ) as StateMachineDefinition;
  const locals: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States) as unknown as [
    string,
    Record<string, unknown>,
  ][]) {
    if (state.Type === "Wait") waits[name] = 0;
    if (state.Type !== "Task") continue;
    const fn = String((state.Parameters as { FunctionName: string }).FunctionName).slice(2, -1);
    locals[name] = async (event) => {
      const payload = (event as { Payload: { gate?: { next: string; waitSeconds: number } } }).Payload;
      // The logical clock: the Wait the state machine just left (2 s for a read, the interval otherwise).
      if (name === "Probe" && payload.gate)
        now += payload.gate.next === "read" ? 2 : payload.gate.waitSeconds;
      return { Payload: await (tasks[fn] as Handler)(payload, CONTEXT) };
    };
  }
  const action = {
    asgName: SETTINGS.autoScalingGroupName,
    hookName: SETTINGS.launchHookName,
    instanceId: "i-0bec4000000000001",
    token: "t",
    transition: "launch",
  };
  await new StateMachine(definition).run(
    { action },
    { overrides: { taskResourceLocalHandlers: locals as never, waitTimeOverrides: waits } },
  ).result;
  const ssmCallsPerGate = ssm.calls().length;
  ssm.restore();
  autoscaling.restore();
  return {
    gateLatencySeconds: completedAt - healthyAt,
    gateLatencyAfterLastProbeSeconds: completedAt - lastHealthyProbeAt,
    ssmCallsPerGate,
  };
}

/** One monitor run over `n` healthy instances; AWS calls answered after `latencyMs`. */
async function benchMonitor(monitor: Handler, n: number, latencyMs: number) {
  const ssm = mockClient(SSMClient);
  const autoscaling = mockClient(AutoScalingClient);
  const dynamo = mockClient(DynamoDBClient);
  const ids = Array.from({ length: n }, (_, i) => `i-${(0x100000 + i).toString(16)}`);
  const batches = new Map<string, string[]>();
  const slow =
    <T>(answer: () => T) =>
    async () => {
      await sleep(latencyMs);
      return answer();
    };
  autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake(
    slow(() => ({
      AutoScalingGroups: [
        {
          HealthCheckGracePeriod: 300,
          Instances: ids.map((InstanceId) => ({ InstanceId, LifecycleState: "InService" })),
        },
      ],
    })),
  );
  autoscaling.on(SetInstanceHealthCommand).callsFake(slow(() => ({})));
  ssm.on(SendCommandCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    await sleep(latencyMs);
    const id = `cmd-${batches.size}`;
    batches.set(id, input.InstanceIds);
    return { Command: { CommandId: id } };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake(async (input: { CommandId: string }) => {
    await sleep(latencyMs);
    const invocations = (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
      InstanceId,
      Status: "Success",
      CommandPlugins: [{ Output: output(true) }],
    }));
    return { CommandInvocations: invocations };
  });
  // A steady-state run: it collects the probe the previous run sent (one command per batch of 50).
  const previous: string[] = [];
  for (let at = 0; at < n; at += 50) {
    previous.push(`prev-${at}`);
    batches.set(`prev-${at}`, ids.slice(at, at + 50));
  }
  const pending = JSON.stringify({ commandIds: previous, sentAt: Date.now() - 60_000 });
  dynamo.on(GetItemCommand).callsFake(slow(() => ({ Item: { pending: { S: pending } } })));
  dynamo.on(PutItemCommand).callsFake(slow(() => ({})));
  const started = performance.now();
  await monitor({}, CONTEXT);
  const wallSeconds = (performance.now() - started) / 1000;
  const calls = ssm.calls().length + autoscaling.calls().length + dynamo.calls().length;
  for (const mock of [ssm, autoscaling, dynamo]) mock.restore();
  return { calls, wallSeconds };
}

/** Runs the lifecycle benchmarks (a few seconds, no network). */
export async function runLifecycleBench(): Promise<LifecycleBenchResult> {
  process.env.CLAWOPS_SETTINGS = JSON.stringify(SETTINGS);
  process.env.CLAWOPS_STATE_TABLE = "clawops-bench-state";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.AWS_REGION ??= "us-east-1";
  // EMF goes to Powertools' own stdout Console: a 1,000-instance run would print 1,000 metric lines.
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  try {
    const { lifecycleTasks } = await import("../functions/lifecycle/tasks.js");
    const { createMonitorHandler } = await import("../functions/lifecycle/monitor.js");
    const monitor = createMonitorHandler() as Handler;
    const gate = await benchGate(lifecycleTasks as unknown as Record<string, Handler>);
    const counts = {
      "10": (await benchMonitor(monitor, 10, 0)).calls,
      "100": (await benchMonitor(monitor, 100, 0)).calls,
      "1000": (await benchMonitor(monitor, 1000, 0)).calls,
    };
    const slow = await benchMonitor(monitor, 1000, 100);
    return {
      ...gate,
      probeIntervalSeconds: SETTINGS.gate.probeIntervalSeconds,
      monitorCalls: counts,
      monitorWallSeconds1000: Math.round(slow.wallSeconds * 100) / 100,
    };
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runLifecycleBench(), null, 2));
}
