import { AutoScalingClient, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { makeClient } from "@clawops/core/aws";
import type { ClawopsConfigInput } from "@clawops/core/config";
import { SILENT_RUNS_BEFORE_FAILING } from "@clawops/core/lifecycle";
import { afterEach, describe, expect, it } from "vitest";
import { awsError } from "../../src/aws/simulator.js";
import { installLifecycle, type LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";

/** Short hooks and deadlines, so a test plays minutes, not hours. */
const config = shortHooksConfig;

/** The same fleet with the lifecycle hooks' production timeouts. */
const withoutShortHooks: ClawopsConfigInput = {
  ...config,
  stages: {
    sandbox: {
      ...config.stages?.sandbox,
      fleet: { mode: "reference", minSize: 1, desiredCapacity: 1, healthCheckGracePeriodSeconds: 60 },
    },
  },
};

let box: Sandbox | undefined;
let flow: LifecycleInstall | undefined;
const undo: (() => void)[] = [];

afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) fn();
  flow?.uninstall();
  await box?.close();
  box = undefined;
  flow = undefined;
});

/** One instance admitted by the real launch gate (its launch event fired before the rules existed: reconciled). */
async function bootedFleet(options: SandboxOptions = {}): Promise<{ box: Sandbox; flow: LifecycleInstall }> {
  const sandbox = await createSandbox({ config, fleetSize: 1, ...options });
  box = sandbox;
  undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
  const install = await installLifecycle(sandbox);
  flow = install;
  await sandbox.clock.runUntil(
    () => sandbox.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"),
    {
      limitMs: 60_000,
    },
  );
  await install.reconcile();
  const up = await sandbox.clock.runUntil(
    () => sandbox.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
    { limitMs: 10 * 60_000 },
  );
  if (!up) throw new Error(`the first instance did not boot: ${JSON.stringify(sandbox.fleet.instances())}`);
  return { box: sandbox, flow: install };
}

/** Scales out by one; returns the new instance's id once it exists. */
async function scaleOut(sandbox: Sandbox): Promise<string> {
  const before = new Set(sandbox.fleet.instances().map((i) => i.instanceId));
  sandbox.fleet.scaleOut(1);
  const added = () => sandbox.fleet.instances().find((i) => !before.has(i.instanceId))?.instanceId;
  await sandbox.clock.runUntil(() => added() !== undefined, { limitMs: 60_000 });
  const id = added();
  if (!id) throw new Error("scale out launched no instance");
  return id;
}

const stateOf = (sandbox: Sandbox, id: string) =>
  sandbox.fleet.instances().find((i) => i.instanceId === id)?.lifecycleState;
const inService = (sandbox: Sandbox, id: string) => () => stateOf(sandbox, id) === "InService";
/** Successful CompleteLifecycleAction calls of one hook for an instance (by its id, or its actions' tokens). */
const completions = (sandbox: Sandbox, id: string, hook = flow?.settings.launchHookName) => {
  const tokens = new Set(
    sandbox.events.published({ detail: { EC2InstanceId: [id] } }).map((e) => e.detail.LifecycleActionToken),
  );
  return sandbox.aws
    .calls("AutoScaling", "CompleteLifecycleAction")
    .filter((c) => c.outcome === "ok" && c.input.LifecycleHookName === hook)
    .filter((c) => c.input.InstanceId === id || tokens.has(c.input.LifecycleActionToken));
};
const gates = (sandbox: Sandbox, install: LifecycleInstall, id: string) =>
  sandbox.stepFunctions.list(install.launchGateArn).filter((e) => e.name.startsWith(`${id}-`));
const outcome = (execution: { output?: string } | undefined) =>
  (JSON.parse(execution?.output ?? "{}") as { completion?: { result?: string } }).completion?.result;
/** Instances the monitor marked Unhealthy. */
const marked = (sandbox: Sandbox) =>
  sandbox.aws.calls("AutoScaling", "SetInstanceHealth").filter((c) => c.outcome === "ok");

