import type { InvocationResult } from "../lifecycle/run-command.js";

/** First line of the drill's stop script: the sandbox's SSM model runs scripts by their marker. */
export const GATEWAY_STOP_MARKER = "# clawops-failure-drill: gateway-stop v1";
/** First line of the restore script (abort or error: the gateway comes back). */
export const GATEWAY_START_MARKER = "# clawops-failure-drill: gateway-start v1";

/** Bound on each systemctl call, so a hung unit cannot hold the command for SSM's default hour. */
export const SYSTEMCTL_TIMEOUT_SECONDS = 60;

/**
 * How long the stop script waits, in all, for the gateway unit to leave `active`/`deactivating`. systemd bounds
 * a stop by the unit's TimeoutStopSec (default 90 s) for each ExecStop, the SIGTERM and the SIGKILL phase: 300 s
 * covers the default unit with room to spare. The stop command's SSM execution timeout sits above it.
 */
export const GATEWAY_STOP_BOUND_SECONDS = 300;

/**
 * How long after sending the stop the drill waits for its invocation to end before the alarm and replacement
 * windows may abort the drill: the script's bound, its SSM execution timeout (10 s above it), SSM's delivery
 * (30 s) and one observation. Until then an unconfirmed stop is the stop script still waiting on systemd, and a
 * `systemctl start` would race its stop job.
 */
export const GATEWAY_STOP_SETTLE_SECONDS = GATEWAY_STOP_BOUND_SECONDS + 60;

/** What the stop script prints (stderr) when it gives up on a unit systemd is still stopping. */
const STOP_UNFINISHED = "the gateway unit is still";

/** Seconds between two `systemctl is-active` reads while systemd finishes a slow stop. */
const STOP_POLL_SECONDS = 5;

/**
 * Stops the gateway unit: the drill's simulated failure (the instance itself keeps running). The unit's state
 * decides: the script exits 0 (`CLAWOPS_DRILL=stopped`) once the unit is `inactive` or `failed`, and otherwise
 * fails with systemctl's exit status (an unknown `lifecycle.gatewayServiceName` exits 5), or 124 with the
 * unit's state when it is still up after `GATEWAY_STOP_BOUND_SECONDS`.
 *
 * `systemctl stop` waits for systemd's stop job; when `timeout` ends it (exit 124) it kills only the client:
 * the job carries on and systemd stops the unit anyway (SIGKILL after TimeoutStopSec). A gateway slower than
 * `SYSTEMCTL_TIMEOUT_SECONDS` to stop is therefore watched with `systemctl is-active` until it is down, not
 * reported as a stop that failed while it goes down.
 */
export function gatewayStopCommands(serviceName: string): string[] {
  const unit = `'${serviceName}'`;
  return [
    GATEWAY_STOP_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl stop ${unit}; stopped=$?`,
    `if [ "$stopped" -eq 124 ]; then`,
    `  waited=${SYSTEMCTL_TIMEOUT_SECONDS}; state=$(systemctl is-active ${unit})`,
    `  while [ "$state" != inactive ] && [ "$state" != failed ] && [ "$waited" -lt ${GATEWAY_STOP_BOUND_SECONDS} ]; do`,
    `    sleep ${STOP_POLL_SECONDS}; waited=$((waited + ${STOP_POLL_SECONDS})); state=$(systemctl is-active ${unit})`,
    `  done`,
    `  case "$state" in`,
    `    inactive|failed) stopped=0; echo "systemctl stop gave up after ${SYSTEMCTL_TIMEOUT_SECONDS} s; systemd went on and stopped the unit ($state) within $waited s" ;;`,
    `    *) echo "${STOP_UNFINISHED} $state $waited s after systemctl stop ($(systemctl show -p TimeoutStopUSec ${unit}))" >&2 ;;`,
    `  esac`,
    `fi`,
    `[ "$stopped" -eq 0 ] && echo "CLAWOPS_DRILL=stopped"`,
    `exit "$stopped"`,
  ];
}

/**
 * How long the start script waits, in all, for the gateway unit to be `active` when `systemctl start` ran out
 * of time: a start sent while systemd still runs the unit's stop job (the stop script gave up on a slow unit)
 * is queued behind that job, and the stop may take the unit's TimeoutStopSec for each of its phases.
 */
export const GATEWAY_START_BOUND_SECONDS = GATEWAY_STOP_BOUND_SECONDS;

/** What the start script prints (stderr) when the unit is still not up at its bound, its start job queued. */
const START_QUEUED = "its start job is queued behind systemd's stop job";

/**
 * Starts the gateway unit again (abort path and the Catch-all): exits 0 (`CLAWOPS_DRILL=started`) once it is
 * started, otherwise fails with systemctl's exit status. `timeout` ending `systemctl start` (exit 124) kills only
 * the client: the start job stays queued (behind a stop job systemd still runs, after a stop that gave up) and
 * starts the unit once the stop ends, so the unit is watched with `systemctl is-active` up to
 * `GATEWAY_START_BOUND_SECONDS`; still not `active` then, the script fails with 124 and says its start is queued.
 */
export function gatewayStartCommands(serviceName: string): string[] {
  const unit = `'${serviceName}'`;
  return [
    GATEWAY_START_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl start ${unit}; started=$?`,
    `if [ "$started" -eq 124 ]; then`,
    `  waited=${SYSTEMCTL_TIMEOUT_SECONDS}; state=$(systemctl is-active ${unit})`,
    `  while [ "$state" != active ] && [ "$waited" -lt ${GATEWAY_START_BOUND_SECONDS} ]; do`,
    `    sleep ${STOP_POLL_SECONDS}; waited=$((waited + ${STOP_POLL_SECONDS})); state=$(systemctl is-active ${unit})`,
    `  done`,
    `  case "$state" in`,
    `    active) started=0; echo "systemctl start gave up after ${SYSTEMCTL_TIMEOUT_SECONDS} s; the unit started once systemd finished the stop, within $waited s" ;;`,
    `    *) echo "the gateway unit is still $state $waited s after systemctl start: ${START_QUEUED} and starts the unit once the stop ends" >&2 ;;`,
    `  esac`,
    `fi`,
    `[ "$started" -eq 0 ] && echo "CLAWOPS_DRILL=started"`,
    `exit "$started"`,
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

/**
 * Whether a stop that failed may still take the gateway down: the script gave up on a unit systemd is still
 * stopping (exit 124, "the gateway unit is still deactivating …"), or SSM ended the script past its execution
 * timeout. systemd carries on with the stop job either way, so the drill starts the gateway again rather than
 * leave it to go down unannounced. Any other failure (an unknown unit exits 5) stopped nothing.
 */
export function stopMayStillFinish(outcome: GatewayCommandOutcome): boolean {
  return (
    outcome.state === "failed" &&
    (outcome.reason.includes(STOP_UNFINISHED) || outcome.reason.includes("(ExecutionTimedOut)"))
  );
}

/**
 * Whether a start that failed is still queued: the start script saw the unit not yet up at its bound while
 * systemd's stop job still ran (it says so, and it exits 124 only then); the queued start job brings the
 * gateway back once the stop ends.
 */
export function startStillQueued(outcome: GatewayCommandOutcome): boolean {
  return (
    outcome.state === "failed" &&
    (outcome.reason.includes(START_QUEUED) || outcome.reason.includes("exit status 124"))
  );
}
