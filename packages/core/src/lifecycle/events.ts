import type { DrainFailedDetail, LifecycleAbandonedDetail } from "../events/index.js";
import type { LifecycleAction } from "./action.js";
import type { GateState } from "./gate.js";

/** SSM cuts stdout at 24,000 characters; an event carries at most this much of the last probe. */
const MAX_PROBE_OUTPUT = 2_000;

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
