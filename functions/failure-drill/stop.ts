import {
  failureDrillNow,
  GATEWAY_STOP_BOUND_SECONDS,
  gatewayStopCommands,
  startProgress,
} from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import { runShellScript } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { sendCommand } from "../lifecycle/run-command.js";
import { type DrillState, DrillStateSchema } from "./drill-state.js";
import { settingsOf } from "./settings.js";

/**
 * Stop task: `systemctl stop <gateway unit>` on the chosen instance through SSM. Only the gateway stops; the
 * instance keeps running, exactly the failure the health monitor must notice. Every time is measured from
 * here, once Observe read the command's invocation (`stop.commandId`) and found it succeeded; a stop that
 * failed ends the drill with nothing measured.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger }) => {
    const settings = settingsOf(env);
    const { drill } = state;
    const input = runShellScript([drill.instanceId], gatewayStopCommands(settings.gatewayServiceName), {
      comment: `clawops failure drill ${drill.drillId}: stop gateway`,
      executionTimeoutSeconds: GATEWAY_STOP_BOUND_SECONDS + 10,
    });
    const commandId = await sendCommand(input);
    const stoppedAt = failureDrillNow();
    logger.info("gateway stop sent for the drill", {
      drillId: drill.drillId,
      instanceId: drill.instanceId,
      commandId,
    });
    return { ...state, stop: { commandId }, progress: startProgress(stoppedAt) };
  },
});
