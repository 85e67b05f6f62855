import { advanceDrill, failureDrillNow } from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { type DrillState, DrillStateSchema } from "./drill-state.js";
import { observeDrill } from "./observation.js";
import { settingsOf, stateTableOf } from "./settings.js";

/**
 * Observe task, once per Wait: the alarm's state (DescribeAlarms), the router's delivery record, the group's
 * instances and, until it is confirmed, the stop command's invocation (GetCommandInvocation), folded into the
 * progress; says whether to observe again, record, abort, or record a stop that failed.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    if (!state.progress) throw new TypeError("observe needs the progress the stop task starts");
    const now = failureDrillNow();
    const { stop } = state;
    const seen = await observeDrill({
      table: stateTableOf(env),
      alarmName: settings.alarmName,
      asgName: settings.autoScalingGroupName,
      instancesBefore: state.drill.instancesBefore,
      now,
      stop:
        state.progress.stop === "sent" && stop
          ? { commandId: stop.commandId, instanceId: state.drill.instanceId }
          : null,
    });
    const { progress, next, reason } = advanceDrill(state.progress, seen, now, settings.windows);
    logger.info("failure drill observed", {
      drillId: state.drill.drillId,
      next,
      reason,
      alarm: seen.alarmState,
      stop: progress.stop,
    });
    return { ...state, progress, observe: { next, reason } };
  },
});