describe("Fault matrix: lifecycle (EventBridge, SSM, the reconciler)", () => {
  it("starts one gate and completes the launch once when EventBridge delivers the launch event three times", async () => {
    const { box, flow } = await bootedFleet({
      bus: { duplicate: (event) => (event.source === "aws.autoscaling" ? 2 : false) },
    });

    const id = await scaleOut(box);
    expect(await runUntilSettled(box, inService(box, id))).toBe(true);

    const launch = box.events.published({ detail: { EC2InstanceId: [id] } })[0];
    const deliveries = box.events.bus.deliveries().filter((d) => d.eventId === launch?.id);
    expect(deliveries.map((d) => [d.duplicate, d.outcome])).toEqual([
      [false, "ok"],
      [true, "ok"],
      [true, "ok"],
    ]);
    expect(gates(box, flow, id).map((e) => [e.status, outcome(e)])).toEqual([["SUCCEEDED", "CONTINUE"]]);
    expect(completions(box, id)).toHaveLength(1);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("completes launch and terminate actions whose events were lost: the reconciler gates and drains them", async () => {
    let losing = false;
    const { box, flow } = await bootedFleet({
      // The hooks' production timeouts (launch 600 s, terminate 300 s): the reconciler runs every 5 minutes.
      config: withoutShortHooks,
      bus: { drop: (event) => losing && event.source === "aws.autoscaling" },
    });
    losing = true;

    const id = await scaleOut(box);
    expect(await runUntilSettled(box, inService(box, id), 20 * 60_000)).toBe(true);
    expect(box.events.bus.lost()).toHaveLength(1);
    // No event reached the starter: the reconciler (every 5 minutes) started the gate, which completed once.
    expect(gates(box, flow, id).map((e) => [e.status, outcome(e)])).toEqual([["SUCCEEDED", "CONTINUE"]]);
    expect(completions(box, id)).toHaveLength(1);

    const group = box.description.autoScalingGroupName;
    await makeClient(AutoScalingClient).send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 1 }),
    );
    const leaving = () => box.fleet.instances().find((i) => i.lifecycleState.startsWith("Terminating"));
    await box.clock.runUntil(() => leaving() !== undefined, { limitMs: 60_000 });
    const victim = leaving()?.instanceId ?? "";
    expect(await runUntilSettled(box, () => box.fleet.instances().length === 1, 20 * 60_000)).toBe(true);

    expect(box.events.bus.lost()).toHaveLength(2);
    const drains = box.stepFunctions
      .list(flow.terminateDrainArn)
      .filter((e) => e.name.startsWith(`${victim}-`));
    expect(drains.map((e) => e.status)).toEqual(["SUCCEEDED"]);
    expect(completions(box, victim, flow.settings.terminateHookName)).toHaveLength(1);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("admits a new instance while SSM throttles Run Command, and marks no healthy gateway Unhealthy", async () => {
    const { box, flow } = await bootedFleet();
    // Throttled past the SDK's five attempts twice over: the gate's Probe task and the monitor both fail.
    box.aws.inject("SSM.SendCommand", { throttle: 12 });

    const id = await scaleOut(box);
    expect(await runUntilSettled(box, inService(box, id))).toBe(true);
    await runUntilSettled(box, () => false, 5 * 60_000); // a few more monitor runs on a quiet SSM

    const throttled = box.aws.calls("SSM", "SendCommand").filter((c) => c.outcome === "ThrottlingException");
    expect(throttled).toHaveLength(12);
    // Both were hit: the gate's own probe of the new instance (the monitor probes the whole InService fleet,
    // which the new instance joins only once admitted), and the monitor's probe of the first one.
    const oldId = box.fleet.instances().find((i) => i.instanceId !== id)?.instanceId;
    const targets = throttled.map((c) => JSON.stringify(c.input.InstanceIds));
    expect(targets.filter((t) => t === JSON.stringify([id])).length).toBeGreaterThanOrEqual(5);
    expect(targets).toContain(JSON.stringify([oldId]));
    expect(gates(box, flow, id).map((e) => [e.status, outcome(e)])).toEqual([["SUCCEEDED", "CONTINUE"]]);
    expect(completions(box, id)).toHaveLength(1);
    expect(marked(box)).toEqual([]);
    expect(box.fleet.instances().map((i) => i.lifecycleState)).toEqual(["InService", "InService"]);
  });

  it("keeps probing while SSM answers InvalidInstanceId (agent not registered), then admits", async () => {
    const { box, flow } = await bootedFleet();
    box.aws.inject("SSM.SendCommand", {
      error: { name: "InvalidInstanceId", message: "Instances not in a valid state for account", times: 6 },
    });

    const id = await scaleOut(box);
    expect(await runUntilSettled(box, inService(box, id))).toBe(true);
    await runUntilSettled(box, () => false, 5 * 60_000);

    // Six injected, besides the model's own answers while the new instance's agent registers.
    const refused = box.aws.calls("SSM", "SendCommand").filter((c) => c.outcome === "InvalidInstanceId");
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(gates(box, flow, id).map((e) => [e.status, outcome(e)])).toEqual([["SUCCEEDED", "CONTINUE"]]);
    expect(completions(box, id)).toHaveLength(1);
    expect(marked(box)).toEqual([]);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("marks an InService instance SSM keeps refusing (InvalidInstanceId) like one failing its probe, and probes the rest of the batch", async () => {
    const { box } = await bootedFleet({ fleetSize: 2 });
    const [victim, other] = box.fleet.instances().map((i) => i.instanceId);
    if (!victim || !other) throw new Error("the fleet has not two instances");
    // SSM refuses every command that names the victim (its agent stopped): the whole batch, as AWS does.
    const ssm = box.aws.models.ssm;
    const sendCommand = ssm.commands.SendCommand;
    if (!sendCommand) throw new Error("the SSM model answers no SendCommand");
    let refusing = true;
    box.aws.models.simulator.register({
      ...ssm,
      commands: {
        ...ssm.commands,
        async SendCommand(input, call) {
          if (refusing && (input.InstanceIds as string[] | undefined)?.includes(victim))
            throw awsError("InvalidInstanceId", "Instances not in a valid state for account");
          return sendCommand(input, call);
        },
      },
    });
    const runs = () => box.schedules.fired.filter((f) => f.name === "clawops-lifecycle-monitor").length;
    const before = runs();

    await box.clock.runUntil(() => marked(box).length > 0, { step: 1_000, limitMs: 15 * 60_000 });
    refusing = false;
    const runsToMark = runs() - before;

    // Marked like `unhealthyAfter` failed probes in a row (a run's refusals count at the next run): by the run after
    // the third refusal. Were a refusal an unknown probe, only silence would mark it, from its fifth silent run.
    const { unhealthyAfter } = box.config.settings.monitor;
    expect(marked(box).map((c) => [c.input.InstanceId, c.input.HealthStatus])).toEqual([
      [victim, "Unhealthy"],
    ]);
    expect(runsToMark).toBeGreaterThanOrEqual(unhealthyAfter);
    expect(runsToMark).toBeLessThanOrEqual(unhealthyAfter + 1);
    expect(runsToMark).toBeLessThan(SILENT_RUNS_BEFORE_FAILING + unhealthyAfter - 1);
    // Each run split the refused batch: the other instance was probed alone, answered healthy, and is kept.
    const alone = (id: string) =>
      box.aws
        .calls("SSM", "SendCommand")
        .filter((c) => JSON.stringify(c.input.InstanceIds) === JSON.stringify([id]));
    expect(alone(victim).filter((c) => c.outcome === "InvalidInstanceId").length).toBeGreaterThanOrEqual(
      unhealthyAfter,
    );
    expect(alone(other).filter((c) => c.outcome === "ok").length).toBeGreaterThanOrEqual(unhealthyAfter);
    // Recovery: the group replaces the victim through the drain and the launch gate; nothing is lost.
    const recovered = () => {
      const live = box.fleet.instances();
      return (
        !live.some((i) => i.instanceId === victim) &&
        live.filter((i) => i.lifecycleState === "InService").length === 2
      );
    };
    expect(await runUntilSettled(box, recovered, 30 * 60_000)).toBe(true);
    expect(marked(box)).toHaveLength(1);
    expect(box.deadLetters.records()).toEqual([]);
  });

  it("drains a terminating instance whose event was lost even when the reconciler finds it at the end of the hook's timeout", async () => {
    let losing = false;
    const { box, flow } = await bootedFleet({
      config: withoutShortHooks,
      fleetSize: 2,
      bus: { drop: (e) => losing && e.source === "aws.autoscaling" },
    });
    losing = true;
    const runs = () => box.schedules.fired.filter((f) => f.name === "clawops-lifecycle-reconcile").length;
    const before = runs();
    await box.clock.runUntil(() => runs() > before, { limitMs: 10 * 60_000 });
    await box.clock.advance(2_000);
    await makeClient(AutoScalingClient).send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: box.description.autoScalingGroupName,
        DesiredCapacity: 1,
      }),
    );
    const leaving = () => box.fleet.instances().find((i) => i.lifecycleState.startsWith("Terminating"));
    await box.clock.runUntil(() => leaving() !== undefined, { limitMs: 60_000 });
    const victim = leaving()?.instanceId ?? "";
    expect(await runUntilSettled(box, () => box.fleet.instances().length === 1, 20 * 60_000)).toBe(true);
    const [drain] = box.stepFunctions
      .list(flow.terminateDrainArn)
      .filter((e) => e.name.startsWith(`${victim}-`));
    expect(JSON.parse(drain?.output ?? "{}").completionError).toBeUndefined();
    expect(completions(box, victim, flow.settings.terminateHookName)).toHaveLength(1);
  });
});
