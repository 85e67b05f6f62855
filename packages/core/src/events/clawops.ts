import * as z from "zod/mini";
import { eventBridgeEventSchema } from "./envelope.js";
import { ClawopsDetailType, EventSource } from "./sources.js";

/** The last health probe before a launch gate gave up: what the gateway answered, and when. */
export const ProbeRecordSchema = z.looseObject({
  status: z.string(),
  output: z.string(),
  at: z.string(),
});

/** The last health probe before a launch gate gave up. */
export type ProbeRecord = z.infer<typeof ProbeRecordSchema>;

/** A launch gate reached its deadline and abandoned the instance. */
export const LifecycleAbandonedDetailSchema = z.looseObject({
  asgName: z.string(),
  instanceId: z.string(),
  hookName: z.string(),
  reason: z.string(),
  lastProbe: z.optional(ProbeRecordSchema),
});

/** The `detail` of `LifecycleAbandoned`. */
export type LifecycleAbandonedDetail = z.infer<typeof LifecycleAbandonedDetailSchema>;

/** A terminating instance could not be drained; the hook continued anyway. */
export const DrainFailedDetailSchema = z.looseObject({
  asgName: z.string(),
  instanceId: z.string(),
  hookName: z.string(),
  reason: z.string(),
  commandId: z.optional(z.string()),
});

/** The `detail` of `DrainFailed`. */
export type DrainFailedDetail = z.infer<typeof DrainFailedDetailSchema>;

/** A file that did not verify in a restored file system, and why. */
export const DrillMismatchSchema = z.looseObject({ path: z.string(), reason: z.string() });

/** A file that did not verify. */
export type DrillMismatch = z.infer<typeof DrillMismatchSchema>;

/**
 * One file system's drill result. `rpoSeconds`/`rtoSeconds` are `null` when the drill failed before it
 * could measure them.
 */
export const DrillFileSystemResultSchema = z.looseObject({
  fileSystemId: z.string(),
  recoveryPointArn: z.string(),
  rpoSeconds: z.nullable(z.number()),
  rtoSeconds: z.nullable(z.number()),
  filesVerified: z.number(),
  bytesVerified: z.number(),
  mismatches: z.array(DrillMismatchSchema),
  /** Files the verifier could not check (too large to parse, no SQLite reader): the file system did not pass. */
  unverified: z.optional(z.array(DrillMismatchSchema)),
});

/** One file system's drill result. */
export type DrillFileSystemResult = z.infer<typeof DrillFileSystemResultSchema>;

/** A restore drill ran to the end; `passed` says whether every file system verified. */
export const DrillCompletedDetailSchema = z.looseObject({
  drillId: z.string(),
  fileSystems: z.array(DrillFileSystemResultSchema),
  passed: z.boolean(),
});

/** The `detail` of `DrillCompleted`. */
export type DrillCompletedDetail = z.infer<typeof DrillCompletedDetailSchema>;

/** A restore drill could not run to the end (restore failed, timed out, verifier crashed...). */
export const DrillFailedDetailSchema = z.looseObject({
  drillId: z.string(),
  fileSystems: z.array(DrillFileSystemResultSchema),
  passed: z.literal(false),
  reason: z.string(),
});

/** The `detail` of `DrillFailed`. */
export type DrillFailedDetail = z.infer<typeof DrillFailedDetailSchema>;

/** One readiness check's outcome, as it appears in a drift report. */
export const ReadinessCheckOutcomeSchema = z.looseObject({
  id: z.string(),
  area: z.string(),
  title: z.string(),
  status: z.enum(["pass", "fail", "unknown"]),
  severity: z.string(),
});

/** One readiness check's outcome. */
export type ReadinessCheckOutcome = z.infer<typeof ReadinessCheckOutcomeSchema>;

/** Findings that appeared (`ReadinessDriftFound`) or cleared (`ReadinessDriftCleared`) in one run. */
export const ReadinessDriftDetailSchema = z.looseObject({
  runId: z.string(),
  checks: z.array(ReadinessCheckOutcomeSchema),
});

