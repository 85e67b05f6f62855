import { handler as ingestEvals } from "./evals.js";
import { handler as run } from "./run.js";

/** The readiness functions by the name the stack and the sandbox know them (no state machine uses them). */
export const readinessTasks = {
  ReadinessRunFunctionArn: run,
  EvalsIngestFunctionArn: ingestEvals,
} as const;
