import type { GatewayEndpoint } from "@clawops/core/fleet";
import {
  gatewayProbeCommands,
  InstanceNotRegistered,
  outcomeForUnregistered,
  type ProbeOutcome,
  probeExecutionTimeoutSeconds,
  probeOutcomeFromInvocation,
  runShellScript,
} from "@clawops/core/lifecycle";
import { lifecycleStateOf } from "./auto-scaling.js";
import { getInvocation, sendCommand } from "./run-command.js";

/** The SendCommand input that probes gateways (gate: one instance; monitor: a batch of up to 50). */
export function probeCommandInput(
  instanceIds: readonly string[],
  endpoint: GatewayEndpoint,
  comment: string,
) {
  return runShellScript(instanceIds, gatewayProbeCommands(endpoint), {
    comment,
    executionTimeoutSeconds: probeExecutionTimeoutSeconds(endpoint),
  });
}

/**
 * Sends the gate's probe; returns its command id, or the outcome when SSM does not know the instance: a cold
 * boot (agent not registered yet: keep waiting) or an instance neither the group nor its warm pool has (gone).
 */
export async function sendGatewayProbe(
  instanceId: string,
  asgName: string,
  endpoint: GatewayEndpoint,
): Promise<string | ProbeOutcome> {
  try {
    return await sendCommand(probeCommandInput([instanceId], endpoint, `clawops launch gate ${instanceId}`));
  } catch (error) {
    if (!(error instanceof InstanceNotRegistered)) throw error;
    return outcomeForUnregistered(instanceId, await lifecycleStateOf(instanceId, asgName));
  }
}

/** Reads the probe's invocation: its outcome, or undefined while it still runs. Throws ProbeNotReady before SSM has it. */
export async function readGatewayProbe(
  commandId: string,
  instanceId: string,
  endpoint: GatewayEndpoint,
  reads: number,
): Promise<ProbeOutcome | undefined> {
  return probeOutcomeFromInvocation(await getInvocation(commandId, instanceId), endpoint, reads);
}
