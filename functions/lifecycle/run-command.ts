import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import { classifySsmError, type InvocationResult, type RunShellScriptInput } from "@clawops/core/lifecycle";

/** SendCommand; returns the command id. SSM errors come back classified (InstanceNotRegistered, AwsThrottled). */
export async function sendCommand(input: RunShellScriptInput): Promise<string> {
  try {
    const { Command } = await client(SSMClient).send(new SendCommandCommand(input));
    if (!Command?.CommandId) throw new Error("SendCommand answered without a command id");
    return Command.CommandId;
  } catch (error) {
    throw classifySsmError(error, { instanceId: input.InstanceIds[0] });
  }
}

/** GetCommandInvocation for one instance; `InvocationDoesNotExist` comes back as ProbeNotReady. */
export async function getInvocation(commandId: string, instanceId: string): Promise<InvocationResult> {
  try {
    const out = await client(SSMClient).send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    return {
      status: out.Status ?? "Pending",
      statusDetails: out.StatusDetails,
      stdout: out.StandardOutputContent ?? "",
      stderr: out.StandardErrorContent ?? "",
    };
  } catch (error) {
    throw classifySsmError(error, { instanceId, commandId });
  }
}

/**
 * Every invocation of one command with its output: ONE ListCommandInvocations with `Details` (a batch is at
 * most 50 instances, which fits one page). Right after SendCommand the list may be empty or partial: the
 * caller treats a missing instance as "no result yet".
 */
export async function listInvocations(commandId: string): Promise<Map<string, InvocationResult>> {
  try {
    const { CommandInvocations = [] } = await client(SSMClient).send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50 }),
    );
    const results = new Map<string, InvocationResult>();
    for (const invocation of CommandInvocations) {
      if (!invocation.InstanceId) continue;
      const plugin = invocation.CommandPlugins?.[0];
      // The plugin's Output holds at most 2,500 characters here; the readiness probe keeps its output under 2,300 (PROBE_LIST_BUDGETS).
      results.set(invocation.InstanceId, {
        status: invocation.Status ?? "Pending",
        // DeliveryTimedOut (expired undelivered) vs ExecutionTimedOut (ran and hung): the monitor needs which.
        statusDetails: invocation.StatusDetails ?? plugin?.StatusDetails,
        stdout: plugin?.Output ?? "",
        stderr: "",
      });
    }
    return results;
  } catch (error) {
    throw classifySsmError(error, { commandId });
  }
}
