/**
 * One EventBridge pattern per event clawops consumes. The stacks deploy these and the sandbox's local bus
 * matches with these: nothing else spells a `source` or `detail-type`. Each builder returns a fresh
 * object, so a caller that edits its copy cannot change another rule.
 */
import type { EventPattern as CdkEventPattern } from "aws-cdk-lib/aws-events";
import { EventPatternError } from "./errors.js";
import type { EventPattern } from "./match.js";
import { AwsDetailType, type ClawopsDetailType, EventSource } from "./sources.js";

export type { EventPattern };

/**
 * Launch lifecycle actions of one Auto Scaling group (including warm-pool entries and exits).
 *
 * @example launchLifecyclePattern("clawops-test-fleet")
 */
export function launchLifecyclePattern(asgName: string): EventPattern {
  return lifecyclePattern(AwsDetailType.LaunchLifecycleAction, asgName);
}

/**
 * Terminate lifecycle actions of one Auto Scaling group.
 *
 * @example terminateLifecyclePattern("clawops-test-fleet")
 */
export function terminateLifecyclePattern(asgName: string): EventPattern {
  return lifecyclePattern(AwsDetailType.TerminateLifecycleAction, asgName);
}

function lifecyclePattern(detailType: string, asgName: string): EventPattern {
  if (asgName.length === 0)
    throw new EventPatternError("detail.AutoScalingGroupName", "the group name is empty");
  return {
    source: [EventSource.AutoScaling],
    "detail-type": [detailType],
    detail: { AutoScalingGroupName: [asgName] },
  };
}

/** Which alarms a rule routes: by exact name, by name prefix, or both (either matches). */
export interface AlarmSelector {
  /** Alarms whose name starts with one of these. @default [] */
  readonly namePrefixes?: readonly string[];
  /** Alarms with exactly one of these names. @default [] */
  readonly names?: readonly string[];
}

/**
 * State changes of the selected alarms. Names and prefixes share one list (`["a", {"prefix": "b-"}]`),
 * which EventBridge ORs, so no `$or` is needed. An empty selector throws: it would route every alarm in
 * the account to Slack.
 *
 * @example alarmStateChangePattern({ namePrefixes: ["clawops-test-fleet-"], names: ["clawops-drill-overdue"] })
 */
export function alarmStateChangePattern(selector: AlarmSelector): EventPattern {
  const names = selector.names ?? [];
  const prefixes = selector.namePrefixes ?? [];
  if (names.length + prefixes.length === 0) {
    throw new EventPatternError("detail.alarmName", "select at least one alarm name or name prefix");
  }
  if ([...names, ...prefixes].some((value) => value.length === 0)) {
    throw new EventPatternError("detail.alarmName", "an alarm name or prefix is empty");
  }
  return {
    source: [EventSource.CloudWatch],
    "detail-type": [AwsDetailType.AlarmStateChange],
    detail: { alarmName: [...names, ...prefixes.map((prefix) => ({ prefix }))] },
  };
}

/** Backup job state changes (all states; handlers read `detail.state`). */
export function backupJobStateChangePattern(): EventPattern {
  return { source: [EventSource.Backup], "detail-type": [AwsDetailType.BackupJobStateChange] };
}

/**
 * Restore job state changes. Deliberately no filter on the status: AWS sends it as `detail.status` in
 * most events and as `detail.state` in the CREATED one, so a filter on either key would drop events.
 */
export function restoreJobStateChangePattern(): EventPattern {
  return { source: [EventSource.Backup], "detail-type": [AwsDetailType.RestoreJobStateChange] };
}

/** Run Command invocation status changes (one event per instance per status). */
export function commandInvocationStatusPattern(): EventPattern {
  return { source: [EventSource.Ssm], "detail-type": [AwsDetailType.CommandInvocationStatusChange] };
}

/**
 * The clawops events `stage` published (`detail.stage`, see `clawopsEventEntry`), all of them or only the given
 * detail-types. Only PutEvents calls with source `clawops` match; another source claiming the same detail-type
 * does not, nor does another stage's event on the same bus.
 *
 * @example clawopsEventPattern("prod", [ClawopsDetailType.DrillCompleted, ClawopsDetailType.DrillFailed])
 */
export function clawopsEventPattern(stage: string, detailTypes?: readonly ClawopsDetailType[]): EventPattern {
  const ours = { source: [EventSource.Clawops], detail: { stage: [stage] } };
  if (detailTypes === undefined) return ours;
  if (detailTypes.length === 0)
    throw new EventPatternError("detail-type", "the list of detail-types is empty");
  return { ...ours, "detail-type": [...detailTypes] };
}

const CDK_KEYS: Record<string, keyof CdkEventPattern> = {
  version: "version",
  id: "id",
  "detail-type": "detailType",
  source: "source",
  account: "account",
  time: "time",
  region: "region",
  resources: "resources",
  detail: "detail",
};

/**
 * The same pattern in the shape of CDK's `events.Rule` `eventPattern` (camelCase `detailType`); CDK
 * turns it back into the JSON above at synth. Throws for top-level keys CDK cannot express (`$or`).
 *
 * @example new events.Rule(stack, "Launch", { eventPattern: toCdkEventPattern(launchLifecyclePattern(asg)) })
 */
export function toCdkEventPattern(pattern: EventPattern): CdkEventPattern {
  const cdk: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = Object.hasOwn(CDK_KEYS, key) ? CDK_KEYS[key] : undefined;
    if (cdkKey === undefined)
      throw new EventPatternError(key, "CDK's EventPattern has no field for this key");
    cdk[cdkKey] = structuredClone(value);
  }
  // CDK types leaves as string[]; operator objects ({ prefix }) pass through to the template unchanged.
  return cdk as CdkEventPattern;
}
