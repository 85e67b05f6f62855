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

/** Reads the environment once; `env` is injectable for tests. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): ClawopsEnvironment {
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
