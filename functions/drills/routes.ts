import { drillExecutionEndedPattern, restoreTestingCompletedPattern } from "@clawops/core/drills";
import type { EventPattern } from "@clawops/core/events";
import { handler as executionEnded } from "./execution-ended.js";

/** One EventBridge route of the drill flow: the stack deploys it, the sandbox bus matches with it. */
export interface DrillRoute {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly target: typeof executionEnded | { readonly stateMachine: "restore-drill.asl.json" };
}

/**
 * The drill flow's rules: a restore-testing job that COMPLETED starts the drill state machine in validation
 * mode; a drill execution that ended without its own cleanup (stopped, timed out) is cleaned up by drill id.
 */
export function drillRoutes(stateMachineArn: string): DrillRoute[] {
  return [
    {
      id: "RestoreTestingCompleted",
      pattern: restoreTestingCompletedPattern(),
      target: { stateMachine: "restore-drill.asl.json" },
    },
    {
      id: "DrillExecutionEnded",
      pattern: drillExecutionEndedPattern(stateMachineArn),
      target: executionEnded,
    },
  ];
}
