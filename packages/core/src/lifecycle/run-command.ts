/**
 * The shape of the Run Command calls every lifecycle flow makes (gate probe, drain, monitor), kept free of SDK
 * types so the sandbox and the benchmarks build the same inputs.
 */

/** SSM takes at most 50 `InstanceIds` per SendCommand (more has been answered with a misleading throttling error). */
export const MAX_INSTANCES_PER_SEND_COMMAND = 50;

/** SendCommand's delivery timeout (`TimeoutSeconds`) cannot be below 30 s. */
export const MIN_DELIVERY_TIMEOUT_SECONDS = 30;

/** The document every lifecycle command runs. */
export const RUN_SHELL_SCRIPT = "AWS-RunShellScript";

/** A SendCommand request, as plain data. */
export interface RunShellScriptInput {
  readonly DocumentName: typeof RUN_SHELL_SCRIPT;
  readonly InstanceIds: string[];
  readonly Comment: string;
  readonly TimeoutSeconds: number;
  readonly MaxConcurrency: string;
  readonly MaxErrors: string;
  readonly Parameters: { commands: string[]; executionTimeout: string[] };
}

/**
 * A bounded `AWS-RunShellScript` request. `executionTimeout` defaults to 3600 s on AWS's side, so it is always
 * set; MaxErrors is 100% because Run Command otherwise stops a batch at the first failing instance, and one
 * dead gateway must not hide the health of the other 49.
 */
export function runShellScript(
  instanceIds: readonly string[],
  commands: readonly string[],
  options: { comment: string; executionTimeoutSeconds: number },
): RunShellScriptInput {
  if (instanceIds.length === 0 || instanceIds.length > MAX_INSTANCES_PER_SEND_COMMAND) {
    throw new RangeError(
      `SendCommand takes 1-${MAX_INSTANCES_PER_SEND_COMMAND} instances, got ${instanceIds.length}`,
    );
  }
  return {
    DocumentName: RUN_SHELL_SCRIPT,
    InstanceIds: [...instanceIds],
    Comment: options.comment.slice(0, 100),
    TimeoutSeconds: MIN_DELIVERY_TIMEOUT_SECONDS,
    MaxConcurrency: "100%",
    MaxErrors: "100%",
    Parameters: { commands: [...commands], executionTimeout: [String(options.executionTimeoutSeconds)] },
  };
}

/** Splits instance ids into SendCommand batches of at most 50, in order. */
export function batchInstanceIds(
  instanceIds: readonly string[],
  size: number = MAX_INSTANCES_PER_SEND_COMMAND,
): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < instanceIds.length; i += size) batches.push(instanceIds.slice(i, i + size));
  return batches;
}

/** A command invocation's state as GetCommandInvocation / ListCommandInvocations report it. */
export interface InvocationResult {
  /** `Pending`, `InProgress`, `Delayed`, `Success`, `Failed`, `TimedOut`, `Cancelled`, ... */
  readonly status: string;
  /**
   * SSM's `StatusDetails`, finer than `status`: a `TimedOut` invocation is `DeliveryTimedOut` (it never reached
   * the agent) or `ExecutionTimedOut` (it ran on the instance past its executionTimeout); a `Failed` one may be
   * `Undeliverable`, `Terminated`, ... Absent when the caller did not read it.
   */
  readonly statusDetails?: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

const IN_FLIGHT = new Set(["Pending", "InProgress", "Delayed", "Cancelling"]);

/** True while the invocation may still produce output. */
export function isInvocationInFlight(result: InvocationResult): boolean {
  return IN_FLIGHT.has(result.status);
}

/**
 * True when the command started on the instance and did not finish within its `executionTimeout`
 * (`StatusDetails` `ExecutionTimedOut`). The agent enforces that timeout on the instance and reports it, so it
 * says the instance ran the script and the script hung there. A command that expires before the agent reported
 * anything (never delivered, or delivered to an agent that went silent) ends `DeliveryTimedOut` instead: SSM
 * cannot tell those two apart, and neither can its caller.
 */
export function isExecutionTimedOut(result: InvocationResult): boolean {
  return result.statusDetails === "ExecutionTimedOut";
}
