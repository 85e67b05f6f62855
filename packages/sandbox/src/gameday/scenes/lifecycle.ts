import { fileURLToPath } from "node:url";
import { metrics, withFunctionEnvironment } from "@clawops/core";
import { ClawopsDetailType, EventSource } from "@clawops/core/events";
import { type LifecycleSettings, lifecycleSettings, MONITOR_SERVICE_NAME } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";
import type { Sandbox } from "../../sandbox.js";
import type { ExecutionRecord } from "../../stepfunctions.js";
import type { Scene, SceneResult, Timeline } from "../scene.js";
import { sandboxFunctionEnvironment } from "./function-environment.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const repo = (path: string) => fileURLToPath(new URL(`../../../../../${path}`, import.meta.url));
const lambdaContext = (name: string) =>
  ({
    functionName: name,
    awsRequestId: "sandbox",
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/**
 * Runs the monitor with its service dimension. In AWS the monitor is its own process with
 * `POWERTOOLS_SERVICE_NAME=lifecycle-monitor` (stacks/Lifecycle.ts), so its EMF carries `service=lifecycle-monitor`,
 * the dimension the unhealthy-gateways alarm (and the readiness check of that alarm's data) reads. The sandbox
 * runs every function in one process whose Powertools `metrics` singleton was built without it
 * (`service_undefined`): the singleton has the monitor's service while a monitor run lasts, and its own again
 * afterwards, so no other function's metrics are filed under the monitor.
 */
async function asMonitorService<T>(run: () => Promise<T>): Promise<T> {
  const previous = serviceDimension();
  metrics.setDefaultDimensions({ service: MONITOR_SERVICE_NAME });
  try {
    return await run();
  } finally {
    if (previous !== undefined) metrics.setDefaultDimensions({ service: previous });
  }
}

/**
 * The `metrics` singleton's `service` default dimension. Powertools (2.35) keeps default dimensions private and
 * has no getter; its EMF blob, which `serializeMetrics` builds without publishing or clearing anything, carries
 * every default dimension as a top-level key.
 */
function serviceDimension(): string | undefined {
  const { service } = metrics.serializeMetrics();
  return typeof service === "string" ? service : undefined;
}

/** The lifecycle flow as installed in a sandbox. */
export interface LifecycleInstall {
  readonly settings: LifecycleSettings;
  readonly launchGateArn: string;
  readonly terminateDrainArn: string;
  /** Runs the reconciler now (it also runs on its schedule). */
  reconcile(): Promise<unknown>;
  /** The latest gate (or drain) execution of an instance. */
  executionOf(instanceId: string, flow: "launch-gate" | "terminate-drain"): ExecutionRecord | undefined;
  uninstall(): void;
}

/**
 * Installs the lifecycle flow in a sandbox exactly as the Lifecycle stack deploys it: the two ASL files with
 * their Tasks mapped to the production handlers (`functions/lifecycle/tasks.ts`), the EventBridge routes
 * (`functions/lifecycle/routes.ts`) on the local bus, and the monitor and reconciler on their schedules.
 * The functions' environment (CLAWOPS_SETTINGS, the state table) is set as the stack sets it.
 */
export async function installLifecycle(sandbox: Sandbox): Promise<LifecycleInstall> {
  const { lifecycleTasks } = await import("../../../../../functions/lifecycle/tasks.js");
  const { lifecycleRoutes } = await import("../../../../../functions/lifecycle/routes.js");
  const { handler: reconciler } = await import("../../../../../functions/lifecycle/reconcile.js");
  const { createMonitorHandler } = await import("../../../../../functions/lifecycle/monitor.js");
  const { world } = sandbox.aws.models;
  const tasks = lifecycleTasks as unknown as Record<string, Handler>;
  // Every lifecycle function's own environment, as the stack sets it (filled in once the ARNs are known).
  const environment = sandboxFunctionEnvironment(sandbox);
  const asFunction = <T>(fn: () => T): T => withFunctionEnvironment(environment, fn);
  const substitutions = Object.fromEntries(
    Object.keys(tasks).map((name) => [name, world.arn("lambda", `function:${name}`)]),
  );
  const lambdas = Object.fromEntries(
    Object.entries(tasks).map(([name, fn]) => [
      name,
      (payload: unknown) => asFunction(() => fn(payload, lambdaContext(name))),
    ]),
  );
  const define = (name: string) =>
    sandbox.stepFunctions.define({
      name,
      definition: repo(`stacks/workflows/${name}.asl.json`),
      substitutions,
      lambdas,
    });
  const launchGateArn = define("launch-gate");
  const terminateDrainArn = define("terminate-drain");
  const settings = lifecycleSettings(sandbox.config, sandbox.description);
  environment.CLAWOPS_SETTINGS = JSON.stringify({ ...settings, launchGateArn, terminateDrainArn });

  const routes = lifecycleRoutes(sandbox.description.autoScalingGroupName);
  for (const route of routes) {
    sandbox.events.putRule({
      name: `clawops-lifecycle-${route.id}`,
      pattern: route.pattern,
      target: (event) => asFunction(() => route.target(event, lambdaContext("start-flow"))),
    });
  }
  const monitor = createMonitorHandler({ now: () => sandbox.clock.now() }) as Handler;
  const reconcile = () => asFunction(() => (reconciler as Handler)({}, lambdaContext("reconcile")));
  sandbox.schedules.add("clawops-lifecycle-monitor", sandbox.config.settings.monitor.schedule, () =>
    asFunction(() => asMonitorService(() => monitor({}, lambdaContext("monitor")))),
  );
  sandbox.schedules.add(
    "clawops-lifecycle-reconcile",
    sandbox.config.settings.lifecycle.reconcileSchedule,
    reconcile,
  );

  return {
    settings,
    launchGateArn,
    terminateDrainArn,
    reconcile,
    executionOf: (instanceId, flow) =>
      sandbox.stepFunctions
        .list(flow === "launch-gate" ? launchGateArn : terminateDrainArn)
        .find((e) => e.name.startsWith(`${instanceId}-`)),
    uninstall() {
      for (const route of routes) sandbox.events.bus.removeRule(`clawops-lifecycle-${route.id}`);
      sandbox.schedules.remove("clawops-lifecycle-monitor");
      sandbox.schedules.remove("clawops-lifecycle-reconcile");
    },
  };
}

/** The instance a scale-out by one added (waits for it on the sandbox clock). */
async function scaleOutByOne(sandbox: Sandbox, timeline: Timeline): Promise<string | undefined> {
  const before = new Set(sandbox.fleet.instances().map((i) => i.instanceId));
  sandbox.fleet.scaleOut(1);
  const added = () => sandbox.fleet.instances().find((i) => !before.has(i.instanceId))?.instanceId;
  await sandbox.clock.runUntil(() => added() !== undefined, { limitMs: 60_000 });
  const id = added();
  timeline.log(`scale out by one: ${id} launching, waiting in Pending:Wait for the launch gate`);
  return id;
}

/** Waits until the instance's gateway process runs, then makes it answer as `mode` says. */
async function gatewayAnswers(sandbox: Sandbox, id: string, mode: "unhealthy" | "healthy"): Promise<void> {
  await sandbox.clock.runUntil(() => sandbox.fleet.gatewayPort(id) !== undefined, { limitMs: 5 * 60_000 });
  await sandbox.fleet.gateways?.setMode(id, mode);
}

/** Runs the clock until the instance's flow ended; returns its execution. */
async function flowEnded(sandbox: Sandbox, install: LifecycleInstall, id: string, limitMs: number) {
  const done = () => {
    const execution = install.executionOf(id, "launch-gate");
    return execution !== undefined && execution.status !== "RUNNING";
  };
  await sandbox.clock.runUntil(done, { step: 1_000, limitMs });
  return install.executionOf(id, "launch-gate");
}

/** The lifecycle action result a gate's execution completed with (its output's `completion.result`). */
export const outcomeOf = (execution: ExecutionRecord | undefined) =>
  (JSON.parse(execution?.output ?? "{}") as { completion?: { result?: string } }).completion?.result;
/** Successful heartbeats so far (the scene's parts run one after the other, so a difference is one gate's). */
const heartbeats = (sandbox: Sandbox) =>
  sandbox.aws.calls("AutoScaling", "RecordLifecycleActionHeartbeat").filter((c) => c.outcome === "ok").length;

/** Part 1: a new gateway boots slowly; the gate waits (heartbeats) and then admits it. */
export async function slowBootIsAdmitted(sandbox: Sandbox, install: LifecycleInstall, timeline: Timeline) {
  const { gate } = install.settings;
  const id = await scaleOutByOne(sandbox, timeline);
  if (!id) return { passed: false, reason: "scale out launched no instance" };
  const heartbeatsBefore = heartbeats(sandbox);
  await gatewayAnswers(sandbox, id, "unhealthy");
  const slowForMs = (gate.heartbeatTimeoutSeconds + 2 * gate.probeIntervalSeconds) * 1000;
  timeline.log(`${id}: gateway up but answering 503 for ${slowForMs / 1000}s (a slow boot)`);
  await sandbox.clock.runUntil(() => false, { limitMs: slowForMs });
  await sandbox.fleet.gateways?.setMode(id, "healthy");
  timeline.log(`${id}: gateway healthy`);
  const execution = await flowEnded(sandbox, install, id, gate.deadlineSeconds * 1000);
  const inService = () =>
    sandbox.fleet.instances().find((i) => i.instanceId === id)?.lifecycleState === "InService";
  await sandbox.clock.runUntil(inService, { limitMs: 60_000 });
  const recorded = heartbeats(sandbox) - heartbeatsBefore;
  const state = sandbox.fleet.instances().find((i) => i.instanceId === id)?.lifecycleState;
  timeline.log(
    `${id}: gate ${execution?.status} with ${outcomeOf(execution)} after ${recorded} heartbeat(s); ${state}`,
  );
  const passed = outcomeOf(execution) === "CONTINUE" && recorded > 0 && state === "InService";
  return {
    passed,
    heartbeats: recorded,
    reason: passed ? undefined : `slow boot: gate ${outcomeOf(execution)}, ${recorded} heartbeats, ${state}`,
  };
}

/** Part 2: a gateway that never comes up is ABANDONed at the deadline and LifecycleAbandoned is published. */
export async function deadGatewayIsAbandoned(
  sandbox: Sandbox,
  install: LifecycleInstall,
  timeline: Timeline,
) {
  const id = await scaleOutByOne(sandbox, timeline);
  if (!id) return { passed: false, reason: "scale out launched no instance" };
  await gatewayAnswers(sandbox, id, "unhealthy");
  timeline.log(`${id}: gateway never becomes healthy`);
  const execution = await flowEnded(
    sandbox,
    install,
    id,
    (install.settings.gate.deadlineSeconds + 120) * 1000,
  );
  const abandoned = sandbox.events
    .published({ source: [EventSource.Clawops], "detail-type": [ClawopsDetailType.LifecycleAbandoned] })
    .filter((e) => e.detail.instanceId === id);
  timeline.log(
    `${id}: gate ${outcomeOf(execution) ?? execution?.status}; LifecycleAbandoned published: ${abandoned.length}`,
  );
  const passed = outcomeOf(execution) === "ABANDON" && abandoned.length === 1;
  return {
    passed,
    reason: passed ? undefined : `dead gateway: gate ${outcomeOf(execution)}, ${abandoned.length} events`,
  };
}

/** Part 3: a running gateway is killed; the monitor marks it Unhealthy, the group replaces it, the gate admits the replacement. */
export async function killedGatewayIsReplaced(
  sandbox: Sandbox,
  install: LifecycleInstall,
  timeline: Timeline,
) {
  const victim = sandbox.fleet
    .instances()
    .find((i) => i.lifecycleState === "InService" && i.gatewayPort)?.instanceId;
  if (!victim) return { passed: false, reason: "no InService instance with a gateway to kill" };
  const before = new Set(sandbox.fleet.instances().map((i) => i.instanceId));
  await sandbox.fleet.kill(victim);
  timeline.log(`${victim}: gateway process killed (SIGKILL); EC2 still says running`);
  const replacement = () =>
    sandbox.fleet.instances().find((i) => !before.has(i.instanceId) && i.lifecycleState === "InService")
      ?.instanceId;
  await sandbox.clock.runUntil(() => replacement() !== undefined, { step: 1_000, limitMs: 30 * 60_000 });
  const marked = sandbox.aws
    .calls("AutoScaling", "SetInstanceHealth")
    .filter((c) => c.input.InstanceId === victim && c.outcome === "ok");
  const id = replacement();
  const execution = id ? install.executionOf(id, "launch-gate") : undefined;
  timeline.log(
    `${victim}: marked Unhealthy by the monitor (${marked.length}); replacement ${id} admitted by the gate (${outcomeOf(execution)})`,
  );
  const passed = marked.length === 1 && outcomeOf(execution) === "CONTINUE";
  return {
    passed,
    reason: passed ? undefined : `kill: marked ${marked.length}, replacement ${id} ${outcomeOf(execution)}`,
  };
}

/**
 * The lifecycle scene: scale out by one with a slow boot (the gate heartbeats, then CONTINUE); a gateway that
 * never comes up (ABANDON and LifecycleAbandoned); a running gateway killed (the monitor marks it Unhealthy,
 * the group replaces it, the replacement passes the gate).
 */
export const lifecycleScene: Scene = {
  name: "launch gate, drain and gateway health monitor",
  async run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult> {
    const install = await installLifecycle(sandbox);
    const started = sandbox.clock.now();
    try {
      await install.reconcile();
      const slowBoot = await slowBootIsAdmitted(sandbox, install, timeline);
      const parts = [
        slowBoot,
        await deadGatewayIsAbandoned(sandbox, install, timeline),
        await killedGatewayIsReplaced(sandbox, install, timeline),
      ];
      const failed = parts.filter((p) => !p.passed);
      return {
        passed: failed.length === 0,
        figures: {
          gates: sandbox.stepFunctions.list(install.launchGateArn).length,
          heartbeats: slowBoot.heartbeats ?? 0,
          "SSM calls": sandbox.aws.calls("SSM").length,
          "sandbox minutes": Math.round((sandbox.clock.now() - started) / 60_000),
        },
        ...(failed.length ? { reason: failed.map((p) => p.reason).join("; ") } : {}),
      };
    } finally {
      install.uninstall();
    }
  },
};
