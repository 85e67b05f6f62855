// The patterns module, not the events barrel: the barrel's zod event schemas are built at import time.
import { type EventPattern, restoreJobStateChangePattern } from "../events/patterns.js";

/**
 * Restore-testing jobs that COMPLETED: the ones clawops validates. AWS names the plan in
 * `restoreTestingPlanArn` (or `createdBy.restoreTestingPlanArn`) and the status in `status` (or `state`).
 */
export function restoreTestingCompletedPattern(): EventPattern {
  const plan = [{ exists: true }];
  return {
    ...restoreJobStateChangePattern(),
    detail: {
      $or: [
        { status: ["COMPLETED"], restoreTestingPlanArn: plan },
        { state: ["COMPLETED"], restoreTestingPlanArn: plan },
        { status: ["COMPLETED"], createdBy: { restoreTestingPlanArn: plan } },
        { state: ["COMPLETED"], createdBy: { restoreTestingPlanArn: plan } },
      ],
    },
  };
}

/** Step Functions' event for a Standard execution that ended. */
export const EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change";

/**
 * Drill executions that ended without running their own cleanup: stopped (ABORTED), TIMED_OUT, or FAILED
 * outside a Catch. Their resources are cleaned up by drill id (the execution name).
 */
export function drillExecutionEndedPattern(stateMachineArn: string): EventPattern {
  return {
    source: ["aws.states"],
    "detail-type": [EXECUTION_STATUS_CHANGE],
    detail: { status: ["ABORTED", "TIMED_OUT", "FAILED"], stateMachineArn: [stateMachineArn] },
  };
}
