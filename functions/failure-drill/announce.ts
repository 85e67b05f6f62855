import { ClawopsDetailType } from "@clawops/core/events";
import { failureDrillCompletedDetail, failureDrillStartedDetail } from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { type DrillState, DrillStateSchema } from "./drill-state.js";
import { putClawopsEvent } from "./events.js";
import { settingsOf } from "./settings.js";

/**
 * Announce task, at both ends: `FailureDrillStarted` before the gateway is stopped, `FailureDrillCompleted`
 * (once the state carries the result) after it was recorded. The alerts path posts both to the channel.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    const asg = settings.autoScalingGroupName;
    const { drill, result } = state;
    if (result) {
      await putClawopsEvent(
        env.eventBusName,
        ClawopsDetailType.FailureDrillCompleted,
        failureDrillCompletedDetail(asg, result),
      );
    } else {
      const detail = failureDrillStartedDetail(drill.drillId, asg, drill.instanceId, settings.windows);
      await putClawopsEvent(env.eventBusName, ClawopsDetailType.FailureDrillStarted, detail);
    }
    logger.info("failure drill announced", { drillId: drill.drillId, ended: result !== undefined });
    return state;
  },
});
