/**
 * The `source` and `detail-type` strings of every event clawops consumes, exactly as AWS sends them.
 * Patterns and schemas both read them from here, so a typo cannot make a rule and its parser disagree.
 */
export const EventSource = {
  AutoScaling: "aws.autoscaling",
  CloudWatch: "aws.cloudwatch",
  Backup: "aws.backup",
  Ssm: "aws.ssm",
  Clawops: "clawops",
} as const;

/** One of the event sources clawops consumes. */
export type EventSource = (typeof EventSource)[keyof typeof EventSource];

/** The `detail-type` of each AWS event clawops consumes. */
export const AwsDetailType = {
  LaunchLifecycleAction: "EC2 Instance-launch Lifecycle Action",
  TerminateLifecycleAction: "EC2 Instance-terminate Lifecycle Action",
  AlarmStateChange: "CloudWatch Alarm State Change",
  BackupJobStateChange: "Backup Job State Change",
  RestoreJobStateChange: "Restore Job State Change",
  CommandInvocationStatusChange: "EC2 Command Invocation Status-change Notification",
} as const;

/** One of the AWS `detail-type` values clawops consumes. */
export type AwsDetailType = (typeof AwsDetailType)[keyof typeof AwsDetailType];

/** The `detail-type` of each event clawops itself publishes (source `clawops`). */
export const ClawopsDetailType = {
  LifecycleAbandoned: "LifecycleAbandoned",
  DrainFailed: "DrainFailed",
  DrillCompleted: "DrillCompleted",
  DrillFailed: "DrillFailed",
  ReadinessDriftFound: "ReadinessDriftFound",
  ReadinessDriftCleared: "ReadinessDriftCleared",
  AlertDeliveryFailed: "AlertDeliveryFailed",
  FailureDrillStarted: "FailureDrillStarted",
  FailureDrillCompleted: "FailureDrillCompleted",
  GatewayProbesFailingFleetWide: "GatewayProbesFailingFleetWide",
  GatewayProbesFleetWideCleared: "GatewayProbesFleetWideCleared",
} as const;

/** One of clawops' own `detail-type` values. */
export type ClawopsDetailType = (typeof ClawopsDetailType)[keyof typeof ClawopsDetailType];

/** A PutEvents entry of one clawops event (the fields `PutEventsRequestEntry` has). */
export interface ClawopsEventEntry {
  readonly Source: typeof EventSource.Clawops;
  readonly EventBusName: string;
  readonly DetailType: ClawopsDetailType;
  readonly Detail: string;
}

/**
 * The PutEvents entry of a clawops event published by `stage`. The detail carries the stage (`detail.stage`):
 * two stages in one account and region share the default bus, and each stage's alert rule matches only its own
 * (`clawopsEventPattern(stage)`), so a dev drill's failure never reaches prod's channel.
 */
export function clawopsEventEntry(
  where: { readonly stage: string; readonly eventBusName: string },
  detailType: ClawopsDetailType,
  detail: object,
): ClawopsEventEntry {
  return {
    Source: EventSource.Clawops,
    EventBusName: where.eventBusName,
    DetailType: detailType,
    Detail: JSON.stringify({ ...detail, stage: where.stage }),
  };
}

/** What each of clawops' own alarms watches; a stage's alarm is `clawops-<stage>-<what>`. */
export const ClawopsAlarm = {
  DeadLetters: "dead-letters",
  UnhealthyGateways: "unhealthy-gateways",
  NoPassingDrill: "no-passing-drill",
  /** Not a deployed alarm: `clawops alerts test` sends a state change under this name through the router. */
  TestAlert: "test-alert",
} as const;

/** One of clawops' own alarms. */
export type ClawopsAlarm = (typeof ClawopsAlarm)[keyof typeof ClawopsAlarm];

/** The name of one of `stage`'s own alarms. */
export function clawopsAlarmName(stage: string, alarm: ClawopsAlarm): string {
  return `clawops-${stage}-${alarm}`;
}

/**
 * The exact names of `stage`'s own alarms. Routing and the readiness checks select these by name, never by the
 * `clawops-<stage>-` prefix: stage names may contain hyphens, and `clawops-prod-` also begins `prod-eu`'s alarms.
 */
export function clawopsAlarmNames(stage: string): string[] {
  return Object.values(ClawopsAlarm).map((alarm) => clawopsAlarmName(stage, alarm));
}

/** What PutEvents answers about its entries (the SDK's `PutEventsResponse`, structurally). */
export interface PutEventsAnswer {
  readonly FailedEntryCount?: number | undefined;
  readonly Entries?:
    | readonly { readonly ErrorCode?: string | undefined; readonly ErrorMessage?: string | undefined }[]
    | undefined;
}

/**
 * Why PutEvents refused entries (`ErrorCode: ErrorMessage`, `; `-separated), or undefined when it took them all.
 * PutEvents answers 200 with entries refused (throttled, an AWS-side failure): a sender that does not look loses
 * the event without a trace, so each throws a retryable error with this reason.
 */
export function refusedEntries(answer: PutEventsAnswer): string | undefined {
  if (!answer.FailedEntryCount) return undefined;
  const reasons = (answer.Entries ?? [])
    .filter((e) => e.ErrorCode)
    .map((e) => (e.ErrorMessage ? `${e.ErrorCode}: ${e.ErrorMessage}` : e.ErrorCode));
  return `${answer.FailedEntryCount} entr${answer.FailedEntryCount === 1 ? "y" : "ies"} refused${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}`;
}
