import type { StageLookup } from "../src/stage-target.js";

/**
 * A stage deployed in eu-west-1, as its SSM parameters under /clawops/prod/ describe it: the fleet, the state
 * table, the dead-letter queue and the readiness function, with `extra` parameters (another flow's) on top.
 */
export function deployedStage(extra: Record<string, string> = {}): StageLookup {
  return {
    credentials: async () => {},
    parameters: async () => ({
      fleet: JSON.stringify({
        name: "openclaw",
        instanceRoleArn: "arn:aws:iam::123456789012:role/openclaw",
        autoScalingGroupName: "clawops-prod-openclaw",
        workspace: { fileSystemId: "fs-0a" },
        runtime: { fileSystemId: "fs-0b" },
      }),
      "state-table": "clawops-prod-state",
      "dead-letter-queue-url": "https://sqs.eu-west-1.amazonaws.com/123456789012/clawops-prod-dlq",
      "readiness-function": "clawops-prod-readiness",
      ...extra,
    }),
  };
}

/** The restore drill state machine's parameter. */
export const DRILL_STATE_MACHINE = {
  "drill-state-machine-arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-RestoreDrill",
};
