import type { Sandbox } from "../../sandbox.js";

/**
 * The environment every clawops function gets from its stack (stacks/index.ts and each stack's defaults), for the
 * sandbox: the region, the stage, the state table, the dead-letter queue, and the function's settings when it has
 * any. Scenes run each function in it (`withFunctionEnvironment`).
 */
export function sandboxFunctionEnvironment(sandbox: Sandbox, settings?: unknown): Record<string, string> {
  return {
    AWS_REGION: sandbox.config.app.region,
    CLAWOPS_STAGE: sandbox.config.stage,
    CLAWOPS_STATE_TABLE: sandbox.dynamo.table,
    CLAWOPS_DLQ_URL: sandbox.deadLetters.url,
    ...(settings === undefined ? {} : { CLAWOPS_SETTINGS: JSON.stringify(settings) }),
  };
}
