import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { lambdaHandler } from "@clawops/core/handler";
import { LifecycleActionGone } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { completeAction } from "./auto-scaling.js";
import { CompleteInputSchema } from "./task-input.js";

/**
 * Complete task (launch gate and drain): CompleteLifecycleAction with the token, or the instance id when the
 * reconciler started the flow. Idempotent by construction: a second completion finds no active action and
 * fails with LifecycleActionGone, which is reported here once (log + metric) and caught by the state machine,
 * never retried. ResourceContention and throttling are retried by the state machine.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(CompleteInputSchema, event),
  handler: async ({ action, result }, { logger, metrics }) => {
    try {
      await completeAction(action, result);
    } catch (error) {
      if (error instanceof LifecycleActionGone) {
        logger.warn("lifecycle action already gone", { instanceId: action.instanceId, result, error });
        metrics.addMetric("LifecycleActionGone", MetricUnit.Count, 1);
      }
      throw error;
    }
    logger.info("lifecycle action completed", {
      instanceId: action.instanceId,
      transition: action.transition,
      result,
    });
    return { completed: true, result };
  },
});
