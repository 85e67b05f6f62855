import { type GatewayCommandOutcome, gatewayCommandOutcome } from "@clawops/core/failure-drill";
import { ProbeNotReady } from "@clawops/core/lifecycle";
import { getInvocation } from "../lifecycle/run-command.js";

/**
 * How a drill command (the stop, the restart) ended on its instance (GetCommandInvocation). AWS answers
 * InvocationDoesNotExist for a moment after SendCommand: that is "still running", read again next time.
 */
export async function commandOutcome(commandId: string, instanceId: string): Promise<GatewayCommandOutcome> {
  try {
    return gatewayCommandOutcome(await getInvocation(commandId, instanceId));
  } catch (error) {
    if (error instanceof ProbeNotReady) return gatewayCommandOutcome(null);
    throw error;
  }
}
