import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { client } from "@clawops/core/aws";
import { gateExecutionName, type LifecycleAction } from "@clawops/core/lifecycle";

/** How a start ended: a new execution, or the one already started for this action. */
export interface FlowStart {
  readonly executionName: string;
  readonly duplicate: boolean;
}

/**
 * Starts the action's flow, named after the action (`gateExecutionName`). Step Functions answers a second
 * start with the same name either with the running execution (same input) or `ExecutionAlreadyExists`: both
 * mean a duplicate event, and exactly one gate runs.
 */
export async function startFlow(
  stateMachineArn: string,
  action: LifecycleAction,
  now: number,
): Promise<FlowStart> {
  const executionName = gateExecutionName(action, now);
  try {
    await client(SFNClient).send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify({ action }) }),
    );
    return { executionName, duplicate: false };
  } catch (error) {
    if ((error as Error).name === "ExecutionAlreadyExists") return { executionName, duplicate: true };
    throw error;
  }
}

/** Names of the state machine's running executions (all pages). */
export async function runningExecutionNames(stateMachineArn: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client(SFNClient).send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: "RUNNING", maxResults: 1000, nextToken }),
    );
    for (const execution of page.executions ?? []) if (execution.name) names.push(execution.name);
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}
