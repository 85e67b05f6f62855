import { caughtMessage } from "@clawops/core";
import { ClawopsDetailType } from "@clawops/core/events";
import {
  type DrillWindows,
  type FailureDrillResult,
  failureDrillCompletedDetail,
  failureDrillNow,
  failureDrillResult,
  failureDrillStartedDetail,
  restartSentence,
  startProgress,
} from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { putClawopsEvent } from "../clawops-event.js";
import { type DrillState, DrillStateSchema, restartOf } from "./drill-state.js";
import { settingsOf } from "./settings.js";

/** A drill that errored (nothing is recorded for it): what it had measured, the error, whether the gateway came back. */
function erroredResult(state: DrillState, reason: string, windows: DrillWindows): FailureDrillResult {
  const { drill } = state;
  return failureDrillResult({
    drillId: drill.drillId,
    instanceId: drill.instanceId,
    startedAt: drill.startedAt,
    finishedAt: failureDrillNow(),
    progress: state.progress ?? startProgress(Date.parse(drill.startedAt)),
    windows,
    abortedBecause: reason,
    restart: restartOf(state),
  });
}

/**
 * Announce task, at both ends: `FailureDrillStarted` before the gateway is stopped, `FailureDrillCompleted`
 * after the result was recorded, or after an error and the restore (`AnnounceErrored`): the channel that was
 * told a gateway is being stopped hears how it ended either way. The alerts path posts both. After an error
 * the execution's cause (`$.error.Cause`) becomes the error and the restart's outcome, in words.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    const asg = settings.autoScalingGroupName;
    const { drill, error } = state;
    let next = state;
    if (!state.result && error) {
      const reason = `the drill errored: ${caughtMessage(error)}`;
      const result = erroredResult(state, reason, settings.windows);
      const cause = [reason, restartSentence(drill.instanceId, result.restart)].filter(Boolean).join("; ");
      next = { ...state, result, error: { ...error, Cause: cause } };
    }
    if (next.result) {
      await putClawopsEvent(
        env,
        ClawopsDetailType.FailureDrillCompleted,
        failureDrillCompletedDetail(asg, next.result),
      );
    } else {
      const detail = failureDrillStartedDetail(drill.drillId, asg, drill.instanceId, settings.windows);
      await putClawopsEvent(env, ClawopsDetailType.FailureDrillStarted, detail);
    }
    logger.info("failure drill announced", { drillId: drill.drillId, ended: next.result !== undefined });
    return next;
  },
});
