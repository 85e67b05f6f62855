import type { DrainFailedDetail, LifecycleAbandonedDetail } from "../events/index.js";
import type { LifecycleAction } from "./action.js";
import type { GateState } from "./gate.js";

/** SSM cuts stdout at 24,000 characters; an event carries at most this much of the last probe. */
const MAX_PROBE_OUTPUT = 2_000;

/**
 * Why a gate ended without deciding: its heartbeat or its CONTINUE found the action gone, and the instance was
 * not admitted by another gate (`goneActionCause`): the hook timed out and AWS applied its default result.
 */
export const HOOK_EXPIRED_REASON =
  "lifecycle hook expired before the gate finished: AWS applied the hook's default result";

/**
 * Why a gate ended on `LifecycleStateUnknown`: its action was gone and the instance's state could not be read, so
 * the hook may have expired under it.
 */
export const STATE_UNKNOWN_REASON =
  "lifecycle action gone and the instance's lifecycle state could not be read: the hook may have expired before the gate finished (AWS applied its default result), or another gate completed it";

/** What a Catch records (`{ Error, Cause }`). */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string | undefined;
}

/** The reason a `LifecycleAbandoned` event gives: the error that ended the gate, else the gate's own reason. */
export function abandonReason(error: CaughtError | undefined, gate: GateState | undefined): string {
  // LifecycleActionGone: what a gate started before `LifecycleHookExpired` existed still catches.
  if (error?.Error === "LifecycleHookExpired" || error?.Error === "LifecycleActionGone")
    return HOOK_EXPIRED_REASON;
  if (error?.Error === "LifecycleStateUnknown") return STATE_UNKNOWN_REASON;
  if (error) return `${error.Error}: ${error.Cause ?? ""}`.trim();
  return gate?.reason ?? "launch gate abandoned";
}

/** The `LifecycleAbandoned` detail for a gate that gave up, with its last probe. */
export function lifecycleAbandonedDetail(
  action: LifecycleAction,
  gate: GateState | undefined,
  reason: string,
): LifecycleAbandonedDetail {
  const last = gate?.lastProbe;
  return {
    asgName: action.asgName,
    instanceId: action.instanceId,
    hookName: action.hookName,
    reason,
    ...(last
      ? {
          lastProbe: {
            status: last.status,
            output: `${last.reason}\n${last.output}`.slice(0, MAX_PROBE_OUTPUT),
            at: last.at,
          },
        }
      : {}),
  };
}

/** The `DrainFailed` detail. */
export function drainFailedDetail(
  action: LifecycleAction,
  reason: string,
  commandId?: string,
): DrainFailedDetail {
  return {
    asgName: action.asgName,
    instanceId: action.instanceId,
    hookName: action.hookName,
    reason,
    ...(commandId ? { commandId } : {}),
  };
}
