import { lambdaHandler } from "@clawops/core/handler";
import {
  hookCouldHaveExpired,
  LifecycleActionGone,
  recordHeartbeat,
  startGateWithHeartbeat,
} from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { recordActionHeartbeat, reportGoneAction } from "./auto-scaling.js";
import { settingsOf } from "./lifecycle-settings.js";
import { type GateInput, GateInputSchema } from "./task-input.js";

/**
 * Launch gate, StartGate and Heartbeat tasks: restart the hook's timer. The gate starts with one (it may start
 * long after the hook did: a reconciled or retried event), then heartbeats while the instance boots. An action
 * that is gone is reported here (log + metric, see `reportGoneAction`) and told apart by the instance's state:
 * another gate admitted it or the instance still waits on another hook (LifecycleActionGone: the gate ends
 * quietly), the hook expired (LifecycleHookExpired: the gate publishes LifecycleAbandoned), the instance was
 * terminated while the gate's clock says its hook could not have expired (a scale in: quiet), or the state could not
 * be read (LifecycleStateUnknown: retried by the state machine, then published with that reason).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(GateInputSchema, event),
  handler: async ({ action, gate }: GateInput, { env, logger, metrics }) => {
    const now = Date.now();
    try {
      await recordActionHeartbeat(action);
    } catch (error) {
      if (!(error instanceof LifecycleActionGone)) throw error;
      const judgement = { hookCouldHaveExpired: hookCouldHaveExpired(gate, now, settingsOf(env).gate) };
      throw await reportGoneAction(action, error, judgement, { logger, metrics });
    }
    const next = gate ? recordHeartbeat(gate, now) : startGateWithHeartbeat(now, settingsOf(env).gate);
    logger.info("lifecycle heartbeat recorded", {
      instanceId: action.instanceId,
      heartbeats: next.heartbeats,
    });
    return { action, gate: next };
  },
});
