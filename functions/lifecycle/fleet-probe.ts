import type { GatewayEndpoint } from "@clawops/core/fleet";
import { batchInstanceIds, InstanceNotRegistered, type InvocationResult } from "@clawops/core/lifecycle";
import { probeCommandInput } from "./gateway-probe.js";
import { listInvocations, sendCommand } from "./run-command.js";

/**
 * Sends the gateway probe to every instance: one SendCommand per batch of at most 50 (calls grow with ceil(N/50),
 * not N). Returns the command ids; a batch SSM refuses because an instance is not registered is left out (its
 * instances simply have no result). The monitor does not wait for the bounded script: it collects the
 * results on its next run (`collectFleetProbe`), a period later, so no run idles in Lambda.
 */
export async function sendFleetProbe(
  instanceIds: readonly string[],
  endpoint: GatewayEndpoint,
): Promise<string[]> {
  const commandIds = await Promise.all(
    batchInstanceIds(instanceIds).map((batch) =>
      sendCommand(probeCommandInput(batch, endpoint, "clawops gateway health monitor")).catch(
        (error: unknown) => {
          if (error instanceof InstanceNotRegistered) return undefined;
          throw error;
        },
      ),
    ),
  );
  return commandIds.filter((id): id is string => id !== undefined);
}

/** The results of probes sent earlier: ONE ListCommandInvocations (with Details) per command. */
export async function collectFleetProbe(
  commandIds: readonly string[],
): Promise<Map<string, InvocationResult>> {
  const listed = await Promise.all(commandIds.map((id) => listInvocations(id)));
  const results = new Map<string, InvocationResult>();
  for (const batch of listed) for (const [id, result] of batch) results.set(id, result);
  return results;
}
