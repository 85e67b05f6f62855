import type { Logger } from "@aws-lambda-powertools/logger";
import {
  gatewayRestCommands,
  gatewayResumeCommands,
  InstanceNotRegistered,
  POOL_UNIT_EXECUTION_TIMEOUT_SECONDS,
  runShellScript,
} from "@clawops/core/lifecycle";
import { sendCommand } from "./run-command.js";

/**
 * Starts the gateway unit of an instance leaving the warm pool (`gatewayResumeDue`), through the same Run Command
 * path as the probe. The gate does not wait for it: its probes say whether the gateway came up. An agent that does
 * not take commands yet (a resuming instance) is not a failure: the probe sent next reports it, and the start goes
 * again with the next probe. Other errors are thrown, classified, as the probe's are.
 */
export async function resumeGateway(
  instanceId: string,
  serviceName: string,
  logger: Pick<Logger, "info">,
): Promise<void> {
  try {
    const commandId = await sendUnitCommand(instanceId, gatewayResumeCommands(serviceName), "start");
    logger.info("gateway start sent: the instance leaves the warm pool", { instanceId, commandId });
  } catch (error) {
    if (!(error instanceof InstanceNotRegistered)) throw error;
  }
}

/**
 * Stops the gateway unit of an instance the gate admits into the warm pool (`gatewayRestDue`), before its
 * CONTINUE: a pooled instance must not serve its channels. An agent gone since the probe that just answered is
 * logged and the gate CONTINUEs anyway (the instance is installed and healthy; its exit gate starts the gateway
 * whatever it finds). Other errors are thrown, classified: the state machine retries the step, which sends the
 * stop again.
 */
export async function restGateway(
  instanceId: string,
  serviceName: string,
  logger: Pick<Logger, "info" | "warn">,
): Promise<void> {
  try {
    const commandId = await sendUnitCommand(instanceId, gatewayRestCommands(serviceName), "stop");
    logger.info("gateway stop sent: the instance rests in the warm pool", { instanceId, commandId });
  } catch (error) {
    if (!(error instanceof InstanceNotRegistered)) throw error;
    logger.warn("gateway stop not sent: the agent takes no command; the instance enters the pool anyway", {
      instanceId,
    });
  }
}

function sendUnitCommand(instanceId: string, commands: string[], verb: "start" | "stop"): Promise<string> {
  return sendCommand(
    runShellScript([instanceId], commands, {
      comment: `clawops launch gate: ${verb} the gateway of ${instanceId} (warm pool)`,
      executionTimeoutSeconds: POOL_UNIT_EXECUTION_TIMEOUT_SECONDS,
    }),
  );
}
