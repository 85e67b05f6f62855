import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { lambdaHandler } from "@clawops/core/handler";
import { LifecycleActionGone, recordHeartbeat, startGateWithHeartbeat } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { recordActionHeartbeat } from "./auto-scaling.js";
import { settingsOf } from "./lifecycle-settings.js";
import { type GateInput, GateInputSchema } from "./task-input.js";

/**
 * Launch gate, StartGate and Heartbeat tasks: restart the hook's timer. The gate starts with one (it may start
 * long after the hook did: a reconciled or retried event), then heartbeats while the instance boots. An action
 * that is gone (the hook expired, or another gate completed it) is reported here once (log + metric) and thrown
 * as LifecycleActionGone, which the state machine turns into LifecycleAbandoned, never retried.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(GateInputSchema, event),
  handler: async ({ action, gate }: GateInput, { env, logger, metrics }) => {
    const now = Date.now();
    try {
      await recordActionHeartbeat(action);
    } catch (error) {
      if (error instanceof LifecycleActionGone) {
        logger.warn("lifecycle action gone during the gate", { instanceId: action.instanceId, error });
        metrics.addMetric("LifecycleActionGone", MetricUnit.Count, 1);
      }
      throw error;
    }
    const next = gate ? recordHeartbeat(gate, now) : startGateWithHeartbeat(now, settingsOf(env).gate);
    logger.info("lifecycle heartbeat recorded", {
      instanceId: action.instanceId,
      heartbeats: next.heartbeats,
    });
    return { action, gate: next };
  },
});
