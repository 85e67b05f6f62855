import { type InvocationResult, isInvocationInFlight } from "./run-command.js";
import type { DrainSettings } from "./settings.js";

/** First line of every drain script; the sandbox's SSM model recognises drains by it. */
export const GATEWAY_DRAIN_MARKER = "# clawops-drain: gateway-stop v1";

/** Seconds between two reads of the drain command (the ASL's Wait). */
export const DRAIN_CHECK_SECONDS = 5;

/** The drain script's exit when systemd had to kill the gateway: it did not stop within the unit's TimeoutStopSec. */
export const DRAIN_KILLED_EXIT = 3;

/**
 * The shell commands that stop the gateway gracefully: systemd sends SIGTERM and waits for the unit to exit,
 * so sessions and logs flush. `timeout` bounds it below SSM's own execution timeout. The script exits with
 * systemctl's status, so the invocation fails (and the drain reports DrainFailed) when the gateway did not stop
 * in time (124) or the unit could not be stopped (an unknown `lifecycle.gatewayServiceName` exits 5), with the
 * reason on stderr. A gateway still running at the unit's own `TimeoutStopSec` (systemd's default 90 s, below
 * the drain's default 120 s) is killed with SIGKILL, and `systemctl stop` still succeeds: the unit's `Result`
 * then reads `timeout`, and the script fails with `DRAIN_KILLED_EXIT`, saying so, when the gateway was running
 * before the stop (`active`, `deactivating`, `reloading`): a unit that had already failed, or that was
 * `activating` again after a start that timed out (Restart=), keeps a `timeout` Result the stop did not cause.
 * `CLAWOPS_DRAIN=stopped` only follows a stop that finished on its own. The unit's properties are read as
 * `systemctl show -p NAME` prints them (`NAME=value`) and cut with `sed`: `--value` needs systemd 230, and Amazon
 * Linux 2 ships 219.
 */
export function gatewayDrainCommands(settings: DrainSettings): string[] {
  const unit = `'${settings.serviceName}'`;
  const show = (property: string) =>
    `systemctl show -p ${property} ${unit} 2>/dev/null | sed -n 's/^${property}=//p'`;
  return [
    GATEWAY_DRAIN_MARKER,
    `before=$(${show("ActiveState")})`,
    `timeout ${settings.timeoutSeconds} systemctl stop ${unit}; code=$?`,
    `if [ "$code" -eq 124 ]; then echo "the gateway was still stopping after ${settings.timeoutSeconds} s (systemd goes on stopping it)" >&2; exit 124; fi`,
    `if [ "$code" -ne 0 ]; then echo "systemctl stop ${unit} exited $code" >&2; exit "$code"; fi`,
    `case "$before" in active|deactivating|reloading) r=$(${show("Result")});; *) r=;; esac`,
    `if [ "$r" = timeout ]; then echo "systemd killed the gateway (SIGKILL): it did not stop within the unit's TimeoutStopSec ($(${show("TimeoutStopUSec")})); raise TimeoutStopSec to at least the drain's ${settings.timeoutSeconds} s" >&2; exit ${DRAIN_KILLED_EXIT}; fi`,
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
  /** When the drain last restarted the hook's timer, and its checks by then (unset: never). */
  readonly heartbeatAt?: number | undefined;
  readonly checksAtHeartbeat?: number | undefined;
}

/**
 * AWS's smallest HeartbeatTimeout. An imported fleet's terminate hook is not described to clawops, so its drain
 * heartbeats as if the hook had this one: often, but never too late.
 */
export const MIN_HOOK_HEARTBEAT_SECONDS = 30;

/**
 * Whether the drain must restart the terminate hook's timer before its next check: the hook would otherwise
 * time out within two checks. A drain that never heartbeated always must. Elapsed time is the larger of the
 * wall clock and the checks' waits (the same lower bound `decideDrainStep` uses). `hookHeartbeatSeconds` is the
 * terminate hook's HeartbeatTimeout; unknown (an imported fleet), AWS's minimum.
 */
export function drainHeartbeatDue(
  state: DrainState,
  now: number,
  hookHeartbeatSeconds: number = MIN_HOOK_HEARTBEAT_SECONDS,
): boolean {
  if (state.heartbeatAt === undefined) return true;
  const since = Math.max(
    now - state.heartbeatAt,
    (state.checks - (state.checksAtHeartbeat ?? 0)) * DRAIN_CHECK_SECONDS * 1000,
  );
  return since + 2 * DRAIN_CHECK_SECONDS * 1000 >= hookHeartbeatSeconds * 1000;
}

/** The drain after a recorded heartbeat. */
export function recordDrainHeartbeat(state: DrainState, now: number): DrainState {
  return { ...state, heartbeatAt: now, checksAtHeartbeat: state.checks };
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