/** The `detail` of `ReadinessDriftFound` and `ReadinessDriftCleared`. */
export type ReadinessDriftDetail = z.infer<typeof ReadinessDriftDetailSchema>;

/** An alert could not be delivered after its retries and went to the dead-letter queue. */
export const AlertDeliveryFailedDetailSchema = z.looseObject({
  alertKey: z.string(),
  channel: z.string(),
  reason: z.string(),
});

/** The `detail` of `AlertDeliveryFailed`. */
export type AlertDeliveryFailedDetail = z.infer<typeof AlertDeliveryFailedDetailSchema>;

/** The three windows of a failure drill (seconds). */
export const FailureDrillWindowsSchema = z.looseObject({
  alarmSeconds: z.number(),
  alertSeconds: z.number(),
  replacementSeconds: z.number(),
});

/** A failure drill is about to stop a gateway (announced in the channel before anything happens). */
export const FailureDrillStartedDetailSchema = z.looseObject({
  drillId: z.string(),
  asgName: z.string(),
  instanceId: z.string(),
  windows: FailureDrillWindowsSchema,
});

/** The `detail` of `FailureDrillStarted`. */
export type FailureDrillStartedDetail = z.infer<typeof FailureDrillStartedDetailSchema>;

const windowVerdict = z.enum(["pass", "fail", "missed"]);

/** A failure drill ended: each measured time (`null` = never happened), pass/fail per window, abort reason. */
export const FailureDrillCompletedDetailSchema = z.looseObject({
  drillId: z.string(),
  asgName: z.string(),
  instanceId: z.string(),
  passed: z.boolean(),
  seconds: z.looseObject({
    stopConfirmed: z.optional(z.nullable(z.number())),
    alarm: z.nullable(z.number()),
    alertDelivered: z.nullable(z.number()),
    replacement: z.nullable(z.number()),
    recovered: z.nullable(z.number()),
  }),
  windows: FailureDrillWindowsSchema,
  verdicts: z.looseObject({ alarm: windowVerdict, alert: windowVerdict, replacement: windowVerdict }),
  replacementInstanceId: z.nullable(z.string()),
  abortedBecause: z.nullable(z.string()),
});

/** The `detail` of `FailureDrillCompleted`. */
export type FailureDrillCompletedDetail = z.infer<typeof FailureDrillCompletedDetailSchema>;

/**
 * The gateway health monitor's breaker tripped: more than half of the probes answered in one run failed, which
 * reads as one cause the fleet shares (a probe or configuration problem), so the monitor marks no instance until
 * they stop. Published once per episode; `since` is when the episode began (ISO 8601).
 */
export const GatewayProbesFailingFleetWideDetailSchema = z.looseObject({
  stage: z.string(),
  asgName: z.string(),
  /** Probes SSM ran to an answer in the run that tripped the breaker. */
  answered: z.number(),
  failing: z.number(),
  /** Each failed probe's answer ("HTTP 404", "connection refused: ...") and how many probes gave it. */
  answers: z.record(z.string(), z.number()),
  since: z.string(),
});

/** The `detail` of `GatewayProbesFailingFleetWide`. */
export type GatewayProbesFailingFleetWideDetail = z.infer<typeof GatewayProbesFailingFleetWideDetailSchema>;

/**
 * The probes of an episode announced by `GatewayProbesFailingFleetWide` no longer fail fleet-wide: the monitor
 * marks failing gateways again. `answered`/`failing` are the run that saw it; `since` the episode's start.
 */
export const GatewayProbesFleetWideClearedDetailSchema = z.looseObject({
  stage: z.string(),
  asgName: z.string(),
  answered: z.number(),
  failing: z.number(),
  since: z.string(),
  clearedAt: z.string(),
});

/** The `detail` of `GatewayProbesFleetWideCleared`. */
export type GatewayProbesFleetWideClearedDetail = z.infer<typeof GatewayProbesFleetWideClearedDetailSchema>;

