import { formatGatewayProbeOutput } from "@clawops/core/lifecycle";
import type { ScriptSimulator } from "./ssm.js";
import type { GatewayProber, SandboxWorld } from "./world.js";

/** Nothing listens on the port: what curl reports for a refused connection. */
const REFUSED = { curlExit: 7, status: 0, body: "" } as const;

/**
 * The simulator of the gateway probe script (`GATEWAY_PROBE_MARKER`): it reads the script's loopback URL and
 * curl's `--max-time`, then REALLY calls that instance's gateway process and prints what the script would.
 * The instance's gateway listens on its own loopback port in the sandbox; the script's port stands for it.
 */
export function gatewayProbeSimulator(
  world: SandboxWorld,
  probe: GatewayProber,
  options: { maxRealTimeoutMs?: number } = {},
): ScriptSimulator {
  return async (instance, commands) => {
    const script = commands.join("\n");
    const url = /'http:\/\/127\.0\.0\.1:(\d+)(\/[^']*)'/.exec(script);
    if (!url) throw new Error("gateway probe script without a loopback URL");
    const path = url[2] ?? "/health";
    const maxTimeMs = Number(/--max-time (\d+)/.exec(script)?.[1] ?? 5) * 1000;
    const timeoutMs = Math.min(maxTimeMs, options.maxRealTimeoutMs ?? maxTimeMs);
    const port = instance.gatewayPort;
    // The probe is real I/O: the sandbox clock waits for it instead of racing it.
    const result = port === undefined ? REFUSED : await world.clock.track(probe(port, path, timeoutMs));
    return { exitCode: 0, stdout: formatGatewayProbeOutput(result) };
  };
}

/**
 * The simulator of the drain script (`GATEWAY_DRAIN_MARKER`): `systemctl stop` becomes a graceful stop of the
 * instance's real gateway process (SIGTERM, it flushes and exits). Stopping a stopped unit succeeds too.
 */
export function gatewayDrainSimulator(world: SandboxWorld): ScriptSimulator {
  return async (instance) => {
    const gateways = world.gateways;
    if (gateways && gateways.portOf(instance.instanceId) !== undefined) {
      await world.clock.track(Promise.resolve(gateways.stop(instance.instanceId)));
    }
    return { exitCode: 0, stdout: "CLAWOPS_DRAIN=stopped\n" };
  };
}
