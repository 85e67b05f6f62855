import type { GatewayEndpoint } from "@clawops/core/fleet";
import {
  batchInstanceIds,
  InstanceNotRegistered,
  type InvocationResult,
  probeExecutionTimeoutSeconds,
} from "@clawops/core/lifecycle";
import { probeCommandInput } from "./gateway-probe.js";
import { listInvocations, sendCommand } from "./run-command.js";

/** Waits real time in Lambda; tests and benchmarks pass their own. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Probes every instance: one SendCommand per batch of at most 50, one wait for the bounded script, then ONE
 * ListCommandInvocations (with Details) per batch. Calls grow with ceil(N/50), not N. An instance without a
 * result (batch refused because an instance just left, invocation not listed yet) is simply absent.
 */
export async function probeFleet(
  instanceIds: readonly string[],
  endpoint: GatewayEndpoint,
  sleep: Sleep,
): Promise<Map<string, InvocationResult>> {
  const batches = batchInstanceIds(instanceIds);
  const commandIds = await Promise.all(
    batches.map((batch) =>
      sendCommand(probeCommandInput(batch, endpoint, "clawops gateway health monitor")).catch(
        (error: unknown) => {
          if (error instanceof InstanceNotRegistered) return undefined;
          throw error;
        },
      ),
    ),
  );
  if (commandIds.some((id) => id !== undefined)) await sleep(probeExecutionTimeoutSeconds(endpoint) * 1000);
  const listed = await Promise.all(
    commandIds.map((id) => (id ? listInvocations(id) : new Map<string, InvocationResult>())),
  );
  const results = new Map<string, InvocationResult>();
  for (const batch of listed) for (const [id, result] of batch) results.set(id, result);
  return results;
}