const clawops = <const T extends ClawopsDetailType, D extends z.core.SomeType>(type: T, detail: D) =>
  eventBridgeEventSchema(EventSource.Clawops, type, detail);

/** @example { "source": "clawops", "detail-type": "LifecycleAbandoned", "detail": { "asgName": "clawops-test-fleet", "instanceId": "i-0abc1234def567890", "hookName": "clawops-launch-gate", "reason": "gateway never answered healthy before the deadline" }, ... } */
export const LifecycleAbandonedEventSchema = clawops(
  ClawopsDetailType.LifecycleAbandoned,
  LifecycleAbandonedDetailSchema,
);
/** A `LifecycleAbandoned` event. */
export type LifecycleAbandonedEvent = z.infer<typeof LifecycleAbandonedEventSchema>;

/** @example { "source": "clawops", "detail-type": "DrainFailed", "detail": { "asgName": "clawops-test-fleet", "instanceId": "i-0abc1234def567890", "hookName": "clawops-drain", "reason": "systemctl stop timed out" }, ... } */
export const DrainFailedEventSchema = clawops(ClawopsDetailType.DrainFailed, DrainFailedDetailSchema);
/** A `DrainFailed` event. */
export type DrainFailedEvent = z.infer<typeof DrainFailedEventSchema>;

/** @example { "source": "clawops", "detail-type": "DrillCompleted", "detail": { "drillId": "drill-20260302-0600", "passed": true, "fileSystems": [{ "fileSystemId": "fs-0abc1234def567890", "rpoSeconds": 3600, "rtoSeconds": 912, ... }] }, ... } */
export const DrillCompletedEventSchema = clawops(
  ClawopsDetailType.DrillCompleted,
  DrillCompletedDetailSchema,
);
/** A `DrillCompleted` event. */
export type DrillCompletedEvent = z.infer<typeof DrillCompletedEventSchema>;

/** @example { "source": "clawops", "detail-type": "DrillFailed", "detail": { "drillId": "drill-20260302-0600", "passed": false, "reason": "restore job FAILED", "fileSystems": [] }, ... } */
export const DrillFailedEventSchema = clawops(ClawopsDetailType.DrillFailed, DrillFailedDetailSchema);
/** A `DrillFailed` event. */
export type DrillFailedEvent = z.infer<typeof DrillFailedEventSchema>;

/** @example { "source": "clawops", "detail-type": "ReadinessDriftFound", "detail": { "runId": "run-0042", "checks": [{ "id": "compute.imdsv2", "area": "compute", "title": "IMDSv2 is required", "status": "fail", "severity": "high" }] }, ... } */
export const ReadinessDriftFoundEventSchema = clawops(
  ClawopsDetailType.ReadinessDriftFound,
  ReadinessDriftDetailSchema,
);
/** A `ReadinessDriftFound` event. */
export type ReadinessDriftFoundEvent = z.infer<typeof ReadinessDriftFoundEventSchema>;

/** @example { "source": "clawops", "detail-type": "ReadinessDriftCleared", "detail": { "runId": "run-0043", "checks": [{ "id": "compute.imdsv2", "area": "compute", "title": "IMDSv2 is required", "status": "pass", "severity": "high" }] }, ... } */
export const ReadinessDriftClearedEventSchema = clawops(
  ClawopsDetailType.ReadinessDriftCleared,
  ReadinessDriftDetailSchema,
);
/** A `ReadinessDriftCleared` event. */
export type ReadinessDriftClearedEvent = z.infer<typeof ReadinessDriftClearedEventSchema>;

/** @example { "source": "clawops", "detail-type": "AlertDeliveryFailed", "detail": { "alertKey": "alarm:clawops-test-fleet-gateway-unhealthy", "channel": "C0123456789", "reason": "channel_not_found" }, ... } */
export const AlertDeliveryFailedEventSchema = clawops(
  ClawopsDetailType.AlertDeliveryFailed,
  AlertDeliveryFailedDetailSchema,
);
/** An `AlertDeliveryFailed` event. */
export type AlertDeliveryFailedEvent = z.infer<typeof AlertDeliveryFailedEventSchema>;

