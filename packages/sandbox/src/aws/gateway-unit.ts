import { GATEWAY_START_MARKER, GATEWAY_STOP_MARKER } from "@clawops/core/failure-drill";
import type { ScriptSimulator } from "./ssm.js";
import type { SandboxWorld } from "./world.js";

/**
 * The failure drill's `systemctl stop <gateway unit>` (`GATEWAY_STOP_MARKER`): a graceful stop (SIGTERM) of
 * the instance's real gateway process, after which its port refuses connections. As with systemd, stopping a
 * stopped (or never started) unit succeeds. The instance keeps running: only the gateway is gone.
 */
export function gatewayStopSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    const gateways = world.gateways;
    if (gateways?.statusOf(instance.instanceId)?.running) {
      // Real process I/O that does not wait on the sandbox clock: the clock waits for it.
      await world.clock.track(Promise.resolve(gateways.stop(instance.instanceId)));
    }
    return { exitCode: 0, stdout: "CLAWOPS_DRILL=stopped\n" };
  };
}

/**
 * The drill's `systemctl start <gateway unit>` (`GATEWAY_START_MARKER`, the abort and error paths): starts the
 * instance's gateway process again on its own loopback port; starting a running unit changes nothing.
 */
export function gatewayStartSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    const gateways = world.gateways;
    if (!gateways) return { exitCode: 0, stdout: "CLAWOPS_DRILL=started\n" };
    if (!gateways.statusOf(instance.instanceId)?.running) {
      const started = await world.clock.track(
        gateways.start(instance.instanceId, {
          port: gateways.portOf(instance.instanceId),
          path: world.gatewayPath,
          bootDelayMs: 0,
        }),
      );
      instance.gatewayPort = started.port;
    }
    return { exitCode: 0, stdout: "CLAWOPS_DRILL=started\n" };
  };
}

/** The failure drill's scripts by their first line, as the SSM model runs them. */
export function gatewayUnitSimulators(world: SandboxWorld): [string, ScriptSimulator][] {
  return [
    [GATEWAY_STOP_MARKER, gatewayStopSimulator(world)],
    [GATEWAY_START_MARKER, gatewayStartSimulator(world)],
  ];
}
