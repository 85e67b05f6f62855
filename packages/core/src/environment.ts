import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The one module that reads `process.env`. Everything else receives these values as arguments.
 * Lambda sets `AWS_REGION`; the stacks set the `CLAWOPS_*` variables on each function.
 */
export interface ClawopsEnvironment {
  /** AWS region of the running function or CLI, when known. */
  readonly region: string | undefined;
  /** Deployment stage (`prod`, `dev`, `sandbox`, ...). */
  readonly stage: string;
  /** Name of the DynamoDB state table (Core stack). */
  readonly stateTable: string | undefined;
  /** URL of the dead-letter queue that permanent failures are sent to, with their reason. */
  readonly deadLetterQueueUrl: string | undefined;
  /** Event bus that clawops publishes its own events to. */
  readonly eventBusName: string;
  /** JSON settings a function needs from `clawops.config.ts` (a function-specific subset). */
  readonly settings: string | undefined;
}

const functionEnvironment = new AsyncLocalStorage<NodeJS.ProcessEnv>();

/**
 * Runs `fn` as if it were inside a Lambda function whose environment is `variables` (over `process.env`).
 * In AWS every function has its own environment; the sandbox runs many functions in one process, and uses
 * this so two flows' `CLAWOPS_SETTINGS` never meet.
 */
export function withFunctionEnvironment<T>(variables: Record<string, string | undefined>, fn: () => T): T {
  return functionEnvironment.run({ ...process.env, ...variables }, fn);
}

/** Reads the environment (the function's own inside `withFunctionEnvironment`); `env` is injectable for tests. */
export function readEnvironment(
  env: NodeJS.ProcessEnv = functionEnvironment.getStore() ?? process.env,
): ClawopsEnvironment {
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    stage: env.CLAWOPS_STAGE ?? "dev",
    stateTable: env.CLAWOPS_STATE_TABLE,
    deadLetterQueueUrl: env.CLAWOPS_DLQ_URL,
    eventBusName: env.CLAWOPS_EVENT_BUS ?? "default",
    settings: env.CLAWOPS_SETTINGS,
  };
}

/** Version string sent in the user agent (`clawops/<version>`). */
export const CLAWOPS_VERSION = "0.1.0";
