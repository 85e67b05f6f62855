import type { FailureDrillCompletedDetail, FailureDrillStartedDetail } from "../events/index.js";
import type { FailureDrillResult } from "./result.js";
import type { DrillWindows } from "./settings.js";

/** The details of the drill's two announcements. */
export interface FailureDrillEventDetails {
  readonly started: FailureDrillStartedDetail;
  readonly completed: FailureDrillCompletedDetail;
}

/** `FailureDrillStarted`: posted before the gateway is stopped. */
export function failureDrillStartedDetail(
  drillId: string,
  asgName: string,
  instanceId: string,
  windows: DrillWindows,
): FailureDrillStartedDetail {
  return { drillId, asgName, instanceId, windows: { ...windows } };
}

/** `FailureDrillCompleted`: the result, passed or not, aborted or not, and whether the gateway came back. */
export function failureDrillCompletedDetail(
  asgName: string,
  result: FailureDrillResult,
): FailureDrillCompletedDetail {
  return {
    drillId: result.drillId,
    asgName,
    instanceId: result.instanceId,
    passed: result.passed,
    seconds: { ...result.seconds },
    windows: { ...result.windows },
    verdicts: { ...result.verdicts },
    replacementInstanceId: result.replacementInstanceId,
    abortedBecause: result.abortedBecause,
    // Not in FailureDrillCompletedDetailSchema's named fields yet; its loose object carries it to the router.
    restart: result.restart,
  };
}
