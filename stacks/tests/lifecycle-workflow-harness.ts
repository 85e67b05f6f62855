import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Context } from "aws-lambda";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";

type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;

const context = {
  functionName: "clawops-test-lifecycle",
  awsRequestId: "req",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** Loads `stacks/workflows/<name>` as the stack deploys it (substitutions left in place: the Tasks run locally). */
export function loadWorkflow(name: string): StateMachineDefinition {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../workflows/${name}`, import.meta.url)), "utf8"));
}

/** One run of a workflow: its output (or error) and the states it went through, in order. */
export interface WorkflowRun {
  readonly output: Record<string, unknown> | undefined;
  readonly error: Error | undefined;
  readonly states: string[];
  readonly retried: string[];
}

/**
 * Runs an ASL file with aws-local-stepfunctions: every Task calls the in-process handler its
 * `${XxxFunctionArn}` substitution names (the optimized lambda:invoke shape, `{ Payload }` in and out), every
 * Wait and Retry interval is zero.
 */
export async function runWorkflow(
  definition: StateMachineDefinition,
  tasks: Record<string, TaskHandler>,
  input: unknown,
): Promise<WorkflowRun> {
  const locals: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States) as unknown as [
    string,
    Record<string, unknown>,
  ][]) {
    if (state.Type === "Wait") waits[name] = 0;
    if (state.Type !== "Task") continue;
    retries[name] = 0;
    const fn = String((state.Parameters as { FunctionName: string }).FunctionName).replace(
      /^\$\{(.+)\}$/,
      "$1",
    );
    const handler = tasks[fn];
    if (!handler) throw new Error(`no local handler for ${fn} (state ${name})`);
    locals[name] = async (event) => ({
      Payload: await handler((event as { Payload: unknown }).Payload, context),
    });
  }
  const machine = new StateMachine(definition);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: locals as never,
      waitTimeOverrides: waits,
      retryIntervalOverrides: retries,
    },
  });
  let output: Record<string, unknown> | undefined;
  let error: Error | undefined;
  try {
    output = (await execution.result) as Record<string, unknown>;
  } catch (caught) {
    error = caught as Error;
  }
  const states: string[] = [];
  const retried: string[] = [];
  for await (const event of execution.eventLogs) {
    if (event.type === "StateEntered") states.push(event.state.name);
    if (event.type === "StateRetried") retried.push(event.state.name);
  }
  return { output, error, states, retried };
}
