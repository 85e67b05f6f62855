import { gatewayStartCommands, SYSTEMCTL_TIMEOUT_SECONDS } from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import { InstanceNotRegistered, runShellScript } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { sendCommand } from "../lifecycle/run-command.js";
import { releaseLock } from "./drill-lock.js";
import { type DrillState, DrillStateSchema } from "./drill-state.js";
import { instanceStillRunning } from "./fleet-state.js";
import { settingsOf, stateTableOf } from "./settings.js";

/**
 * Restore task (abort path and the Catch-all): `systemctl start <gateway unit>` if the drilled instance is
 * still in the group; a terminated or terminating one has nothing to restore. After an error the record step
 * will not run, so the lock is given back here.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    const { drill } = state;
    let restarted = false;
    if (await instanceStillRunning(drill.instanceId)) {
      const input = runShellScript([drill.instanceId], gatewayStartCommands(settings.gatewayServiceName), {
        comment: `clawops failure drill ${drill.drillId}: restart gateway`,
        executionTimeoutSeconds: SYSTEMCTL_TIMEOUT_SECONDS + 10,
      });
      try {
        await sendCommand(input);
        restarted = true;
      } catch (error) {
        // The agent stopped answering: the instance is going away, there is no gateway to bring back.
        if (!(error instanceof InstanceNotRegistered)) throw error;
      }
    }
    if (state.error) await releaseLock(stateTableOf(env), drill.drillId);
    logger.info("failure drill restore", { drillId: drill.drillId, instanceId: drill.instanceId, restarted });
    return { ...state, restore: { restarted } };
  },
});
