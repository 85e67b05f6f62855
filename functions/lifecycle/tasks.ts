import { handler as complete } from "./complete.js";
import { handler as drain } from "./drain.js";
import { handler as heartbeat } from "./heartbeat.js";
import { handler as probe } from "./probe.js";
import { handler as publish } from "./publish.js";

/**
 * The Task handlers of `launch-gate.asl.json` and `terminate-drain.asl.json`, by the definition substitution
 * each Task names (`${ProbeFunctionArn}`, ...): the stack maps them to deployed functions, the sandbox and the
 * workflow tests to these in-process handlers.
 */
export const lifecycleTasks = {
  ProbeFunctionArn: probe,
  HeartbeatFunctionArn: heartbeat,
  CompleteFunctionArn: complete,
  PublishFunctionArn: publish,
  DrainFunctionArn: drain,
} as const;

/** Substitution name of each lifecycle Task handler. */
export type LifecycleTaskName = keyof typeof lifecycleTasks;
