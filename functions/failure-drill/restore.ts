import { isRetryable } from "@clawops/core";
import {
  GATEWAY_START_BOUND_SECONDS,
  type GatewayRestart,
  gatewayStartCommands,
  restartFailed,
  startStillQueued,
} from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import { InstanceNotRegistered, runShellScript } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { sendCommand } from "../lifecycle/run-command.js";
import { commandOutcome } from "./command-outcome.js";
import { releaseLock } from "./drill-lock.js";
import { type Drill, type DrillState, DrillStateSchema, type Restore } from "./drill-state.js";
import { instanceStillRunning } from "./fleet-state.js";
import { settingsOf, stateTableOf } from "./settings.js";

/** SSM's bound on the start command: the script's own bound on its wait, and 10 s to spare. */
const START_EXECUTION_TIMEOUT_SECONDS = GATEWAY_START_BOUND_SECONDS + 10;

/**
 * Reads of the start command's result before the restart counts as failed: the state machine reads every
 * 5 s, past SSM's own bound on the command (30 s to deliver, then its execution timeout) by 20 s.
 */
const MAX_CHECKS = Math.ceil((30 + START_EXECUTION_TIMEOUT_SECONDS + 20) / 5);

const done = (restart: GatewayRestart | undefined): Restore => ({
  pending: false,
  checks: 0,
  ...(restart ? { restart } : {}),
});
const failure = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

/** `systemctl start` through SSM, if the instance is still in the group; a throttled call is thrown (retried). */
async function startGateway(drill: Drill, serviceName: string): Promise<Restore> {
  if (!(await instanceStillRunning(drill.instanceId)))
    return done({ outcome: "instance-gone", reason: null });
  const input = runShellScript([drill.instanceId], gatewayStartCommands(serviceName), {
    comment: `clawops failure drill ${drill.drillId}: restart gateway`,
    executionTimeoutSeconds: START_EXECUTION_TIMEOUT_SECONDS,
  });
  try {
    return { pending: true, commandId: await sendCommand(input), checks: 0 };
  } catch (error) {
    // The agent stopped answering: the instance is going away, there is no gateway to bring back.
    if (error instanceof InstanceNotRegistered) return done({ outcome: "instance-gone", reason: null });
    if (isRetryable(error)) throw error;
    return done(restartFailed(`SendCommand failed: ${failure(error)}`));
  }
}

/**
 * One read of the start command's invocation: restarted once it succeeded, `start-queued` when the script saw
 * its start job still waiting behind systemd's stop job, failed when systemctl failed.
 */
async function checkRestart(restore: Restore, instanceId: string): Promise<Restore> {
  const checks = restore.checks + 1;
  try {
    const outcome = await commandOutcome(restore.commandId ?? "", instanceId);
    if (outcome.state === "succeeded") return done({ outcome: "restarted", reason: null });
    if (outcome.state === "failed")
      return done(
        startStillQueued(outcome)
          ? { outcome: "start-queued", reason: outcome.reason }
          : restartFailed(`systemctl start failed, ${outcome.reason}`),
      );
  } catch (error) {
    if (isRetryable(error)) throw error;
    return done(restartFailed(`its result could not be read: ${failure(error)}`));
  }
  if (checks >= MAX_CHECKS)
    return done(restartFailed(`systemctl start had no result after ${checks} reads of its invocation`));
  return { ...restore, checks };
}

/**
 * Restore task (abort path and the Catch-all), called again after each Wait while the restart is `pending`:
 * first `systemctl start <gateway unit>` if the drilled instance is still in the group (nothing when the stop
 * itself failed: the drill broke nothing), then a read of that command's invocation until it ended. After an
 * error the record step will not run, so the lock is given back here once the restore has an outcome, whether
 * the gateway came back or not. A call that throws (throttled, AWS failing) keeps the lock: the state machine
 * retries it while the gateway may still be stopped, and no other drill may stop a second one meanwhile; if
 * every retry fails, the lock expires on its own (`drillLockSeconds`).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    const { drill } = state;
    let restore: Restore;
    if (state.restore?.pending) restore = await checkRestart(state.restore, drill.instanceId);
    else if (state.progress?.stop === "failed") restore = done(undefined);
    else restore = await startGateway(drill, settings.gatewayServiceName);
    if (state.error && !restore.pending) await releaseLock(stateTableOf(env), drill.drillId);
    logger.info("failure drill restore", {
      drillId: drill.drillId,
      instanceId: drill.instanceId,
      pending: restore.pending,
      restart: restore.restart,
    });
    // A new restore replaces an earlier one's failure (a Record that failed after an abort restores again).
    return { ...state, restore, restoreError: undefined };
  },
});
