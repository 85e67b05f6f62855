import { handler as announce } from "./announce.js";
import { handler as observe } from "./observe.js";
import { handler as preflight } from "./preflight.js";
import { handler as record } from "./record.js";
import { handler as restore } from "./restore.js";
import { handler as stop } from "./stop.js";

/**
 * The Task handlers of `failure-drill.asl.json`, by the definition substitution each Task names
 * (`${PreflightFunctionArn}`, ...): the stack maps them to deployed functions, the sandbox and the workflow
 * tests to these in-process handlers.
 */
export const failureDrillTasks = {
  PreflightFunctionArn: preflight,
  AnnounceFunctionArn: announce,
  StopFunctionArn: stop,
  ObserveFunctionArn: observe,
  RestoreFunctionArn: restore,
  RecordFunctionArn: record,
} as const;

/** Substitution name of each failure-drill Task handler. */
export type FailureDrillTaskName = keyof typeof failureDrillTasks;
