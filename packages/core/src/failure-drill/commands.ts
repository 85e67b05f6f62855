import type { InvocationResult } from "../lifecycle/run-command.js";

/** First line of the drill's stop script: the sandbox's SSM model runs scripts by their marker. */
export const GATEWAY_STOP_MARKER = "# clawops-failure-drill: gateway-stop v1";
/** First line of the restore script (abort or error: the gateway comes back). */
export const GATEWAY_START_MARKER = "# clawops-failure-drill: gateway-start v1";

/** Bound on each systemctl call, so a hung unit cannot hold the command for SSM's default hour. */
export const SYSTEMCTL_TIMEOUT_SECONDS = 60;

/**
 * Stops the gateway unit: the drill's simulated failure (the instance itself keeps running). The script ends
 * with systemctl's exit status (`&&`), so a unit that could not be stopped (an unknown
 * `lifecycle.gatewayServiceName` exits 5) fails the command instead of passing it.
 */
export function gatewayStopCommands(serviceName: string): string[] {
  return [
    GATEWAY_STOP_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl stop '${serviceName}' && echo "CLAWOPS_DRILL=stopped"`,
  ];
}

/** Starts the gateway unit again (abort path and the Catch-all); fails with systemctl's exit status. */
export function gatewayStartCommands(serviceName: string): string[] {
  return [
    GATEWAY_START_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl start '${serviceName}' && echo "CLAWOPS_DRILL=started"`,
  ];
}

/** How one of the drill's systemctl commands ended, as its invocation says. */
export type GatewayCommandOutcome =
  | { readonly state: "running" }
  | { readonly state: "succeeded" }
  | { readonly state: "failed"; readonly reason: string };

const IN_FLIGHT = new Set(["Pending", "InProgress", "Delayed", "Cancelling"]);

/**
 * Reads the invocation of a stop or start script: `running` while SSM has no result yet (`null`: the
 * invocation is not visible yet, AWS answers InvocationDoesNotExist right after SendCommand), `succeeded` on
 * `Success`, otherwise `failed` with SSM's status and what systemctl printed (its exit status is the
 * script's, so `Failed` means systemctl failed; `TimedOut` means the unit hung or the agent never ran it).
 */
export function gatewayCommandOutcome(invocation: InvocationResult | null): GatewayCommandOutcome {
  if (!invocation || IN_FLIGHT.has(invocation.status)) return { state: "running" };
  if (invocation.status === "Success") return { state: "succeeded" };
  const details =
    invocation.statusDetails && invocation.statusDetails !== invocation.status
      ? ` (${invocation.statusDetails})`
      : "";
  const printed = (invocation.stderr.trim() || invocation.stdout.trim()).split("\n").slice(-3).join(" ");
  return {
    state: "failed",
    reason: `SSM says ${invocation.status}${details}${printed ? `: ${printed.slice(0, 300)}` : ""}`,
  };
}
