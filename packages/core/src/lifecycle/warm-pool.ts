import type { LifecycleAction } from "./action.js";
import type { GateState } from "./gate.js";

/**
 * A warm pool's instance is standby capacity, not serving capacity: its gateway must not run there. An OpenClaw
 * gateway connects outbound to its channels, so a gateway running in a Running pool would answer users (or fight
 * the serving gateways for a channel's one connection) while the health monitor, which probes only InService
 * instances, never looks at it. The launch gate therefore stops the gateway of an instance it admits into the pool
 * (once it answered healthy: its user data finished), and starts it for an instance leaving the pool, which the
 * drain also stopped when it returned to the pool at scale in (`ReuseOnScaleIn`).
 */

/** First line of the script that starts the gateway of an instance leaving the warm pool (the sandbox's key). */
export const GATEWAY_RESUME_MARKER = "# clawops-gate: gateway-resume v1";

/** First line of the script that stops the gateway of an instance the gate admits into the warm pool. */
export const GATEWAY_REST_MARKER = "# clawops-gate: gateway-rest v1";

/** Seconds SSM lets either script run: `--no-block` only queues systemd's job. */
export const POOL_UNIT_EXECUTION_TIMEOUT_SECONDS = 30;

/**
 * The shell commands that start the gateway unit of an instance leaving the warm pool. `--no-block` queues the
 * start job and returns at once, so the gate never waits on it (its probes tell whether the gateway came up);
 * starting a running unit changes nothing, so sending it again is harmless.
 */
export function gatewayResumeCommands(serviceName: string): string[] {
  return [GATEWAY_RESUME_MARKER, `systemctl start --no-block '${serviceName}'`];
}

/**
 * The shell commands that stop the gateway unit of an instance entering the warm pool: systemd stops it
 * gracefully (SIGTERM) in the background, so the gate's CONTINUE does not wait on it. The unit stays enabled: a
 * Stopped pool instance that boots on leaving the pool starts it again by itself.
 */
export function gatewayRestCommands(serviceName: string): string[] {
  return [GATEWAY_REST_MARKER, `systemctl stop --no-block '${serviceName}'`];
}

/**
 * Whether the gate starts the gateway unit before its next probe: only for an instance leaving the warm pool,
 * and until its gateway has answered healthy. A Running pool instance still has the unit stopped and a Hibernated
 * one resumes with it stopped; only a Stopped pool instance boots, and systemd starts the enabled unit then
 * (starting it once more is harmless). It is sent with every probe until the gateway answers, since a resuming
 * instance's agent may not take commands yet.
 */
export function gatewayResumeDue(action: LifecycleAction, state: GateState): boolean {
  return action.transition === "launch" && action.warmPool === "leaving" && state.healthyStreak === 0;
}

/** The lifecycle state of an instance the launch hook holds on its way into the warm pool. */
export const WARM_POOL_ENTRY_WAIT = "Warmed:Pending:Wait";

/** Whether the gate stops the gateway before it CONTINUEs: only for a launch into the warm pool. */
export function gatewayRestDue(action: LifecycleAction): boolean {
  return action.transition === "launch" && action.warmPool === "entering";
}
