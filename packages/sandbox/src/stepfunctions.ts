import "./polyfills.js";
import { readFileSync } from "node:fs";
import type { AwsCall } from "@clawops/core/aws";
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from "aws-local-stepfunctions";
import { clockRetries, clockWaits, type Definition, eachState, type LocalHandler } from "./asl-transform.js";
import { awsError } from "./aws/simulator.js";
import type { SandboxWorld } from "./aws/world.js";
import { type HistoryEvent, recordHistory } from "./execution-history.js";

/** A Task's in-process implementation: gets the state's input, returns its result. */
export type TaskHandler = (input: unknown) => unknown;

/** One state machine of the sandbox. */
export interface StateMachineSpec {
  readonly name: string;
  /** The ASL definition, or the path of a `stacks/workflows/*.asl.json` file. */
  readonly definition: Record<string, unknown> | string;
  /** `${Key}` placeholders replaced in the definition (CDK's DefinitionSubstitutions). */
  readonly substitutions?: Record<string, string>;
  /** Task handlers by state name. */
  readonly handlers?: Record<string, TaskHandler>;
  /**
   * Handlers by Lambda function name, for `arn:aws:states:::lambda:invoke` Tasks without a state-name
   * handler: they get the `Payload` and their result is wrapped as `{ Payload }`, as the integration does.
   */
  readonly lambdas?: Record<string, TaskHandler>;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** The execution's history so far, as `GetExecutionHistory` returns it. */
  readonly history: HistoryEvent[];
  readonly done: Promise<void>;
  abort(): void;
}

/** Answers `aws-sdk:` service integrations (the AWS simulator). */
export type ServiceIntegration = (call: AwsCall) => Promise<Record<string, unknown>>;

const SDK_SERVICES: Record<string, string> = {
  autoscaling: "AutoScaling",
  ssm: "SSM",
  cloudwatch: "CloudWatch",
  ec2: "EC2",
  eventbridge: "EventBridge",
  secretsmanager: "SecretsManager",
  sfn: "SFN",
  efs: "EFS",
  backup: "Backup",
  dynamodb: "DynamoDB",
  iam: "IAM",
  cloudwatchlogs: "CloudWatchLogs",
};