/** @example { "source": "clawops", "detail-type": "FailureDrillStarted", "detail": { "drillId": "fd-20261128-0100-ab12", "asgName": "clawops-test-fleet", "instanceId": "i-0abc1234def567890", "windows": { "alarmSeconds": 300, "alertSeconds": 120, "replacementSeconds": 900 } }, ... } */
export const FailureDrillStartedEventSchema = clawops(
  ClawopsDetailType.FailureDrillStarted,
  FailureDrillStartedDetailSchema,
);
/** A `FailureDrillStarted` event. */
export type FailureDrillStartedEvent = z.infer<typeof FailureDrillStartedEventSchema>;

/** @example { "source": "clawops", "detail-type": "FailureDrillCompleted", "detail": { "drillId": "fd-20261128-0100-ab12", "passed": true, "seconds": { "alarm": 150, "alertDelivered": 4, "replacement": 420, "recovered": 560 }, ... }, ... } */
export const FailureDrillCompletedEventSchema = clawops(
  ClawopsDetailType.FailureDrillCompleted,
  FailureDrillCompletedDetailSchema,
);
/** A `FailureDrillCompleted` event. */
export type FailureDrillCompletedEvent = z.infer<typeof FailureDrillCompletedEventSchema>;

/** @example { "source": "clawops", "detail-type": "GatewayProbesFailingFleetWide", "detail": { "stage": "prod", "asgName": "clawops-test-fleet", "answered": 4, "failing": 4, "answers": { "HTTP 404": 4 }, "since": "2026-03-02T10:06:00.000Z" }, ... } */
export const GatewayProbesFailingFleetWideEventSchema = clawops(
  ClawopsDetailType.GatewayProbesFailingFleetWide,
  GatewayProbesFailingFleetWideDetailSchema,
);
/** A `GatewayProbesFailingFleetWide` event. */
export type GatewayProbesFailingFleetWideEvent = z.infer<typeof GatewayProbesFailingFleetWideEventSchema>;

/** @example { "source": "clawops", "detail-type": "GatewayProbesFleetWideCleared", "detail": { "stage": "prod", "asgName": "clawops-test-fleet", "answered": 4, "failing": 0, "since": "2026-03-02T10:06:00.000Z", "clearedAt": "2026-03-02T10:41:00.000Z" }, ... } */
export const GatewayProbesFleetWideClearedEventSchema = clawops(
  ClawopsDetailType.GatewayProbesFleetWideCleared,
  GatewayProbesFleetWideClearedDetailSchema,
);
/** A `GatewayProbesFleetWideCleared` event. */
export type GatewayProbesFleetWideClearedEvent = z.infer<typeof GatewayProbesFleetWideClearedEventSchema>;

/**
 * Any event clawops publishes, told apart by `detail-type`.
 *
 * @example parseEvent(ClawopsEventSchema, event) // narrows on event["detail-type"]
 */
export const ClawopsEventSchema = z.discriminatedUnion("detail-type", [
  LifecycleAbandonedEventSchema,
  DrainFailedEventSchema,
  DrillCompletedEventSchema,
  DrillFailedEventSchema,
  ReadinessDriftFoundEventSchema,
  ReadinessDriftClearedEventSchema,
  AlertDeliveryFailedEventSchema,
  FailureDrillStartedEventSchema,
  FailureDrillCompletedEventSchema,
  GatewayProbesFailingFleetWideEventSchema,
  GatewayProbesFleetWideClearedEventSchema,
]);

/** Any event clawops publishes. */
export type ClawopsEvent = z.infer<typeof ClawopsEventSchema>;

/** The `detail` each clawops `detail-type` carries, for publishers: `ClawopsEventDetail<"DrainFailed">`. */
export type ClawopsEventDetail<T extends ClawopsDetailType> = Extract<
  ClawopsEvent,
  { "detail-type": T }
>["detail"];
