import { lambdaHandler } from "@clawops/core/handler";
import { recordHeartbeat, startGate } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { recordActionHeartbeat } from "./auto-scaling.js";
import { settingsOf } from "./lifecycle-settings.js";
import { type GateInput, GateInputSchema } from "./task-input.js";

/**
 * Launch gate, Heartbeat task: the instance is still booting and the hook would time out before the gate can
 * decide, so restart the hook's timer. An action that is gone throws LifecycleActionGone (caught, not retried).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(GateInputSchema, event),
  handler: async ({ action, gate }: GateInput, { env, logger }) => {
    const now = Date.now();
    await recordActionHeartbeat(action);
    const next = recordHeartbeat(gate ?? startGate(now, settingsOf(env).gate), now);
    logger.info("lifecycle heartbeat recorded", {
      instanceId: action.instanceId,
      heartbeats: next.heartbeats,
    });
    return { action, gate: next };
  },
});