/**
 * Step Functions for the sandbox: the real ASL files run with aws-local-stepfunctions, Task states call
 * handlers in-process, Waits and Retry intervals pass on the sandbox clock, executions have names (a repeated
 * name with the same input returns the running execution, as StartExecution does).
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, { spec: StateMachineSpec; definition: string }>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private closing = false;

  constructor(
    private readonly world: SandboxWorld,
    private readonly integration?: ServiceIntegration,
  ) {}

  /** Registers a state machine; returns its ARN. */
  define(spec: StateMachineSpec): string {
    let text =
      typeof spec.definition === "string"
        ? readFileSync(spec.definition, "utf8")
        : JSON.stringify(spec.definition);
    for (const [key, value] of Object.entries(spec.substitutions ?? {}))
      text = text.replaceAll(`\${${key}}`, value);
    JSON.parse(text);
    const arn = this.arnOf(spec.name);
    this.machines.set(arn, { spec, definition: text });
    return arn;
  }

  arnOf(name: string): string {
    return name.startsWith("arn:") ? name : this.world.arn("states", `stateMachine:${name}`);
  }

  /** StartExecution: by machine name or ARN; a name is reused only for the same input while running. */
  start(machine: string, input: unknown, name?: string): ExecutionRecord {
    const stateMachineArn = this.arnOf(machine);
    const entry = this.machines.get(stateMachineArn);
    if (!entry)
      throw awsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionName = name ?? this.world.uuid("execution");
    const invalid = invalidExecutionName(executionName);
    if (invalid) throw awsError("InvalidName", `Invalid Name: '${executionName}' (${invalid})`);
    const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`;
    const inputText = JSON.stringify(input ?? {});
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === "RUNNING" && existing.input === inputText) return existing;
      throw awsError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    const definition = JSON.parse(entry.definition) as Definition;
    // The history names states by their type as written: the clock transform turns Waits into Tasks.
    const declaredTypes = new Map<string, string>();
    eachState(JSON.parse(entry.definition) as Definition, (stateName, state) =>
      declaredTypes.set(stateName, String(state.Type)),
    );
    const handlers = this.handlersFor(entry.spec, definition);
    const machineRun = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false, checkPaths: false },
    });
    const retryIntervalOverrides: Record<string, number> = {};
    eachState(definition, (stateName, state) => {
      if (state.Retry) retryIntervalOverrides[stateName] = 0;
    });
    const startDate = this.world.clock.now();
    const run = machineRun.run(JSON.parse(inputText), {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
      context: {
        Execution: {
          Id: executionArn,
          Name: executionName,
          StartTime: new Date(startDate).toISOString(),
          Input: JSON.parse(inputText),
        },
        StateMachine: { Id: stateMachineArn, Name: entry.spec.name },
      } as never,
    });
    const history: HistoryEvent[] = [];
    void recordHistory(run.eventLogs, history, {
      now: () => this.world.clock.now(),
      typeOf: (stateName) => declaredTypes.get(stateName),
    }).catch(() => undefined);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name: executionName,
      input: inputText,
      startDate,
      history,
      status: "RUNNING",
      abort: () => run.abort(),
      done: run.result.then(
        (output) => this.finish(record, "SUCCEEDED", { output: JSON.stringify(output) }),
        (error: Error) => this.finish(record, ...failure(error)),
      ),
    };
    this.executions.set(executionArn, record);
    this.publishStatus(record);
    return record;
  }

  describe(executionArn: string): ExecutionRecord {
    const found = this.executions.get(executionArn);
    if (!found) throw awsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
    return found;
  }

  list(machine?: string, status?: ExecutionStatus): ExecutionRecord[] {
    const arn = machine ? this.arnOf(machine) : undefined;
    return [...this.executions.values()]
      .filter((e) => (!arn || e.stateMachineArn === arn) && (!status || e.status === status))
      .sort((a, b) => b.startDate - a.startDate);
  }

  stop(executionArn: string, error?: string, cause?: string): ExecutionRecord {
    const record = this.describe(executionArn);
    if (record.status === "RUNNING") {
      this.finish(record, "ABORTED", { error, cause });
      record.abort();
    }
    return record;
  }

  /** Aborts every running execution (the sandbox is closing: no status change is published). */
  abortAll(): void {
    this.closing = true;
    for (const record of this.executions.values())
      if (record.status === "RUNNING") this.stop(record.executionArn, "Sandbox.Closed");
  }

  /** Resolves when every execution started so far has ended. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }

  private finish(
    record: ExecutionRecord,
    status: ExecutionStatus,
    result: { output?: string; error?: string; cause?: string },
  ): void {
    if (record.status !== "RUNNING") return;
    record.status = status;
    record.stopDate = this.world.clock.now();
    Object.assign(record, result);
    this.publishStatus(record);
  }

  /**
   * Step Functions sends a Standard workflow's status changes to the account's default bus as
   * "Step Functions Execution Status Change" (source `aws.states`, the execution's ARN as the resource).
   */
  private publishStatus(record: ExecutionRecord): void {
    if (this.closing) return;
    this.world.publish({
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      resources: [record.executionArn],
      detail: {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: record.startDate,
        stopDate: record.stopDate ?? null,
        input: record.input,
        output: record.output ?? null,
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
      },
    });
  }

  /** Every Task state gets a handler: given, by Lambda name, a service integration, or one that fails loudly. */
  private handlersFor(spec: StateMachineSpec, definition: Definition): Record<string, LocalHandler> {
    const handlers: Record<string, LocalHandler> = clockWaits(definition, this.world.clock);
    eachState(definition, (name, state) => {
      if (state.Type !== "Task" || handlers[name]) return;
      const resource = String(state.Resource);
      const given = spec.handlers?.[name];
      let handler: LocalHandler;
      if (given) handler = async (input) => given(input);
      else if (resource === "arn:aws:states:::lambda:invoke") handler = this.lambdaInvoke(spec, name);
      else if (resource.startsWith("arn:aws:states:::aws-sdk:") && this.integration)
        handler = this.sdkIntegration(resource);
      else
        handler = async () =>
          Promise.reject(
            new Error(
              `not simulated: Task state "${name}" (${resource}) of ${spec.name} has no local handler`,
            ),
          );
      handlers[name] = clockRetries(state, handler, this.world.clock);
    });
    return handlers;
  }

  private lambdaInvoke(spec: StateMachineSpec, state: string): LocalHandler {
    return async (input) => {
      const { FunctionName, Payload } = input as { FunctionName: string; Payload: unknown };
      const name = String(FunctionName).split(":function:").pop()?.split(":")[0] ?? "";
      const lambda = spec.lambdas?.[name] ?? spec.lambdas?.[String(FunctionName)];
      if (!lambda)
        throw new Error(`not simulated: Lambda ${FunctionName} invoked by "${state}" of ${spec.name}`);
      return { Payload: await lambda(Payload), StatusCode: 200, ExecutedVersion: "$LATEST" };
    };
  }

  private sdkIntegration(resource: string): LocalHandler {
    const [serviceKey = "", action = ""] = resource.replace("arn:aws:states:::aws-sdk:", "").split(":");
    const service = SDK_SERVICES[serviceKey] ?? serviceKey;
    const command = action.charAt(0).toUpperCase() + action.slice(1);
    return async (input) => {
      try {
        const output = await this.integration?.({
          service,
          command,
          input: (input ?? {}) as Record<string, unknown>,
        });
        return JSON.parse(JSON.stringify(output ?? {}));
      } catch (error) {
        // Step Functions names SDK integration errors "<Service>.<ErrorName>".
        const named = new Error((error as Error).message);
        named.name = `${service}.${(error as Error).name}`;
        throw named;
      }
    };
  }
}

/**
 * A bus target that starts an execution of `machine` with the event as input, as an EventBridge rule with a
 * Step Functions target does; `name` gives the execution a name (idempotent starts), as a launch gate uses.
 */
export function stateMachineTarget(
  engine: LocalStepFunctions,
  machine: string,
  name?: (event: { detail: Record<string, unknown> }) => string,
): (event: { detail: Record<string, unknown> }) => ExecutionRecord {
  return (event) => engine.start(machine, event, name?.(event));
}

function failure(error: Error): [ExecutionStatus, { error?: string; cause?: string }] {
  if (error instanceof ExecutionTimeoutError) return ["TIMED_OUT", { error: "States.Timeout" }];
  if (error instanceof ExecutionAbortedError) return ["ABORTED", {}];
  if (error instanceof ExecutionError) {
    const cause = error.cause as Error | undefined;
    return ["FAILED", { error: cause?.name ?? "States.Runtime", cause: cause?.message ?? error.message }];
  }
  return ["FAILED", { error: error.name, cause: error.message }];
}

/** Characters StartExecution refuses in a name, besides white space and control characters. */
const NAME_FORBIDDEN = new Set('<>{}[]?*"#%\\^|~`$&,;:/');

/** Why StartExecution would refuse `name` (1 to 80 characters, none of the forbidden ones), or undefined. */
export function invalidExecutionName(name: string): string | undefined {
  if (name.length < 1 || name.length > 80) return `${name.length} characters; 1 to 80 allowed`;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    if (control || /\s/u.test(char) || NAME_FORBIDDEN.has(char)) return `contains ${JSON.stringify(char)}`;
  }
  return undefined;
}
