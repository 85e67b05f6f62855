import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import {
  FailureDrillError,
  type FailureDrillResult,
  failureDrillParameterName,
  failureDrillResultFromCause,
  failureDrillSummary,
} from "@clawops/core/failure-drill";

/** What `runFailureDrill` needs from the CLI's target (a structural subset of packages/cli's `Target`). */
export interface FailureDrillTarget {
  readonly stage: string;
  /** An AWS client in the target's region (the CLI's `--region`); the default factory's when absent. */
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's client config type differs per service.
  client?<C>(Ctor: new (config: any) => C): C;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What it prints through (a subset of the CLI's `Output`). */
export interface FailureDrillOutput {
  out(line: string): void;
  err(line: string): void;
}

/** What the drill ended with: passed or not, the result when it got that far, the plan on a dry run. */
export interface FailureDrillRun {
  readonly passed: boolean;
  readonly status: string;
  readonly result?: FailureDrillResult;
  readonly plan?: readonly string[];
  readonly error?: string;
}

const POLL_MS = 15_000;

/**
 * `clawops drill --failure [--instance i-...] [--dry-run]`: starts the failure-drill state machine (found
 * through the `/clawops/<stage>/failure-drill-state-machine-arn` parameter) with `{ instanceId?, dryRun? }`
 * and waits for it. A dry run ends at once with the chosen instance and the plan; a refusal ends with
 * `FailureDrillRefused` and its reason. `onStarted` hears the execution's ARN once it runs: an error after that
 * (AWS denying `states:DescribeExecution`) leaves a drill running that the caller must still point the operator to.
 */
export async function runFailureDrill(
  target: FailureDrillTarget,
  options: {
    readonly output: FailureDrillOutput;
    readonly instanceId?: string;
    readonly dryRun?: boolean;
    readonly onStarted?: (executionArn: string) => void;
  },
): Promise<FailureDrillRun> {
  const notDeployed = () =>
    new FailureDrillError(
      `stage ${target.stage} has no failure drill (${failureDrillParameterName(target.stage)}): run npx sst deploy --stage ${target.stage}`,
    );
  const clientOf = target.client?.bind(target) ?? client;
  const { Parameter } = await clientOf(SSMClient)
    .send(new GetParameterCommand({ Name: failureDrillParameterName(target.stage) }))
    .catch((error: Error) => {
      throw error.name === "ParameterNotFound" ? notDeployed() : error;
    });
  if (!Parameter?.Value) throw notDeployed();
  const input = {
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    dryRun: options.dryRun === true,
  };
  const sfn = clientOf(SFNClient);
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: Parameter.Value, input: JSON.stringify(input) }),
  );
  options.output.err(`failure drill started (${executionArn})`);
  if (executionArn) options.onStarted?.(executionArn);
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status ?? "RUNNING";
    if (status !== "RUNNING") {
      const state = execution.output ? (JSON.parse(execution.output) as Record<string, unknown>) : {};
      // A drill that missed a window fails its execution with the result as the cause (no output then).
      const result =
        (state.result as FailureDrillResult | undefined) ??
        (execution.error === "FailureDrillFailed" ? failureDrillResultFromCause(execution.cause) : undefined);
      const cause =
        result && execution.error ? (result.abortedBecause ?? "a window was missed") : execution.cause;
      const error = [execution.error, cause].filter(Boolean).join(": ") || undefined;
      const plan = state.plan as string[] | undefined;
      for (const line of plan && options.dryRun ? plan : []) options.output.out(`would ${line}`);
      for (const line of result ? failureDrillSummary(result) : []) options.output.out(line);
      if (error) options.output.out(error);
      return {
        passed: status === "SUCCEEDED" && (options.dryRun === true || result?.passed === true),
        status,
        ...(result ? { result } : {}),
        ...(plan ? { plan } : {}),
        ...(error ? { error } : {}),
      };
    }
    await target.sleep(POLL_MS);
  }
}
