import { handler as choose } from "./choose.js";
import { handler as cleanup } from "./cleanup.js";
import { handler as plan } from "./plan.js";
import { handler as poll } from "./poll.js";
import { handler as prepare } from "./prepare.js";
import { handler as report } from "./report.js";
import { handler as start } from "./start.js";
import { handler as verify } from "./verify.js";

/**
 * The Task handlers of `restore-drill.asl.json`, by the definition substitution each Task names: the stack maps
 * them to deployed functions (the verifier is its own function, in the fleet's VPC), the sandbox and the
 * workflow tests to these in-process handlers.
 */
export const drillTasks = {
  PlanFunctionArn: plan,
  ChooseFunctionArn: choose,
  StartFunctionArn: start,
  PollFunctionArn: poll,
  PrepareFunctionArn: prepare,
  VerifierFunctionArn: verify,
  CleanupFunctionArn: cleanup,
  ReportFunctionArn: report,
} as const;

/** Substitution name of each drill Task handler. */
export type DrillTaskName = keyof typeof drillTasks;
