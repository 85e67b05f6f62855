import type { Logger } from "@aws-lambda-powertools/logger";
import { lambdaHandler } from "@clawops/core/handler";
import {
  type DrainState,
  decideDrainStep,
  drainHeartbeatDue,
  gatewayDrainCommands,
  InstanceNotRegistered,
  type LifecycleAction,
  LifecycleActionGone,
  ProbeNotReady,
  recordDrainHeartbeat,
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
 * Every call heartbeats the hook when it would time out within two checks: a drain started late (its event
 * lost, the reconciler found it near the hook's timeout) or longer than the hook's HeartbeatTimeout still
 * completes the action itself.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrainInputSchema, event),
  handler: async ({ action, drain }, { env, logger }) => {
    const lifecycle = settingsOf(env);
    const settings = lifecycle.drain;
    const now = Date.now();
    const heartbeat = async (state: DrainState) =>
      drainHeartbeatDue(state, now, lifecycle.terminateHeartbeatSeconds) &&
      (await heartbeatDrain(action, logger))
        ? recordDrainHeartbeat(state, now)
        : state;
    if (!drain?.commandId) {
      const input = runShellScript([action.instanceId], gatewayDrainCommands(settings), {
        comment: `clawops drain ${action.instanceId}`,
        executionTimeoutSeconds: settings.timeoutSeconds + 5,
      });
      const started = await heartbeat({ startedAt: now, checks: 0, next: "check", reason: "drain sent" });
      try {
        return { action, drain: { ...started, commandId: await sendCommand(input) } };
      } catch (error) {
        if (!(error instanceof InstanceNotRegistered)) throw error;
        return { action, drain: { ...started, next: "drain-failed", reason: error.message } };
      }
    }
    // Heartbeat first: a read SSM keeps throttling fails the task, and the state machine's retries of it must
    // still extend a due hook.
    const beaten = await heartbeat(drain);
    const result = await getInvocation(drain.commandId, action.instanceId).catch((error: unknown) => {
      if (error instanceof ProbeNotReady) return undefined;
      throw error;
    });
    const next = decideDrainStep(beaten, result, now, settings);
    logger.info("drain step", { instanceId: action.instanceId, next: next.next, reason: next.reason });
    return { action, drain: next };
  },
});

/**
 * RecordLifecycleActionHeartbeat for the drain; true when the drain need not try again before its next due
 * time. A refused heartbeat never stops the drain: a gone action is the completion step's to report, and any
 * other failure is tried again at the next check.
 */
async function heartbeatDrain(action: LifecycleAction, logger: Logger): Promise<boolean> {
  try {
    await recordActionHeartbeat(action);
    return true;
  } catch (error) {
    logger.warn("drain heartbeat refused", {
      instanceId: action.instanceId,
      reason: (error as Error).message,
    });
    return error instanceof LifecycleActionGone;
  }
}
