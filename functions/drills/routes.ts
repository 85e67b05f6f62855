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
 * The drill flow's rules: a restore-testing job of this stage's restore testing plan that COMPLETED starts the
 * drill state machine in validation mode (no such rule without a plan: another plan's jobs are not this
 * stage's to validate); a drill execution that ended without its own cleanup (stopped, timed out) is cleaned
 * up by drill id.
 */
export function drillRoutes(stateMachineArn: string, restoreTestingPlanArn?: string): DrillRoute[] {
  return [
    ...(restoreTestingPlanArn
      ? [
          {
            id: "RestoreTestingCompleted",
            pattern: restoreTestingCompletedPattern(restoreTestingPlanArn),
            target: { stateMachine: "restore-drill.asl.json" } as const,
          },
        ]
      : []),
    {
      id: "DrillExecutionEnded",
      pattern: drillExecutionEndedPattern(stateMachineArn),
      target: executionEnded,
    },
  ];
}
