// The patterns module, not the events barrel: the barrel's zod event schemas are built at import time.
import { EventPatternError } from "../events/errors.js";
import { type EventPattern, restoreJobStateChangePattern } from "../events/patterns.js";

/**
 * Restore-testing jobs of one restore testing plan (this stage's) that COMPLETED: the ones clawops validates.
 * Every restore-testing job of the account and region reaches the default bus, so a rule that only asked for
 * some plan would start this stage's drill for another stage's or team's job. AWS names the plan in
 * `restoreTestingPlanArn` (or `createdBy.restoreTestingPlanArn`) and the status in `status` (or `state`).
 *
 * @example restoreTestingCompletedPattern("arn:aws:backup:us-east-1:123456789012:restore-testing-plan:clawops_prod_openclaw-1a2b3c4d")
 */
export function restoreTestingCompletedPattern(restoreTestingPlanArn: string): EventPattern {
  if (restoreTestingPlanArn.length === 0)
    throw new EventPatternError("detail.restoreTestingPlanArn", "the restore testing plan's ARN is empty");
  const plan = [restoreTestingPlanArn];
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
