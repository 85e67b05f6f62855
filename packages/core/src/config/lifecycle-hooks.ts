import { DRAIN_CHECK_SECONDS } from "../lifecycle/drain.js";
import {
  GATE_TASKS_SLACK_SECONDS,
  maxProbeIntervalSeconds,
  maxProbeReads,
  PROBE_DELIVERY_SLACK_SECONDS,
  PROBE_READ_WAIT_SECONDS,
} from "../lifecycle/gate.js";
import type { StageSettings } from "./schema.js";

/**
 * An imported fleet's launch hook is not described to clawops: unless `lifecycle.hookHeartbeatSeconds` says,
 * the gate assumes a HeartbeatTimeout of 300 s (AWS's default is 3600 s; a shorter guess only heartbeats more).
 */
export const IMPORTED_LAUNCH_HOOK_HEARTBEAT_SECONDS = 300;

/** AWS ends a lifecycle action after min(100 × HeartbeatTimeout, 48 h), however often it is heartbeated. */
export const MAX_HEARTBEATS_PER_ACTION = 100;
export const MAX_LIFECYCLE_ACTION_SECONDS = 48 * 3600;

/** The hooks' HeartbeatTimeouts as the flows assume them; `undefined` where clawops cannot know it. */
export interface LifecycleHookTimeouts {
  readonly launchHeartbeatSeconds: number;
  readonly terminateHeartbeatSeconds: number | undefined;
}

/** The launch and terminate hooks' HeartbeatTimeouts: the reference fleet's, or what is known of an imported one. */
export function lifecycleHookTimeouts(
  settings: Pick<StageSettings, "fleet" | "lifecycle">,
): LifecycleHookTimeouts {
  const { fleet, lifecycle } = settings;
  if (fleet.mode === "reference") {
    return {
      launchHeartbeatSeconds: lifecycle.hookHeartbeatSeconds ?? fleet.lifecycleHooks.launchHeartbeatSeconds,
      terminateHeartbeatSeconds: fleet.lifecycleHooks.terminateHeartbeatSeconds,
    };
  }
  return {
    launchHeartbeatSeconds: lifecycle.hookHeartbeatSeconds ?? IMPORTED_LAUNCH_HOOK_HEARTBEAT_SECONDS,
    terminateHeartbeatSeconds: undefined,
  };
}

/** The longest a lifecycle action of a hook with this HeartbeatTimeout can live, heartbeats included. */
export function lifecycleActionLimitSeconds(heartbeatSeconds: number): number {
  return Math.min(MAX_HEARTBEATS_PER_ACTION * heartbeatSeconds, MAX_LIFECYCLE_ACTION_SECONDS);
}

/** A setting the hooks cannot honour: where it is and what it must be (the sentence after "expected"). */
export interface LifecycleHookIssue {
  readonly path: string[];
  readonly message: string;
}

/**
 * Lifecycle settings the hooks cannot honour, however often the flows heartbeat:
 * - the gate heartbeats only between probes, so the probe interval and the gate's reads of one probe (up to
 *   `maxProbeReads`, 2 s apart: its executionTimeout, `gateway.probeTimeoutSeconds` + 5, plus SSM's delivery slack)
 *   must fit in the launch hook's HeartbeatTimeout with a few seconds for the gate's tasks
 *   (`maxProbeIntervalSeconds`), or the hook times out while the gate still reads a probe SSM is slow to report
 *   (the gate also heartbeats early enough for a probe AWS keeps failing, `heartbeatMarginSeconds`);
 * - the launch deadline, plus one probe interval for the gate's last probe, must end before the launch action
 *   does, or AWS applies the hook's default result before the gate decides;
 * - the drain timeout, plus the drain's last checks, must end before the terminate action does (reference
 *   fleets; an imported fleet's terminate hook is not known).
 */
export function lifecycleHookIssues(
  settings: Pick<StageSettings, "fleet" | "lifecycle" | "gateway">,
): LifecycleHookIssue[] {
  const { lifecycle } = settings;
  const hooks = lifecycleHookTimeouts(settings);
  const issues: LifecycleHookIssue[] = [];
  const readSeconds = maxProbeReads(settings.gateway) * PROBE_READ_WAIT_SECONDS;
  const interval = maxProbeIntervalSeconds(hooks.launchHeartbeatSeconds, settings.gateway);
  if (lifecycle.probeIntervalSeconds > interval) {
    issues.push({
      path: ["lifecycle", "probeIntervalSeconds"],
      message: `at most ${interval} (it is ${lifecycle.probeIntervalSeconds}s): the launch gate heartbeats the launch hook (HeartbeatTimeout ${hooks.launchHeartbeatSeconds}s: lifecycle.hookHeartbeatSeconds, else fleet.lifecycleHooks.launchHeartbeatSeconds) only when it decides after a probe, so a probe interval plus the gate's reads of one probe (${readSeconds}s: its executionTimeout, gateway.probeTimeoutSeconds + 5, and SSM's delivery slack of ${PROBE_DELIVERY_SLACK_SECONDS}s) plus ${GATE_TASKS_SLACK_SECONDS}s for the gate's tasks must fit in it; lower lifecycle.probeIntervalSeconds or gateway.probeTimeoutSeconds, or raise the hook's heartbeat timeout`,
    });
  }
  const launchLimit = lifecycleActionLimitSeconds(hooks.launchHeartbeatSeconds);
  const deadline = launchLimit - lifecycle.probeIntervalSeconds;
  if (lifecycle.launchDeadlineSeconds > deadline) {
    issues.push({
      path: ["lifecycle", "launchDeadlineSeconds"],
      message: `at most ${deadline}: AWS ends a launch action after min(${MAX_HEARTBEATS_PER_ACTION} × the launch hook's HeartbeatTimeout of ${hooks.launchHeartbeatSeconds}s, 48 h) = ${launchLimit}s whatever the heartbeats, and the gate needs one probe interval (${lifecycle.probeIntervalSeconds}s) after its deadline; lower the deadline or raise the hook's heartbeat timeout`,
    });
  }
  if (hooks.terminateHeartbeatSeconds !== undefined) {
    const drainLimit = lifecycleActionLimitSeconds(hooks.terminateHeartbeatSeconds);
    const timeout = drainLimit - 2 * DRAIN_CHECK_SECONDS;
    if (lifecycle.drainTimeoutSeconds > timeout) {
      issues.push({
        path: ["lifecycle", "drainTimeoutSeconds"],
        message: `at most ${timeout}: AWS ends a terminate action after min(${MAX_HEARTBEATS_PER_ACTION} × the terminate hook's HeartbeatTimeout of ${hooks.terminateHeartbeatSeconds}s, 48 h) = ${drainLimit}s whatever the heartbeats, and the drain needs two checks (${2 * DRAIN_CHECK_SECONDS}s) after its timeout; lower the drain timeout or raise fleet.lifecycleHooks.terminateHeartbeatSeconds`,
      });
    }
  }
  return issues;
}
