import { caughtMessage } from "../errors.js";
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
  // Lambda's Cause is its error JSON (type, message, stack trace): Slack gets the message.
  if (error) return caughtMessage(error);
  return gate?.reason ?? "launch gate abandoned";
}

/**
 * Why a flow's own completion (the gate's ABANDON, the drain's CONTINUE) is not done: it kept failing past its
 * retries (AccessDenied after a policy change, the function timing out), so the action waits until the hook times
 * out and AWS applies its default result (`defaultResult` when clawops knows it).
 */
export function completionFailedReason(
  result: "ABANDON" | "CONTINUE",
  error: CaughtError,
  defaultResult?: "ABANDON" | "CONTINUE",
): string {
  const unchecked = result === "ABANDON" && defaultResult === "CONTINUE";
  const applied =
    defaultResult === undefined
      ? "its default result"
      : `its default result, ${defaultResult}${unchecked ? ": the instance goes InService with a gateway that never answered healthy" : ""}`;
  return `${result} failed (${caughtMessage(error)}): the hook expires into ${applied}`;
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
