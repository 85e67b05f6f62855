import { type InvocationResult, isInvocationInFlight } from "./run-command.js";
import type { DrainSettings } from "./settings.js";

/** First line of every drain script; the sandbox's SSM model recognises drains by it. */
export const GATEWAY_DRAIN_MARKER = "# clawops-drain: gateway-stop v1";

/** Seconds between two reads of the drain command (the ASL's Wait). */
export const DRAIN_CHECK_SECONDS = 5;

/**
 * The shell commands that stop the gateway gracefully: systemd sends SIGTERM and waits for the unit to exit,
 * so sessions and logs flush. `timeout` bounds it below SSM's own execution timeout.
 */
export function gatewayDrainCommands(settings: DrainSettings): string[] {
  return [
    GATEWAY_DRAIN_MARKER,
    `timeout ${settings.timeoutSeconds} systemctl stop '${settings.serviceName}'`,
    `echo "CLAWOPS_DRAIN=stopped"`,
  ];
}

/** What the drain does next. */
export type DrainNext = "check" | "continue" | "drain-failed";

/** The drain's state between state machine steps (epoch milliseconds). */
export interface DrainState {
  readonly startedAt: number;
  readonly checks: number;
  readonly commandId?: string | undefined;
  readonly next: DrainNext;
  readonly reason: string;
}

/**
 * After each read of the drain command: done → `continue`; failed → `drain-failed` (the caller still
 * CONTINUEs and raises DrainFailed); still running → `check` again until the drain timeout, then `drain-failed`.
 * `undefined` means SSM has no invocation yet.
 */
export function decideDrainStep(
  state: DrainState,
  result: InvocationResult | undefined,
  now: number,
  settings: DrainSettings,
): DrainState {
  const checks = state.checks + 1;
  if (result && result.status === "Success")
    return { ...state, checks, next: "continue", reason: "gateway stopped" };
  if (result && !isInvocationInFlight(result)) {
    const why = result.stderr.trim() || result.stdout.trim();
    return {
      ...state,
      checks,
      next: "drain-failed",
      reason: `drain command ${result.status}${why ? `: ${why}` : ""}`,
    };
  }
  const elapsed = Math.max(now - state.startedAt, checks * DRAIN_CHECK_SECONDS * 1000);
  if (elapsed >= (settings.timeoutSeconds + DRAIN_CHECK_SECONDS) * 1000) {
    return {
      ...state,
      checks,
      next: "drain-failed",
      reason: `systemctl stop ${settings.serviceName} did not finish within ${settings.timeoutSeconds}s`,
    };
  }
  return {
    ...state,
    checks,
    next: "check",
    reason: result ? `drain ${result.status}` : "drain not started yet",
  };
}
