import { lambdaHandler } from "@clawops/core/handler";
import {
  decideDrainStep,
  gatewayDrainCommands,
  InstanceNotRegistered,
  ProbeNotReady,
  runShellScript,
} from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { recordActionHeartbeat } from "./auto-scaling.js";
import { settingsOf } from "./lifecycle-settings.js";
import { getInvocation, sendCommand } from "./run-command.js";
import { DrainInputSchema } from "./task-input.js";

/**
 * Terminate drain, Drain task. First call: send `systemctl stop` (bounded by the drain timeout). Later calls:
 * read it and decide (`check` again, `continue`, or `drain-failed`, which still continues, with an event).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrainInputSchema, event),
  handler: async ({ action, drain }, { env, logger }) => {
    const settings = settingsOf(env).drain;
    const now = Date.now();
    if (!drain?.commandId) {
      // A drain started late (its event lost, the reconciler found it near the hook's timeout) still gets the
      // whole heartbeat window. If the action is already gone, the completion step says so; the drain goes on.
      await recordActionHeartbeat(action).catch((error: Error) =>
        logger.warn("drain heartbeat refused", { instanceId: action.instanceId, reason: error.message }),
      );
      const input = runShellScript([action.instanceId], gatewayDrainCommands(settings), {
        comment: `clawops drain ${action.instanceId}`,
        executionTimeoutSeconds: settings.timeoutSeconds + 5,
      });
      try {
        const commandId = await sendCommand(input);
        return {
          action,
          drain: { startedAt: now, checks: 0, commandId, next: "check", reason: "drain sent" },
        };
      } catch (error) {
        if (!(error instanceof InstanceNotRegistered)) throw error;
        return { action, drain: { startedAt: now, checks: 0, next: "drain-failed", reason: error.message } };
      }
    }
    const result = await getInvocation(drain.commandId, action.instanceId).catch((error: unknown) => {
      if (error instanceof ProbeNotReady) return undefined;
      throw error;
    });
    const next = decideDrainStep(drain, result, now, settings);
    logger.info("drain step", { instanceId: action.instanceId, next: next.next, reason: next.reason });
    return { action, drain: next };
  },
});
