import type { GatewayEndpoint } from "@clawops/core/fleet";
import { batchInstanceIds, InstanceNotRegistered, type InvocationResult } from "@clawops/core/lifecycle";
import { probeCommandInput } from "./gateway-probe.js";
import { listInvocations, sendCommand } from "./run-command.js";

/** What one monitor run's SendCommand calls did: the commands sent, the instances SSM refused, the failed calls. */
export interface FleetProbeSent {
  readonly commandIds: string[];
  /** Instances SSM answered `InvalidInstanceId` for, alone in their SendCommand: unreachable through SSM. */
  readonly refused: string[];
  /**
   * SendCommand calls that failed otherwise (throttled or 5xx past the SDK's retries): their instances have no
   * invocation in `commandIds`, so the next run counts them not probed (neither failed nor silent).
   */
  readonly failed: { readonly instanceIds: string[]; readonly error: unknown }[];
}

const COMMENT = "clawops gateway health monitor";

/**
 * Sends the gateway probe to every instance: one SendCommand per batch of at most 50 (calls grow with ceil(N/50),
 * not N). The monitor does not wait for the bounded script: it collects the results on its next run
 * (`collectFleetProbe`), a period later, so no run idles in Lambda.
 */
export async function sendFleetProbe(
  instanceIds: readonly string[],
  endpoint: GatewayEndpoint,
): Promise<FleetProbeSent> {
  const sent = await Promise.all(batchInstanceIds(instanceIds).map((batch) => sendBatch(batch, endpoint)));
  return {
    commandIds: sent.flatMap((s) => s.commandIds),
    refused: sent.flatMap((s) => s.refused),
    failed: sent.flatMap((s) => s.failed),
  };
}

/**
 * SSM refuses a whole SendCommand with `InvalidInstanceId` when ANY listed instance's agent is stopped or not
 * registered, without saying which in a field: the batch is split in halves until the refused instances stand
 * alone (about 2·log2(50) extra calls for one such instance in a batch), so the others are still probed. Any
 * other failure is returned, not thrown: one throttled batch must not cost the run its counts (`failed`).
 */
async function sendBatch(batch: readonly string[], endpoint: GatewayEndpoint): Promise<FleetProbeSent> {
  try {
    return {
      commandIds: [await sendCommand(probeCommandInput(batch, endpoint, COMMENT))],
      refused: [],
      failed: [],
    };
  } catch (error) {
    if (!(error instanceof InstanceNotRegistered))
      return { commandIds: [], refused: [], failed: [{ instanceIds: [...batch], error }] };
    if (batch.length === 1) return { commandIds: [], refused: [...batch], failed: [] };
    const half = Math.ceil(batch.length / 2);
    const [first, second] = await Promise.all([
      sendBatch(batch.slice(0, half), endpoint),
      sendBatch(batch.slice(half), endpoint),
    ]);
    return {
      commandIds: [...first.commandIds, ...second.commandIds],
      refused: [...first.refused, ...second.refused],
      failed: [...first.failed, ...second.failed],
    };
  }
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
