import { GATEWAY_START_MARKER, GATEWAY_STOP_MARKER } from "@clawops/core/failure-drill";
import { GATEWAY_REST_MARKER, GATEWAY_RESUME_MARKER } from "@clawops/core/lifecycle";
import type { ScriptSimulator } from "./ssm.js";
import type { SandboxWorld, SimInstance } from "./world.js";

/**
 * `systemctl stop` of the instance's gateway unit: a graceful stop (SIGTERM) of its real process, after which its
 * port refuses connections. Stopping a stopped (or never started) unit changes nothing.
 */
export async function stopGatewayUnit(world: SandboxWorld, instanceId: string): Promise<void> {
  const gateways = world.gateways;
  if (!gateways?.statusOf(instanceId)?.running) return;
  // Real process I/O that does not wait on the sandbox clock: the clock waits for it.
  await world.clock.track(Promise.resolve(gateways.stop(instanceId)));
}

/**
 * `systemctl start` of the instance's gateway unit: its process starts again on its own loopback port. Starting a
 * running unit changes nothing.
 */
export async function startGatewayUnit(world: SandboxWorld, instance: SimInstance): Promise<void> {
  const gateways = world.gateways;
  if (!gateways || gateways.statusOf(instance.instanceId)?.running) return;
  const started = await world.clock.track(
    gateways.start(instance.instanceId, {
      port: gateways.portOf(instance.instanceId),
      path: world.gatewayPath,
      bootDelayMs: 0,
    }),
  );
  instance.gatewayPort = started.port;
}

/** Runs a unit change in the background (a pool transition), its failure shown in the world's problems. */
function inBackground(world: SandboxWorld, what: string, work: Promise<void>): void {
  work.catch((error: Error) => world.problems.push(`${what}: ${error.message}`));
}

/** A warm pool's `PoolState`, as the gateway unit lives through it. */
export type PoolRest = "Stopped" | "Running" | "Hibernated";

/**
 * The gateway unit as its instance comes to rest in the warm pool; returns whether it ran then. A Stopped pool
 * stops the instance (systemd stops the unit); a Hibernated one freezes the process with the RAM (the model stops
 * it and remembers it ran); a Running one leaves it as it is.
 */
export function restGatewayInPool(world: SandboxWorld, instanceId: string, poolState: PoolRest): boolean {
  const ran = world.gateways?.statusOf(instanceId)?.running ?? false;
  if (poolState !== "Running") {
    inBackground(world, `stopping the gateway of pooled ${instanceId}`, stopGatewayUnit(world, instanceId));
  }
  return ran;
}

/**
 * The gateway unit as its instance leaves the warm pool for the group: a Stopped pool instance boots and systemd
 * starts the enabled unit (after the boot delay); a Hibernated one resumes with the process as it was when it
 * hibernated (`ranAtRest`); a Running one has it exactly as it is now (stopped, if someone stopped it).
 */
export function wakeGatewayFromPool(
  world: SandboxWorld,
  instance: SimInstance,
  poolState: PoolRest,
  ranAtRest: boolean,
): void {
  const start = () =>
    inBackground(world, `starting the gateway of ${instance.instanceId}`, startGatewayUnit(world, instance));
  if (poolState === "Stopped") world.clock.schedule(world.timings.gatewayAfterMs, start);
  else if (poolState === "Hibernated" && ranAtRest) start();
}

/**
 * The failure drill's `systemctl stop <gateway unit>` (`GATEWAY_STOP_MARKER`): a graceful stop (SIGTERM) of
 * the instance's real gateway process, after which its port refuses connections. As with systemd, stopping a
 * stopped (or never started) unit succeeds. The instance keeps running: only the gateway is gone.
 */
export function gatewayStopSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    await stopGatewayUnit(world, instance.instanceId);
    return { exitCode: 0, stdout: "CLAWOPS_DRILL=stopped\n" };
  };
}

/**
 * The drill's `systemctl start <gateway unit>` (`GATEWAY_START_MARKER`, the abort and error paths): starts the
 * instance's gateway process again on its own loopback port; starting a running unit changes nothing.
 */
export function gatewayStartSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    await startGatewayUnit(world, instance);
    return { exitCode: 0, stdout: "CLAWOPS_DRILL=started\n" };
  };
}

/**
 * The launch gate's `systemctl start --no-block <gateway unit>` (`GATEWAY_RESUME_MARKER`) for an instance leaving
 * the warm pool: the unit's process starts; starting a running unit changes nothing.
 */
export function gatewayResumeSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    await startGatewayUnit(world, instance);
    return { exitCode: 0, stdout: "" };
  };
}

/**
 * The launch gate's `systemctl stop --no-block <gateway unit>` (`GATEWAY_REST_MARKER`) for an instance it admits
 * into the warm pool: the unit's process stops gracefully; stopping a stopped unit changes nothing.
 */
export function gatewayRestSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    await stopGatewayUnit(world, instance.instanceId);
    return { exitCode: 0, stdout: "" };
  };
}

/** The scripts that stop or start the gateway unit (failure drill, launch gate), by first line, for the SSM model. */
export function gatewayUnitSimulators(world: SandboxWorld): [string, ScriptSimulator][] {
  return [
    [GATEWAY_STOP_MARKER, gatewayStopSimulator(world)],
    [GATEWAY_START_MARKER, gatewayStartSimulator(world)],
    [GATEWAY_RESUME_MARKER, gatewayResumeSimulator(world)],
    [GATEWAY_REST_MARKER, gatewayRestSimulator(world)],
  ];
}
