import * as z from "zod/mini";
import { eventBridgeEventSchema } from "./envelope.js";
import { AwsDetailType, EventSource } from "./sources.js";

// AWS Backup events mix strings and numbers for sizes and progress ("percentDone": "0.00" in one event,
// 0.0 in the next), so those fields accept both.
const numberOrString = z.union([z.number(), z.string()]);

/**
 * The `detail` of a backup job state change. `state` is a plain string (CREATED, PENDING, RUNNING,
 * ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED, PARTIAL today) so a new state never drops an event.
 */
export const BackupJobStateChangeDetailSchema = z.looseObject({
  backupJobId: z.string(),
  state: z.string(),
  resourceArn: z.optional(z.string()),
  resourceType: z.optional(z.string()),
  backupVaultName: z.optional(z.string()),
  backupVaultArn: z.optional(z.string()),
  recoveryPointArn: z.optional(z.string()),
  creationDate: z.optional(z.string()),
  completionDate: z.optional(z.string()),
  statusMessage: z.optional(z.string()),
  percentDone: z.optional(numberOrString),
  backupSizeInBytes: z.optional(numberOrString),
  iamRoleArn: z.optional(z.string()),
  createdBy: z.optional(
    z.looseObject({ backupPlanId: z.optional(z.string()), backupRuleId: z.optional(z.string()) }),
  ),
});

/** The `detail` of a backup job state change. */
export type BackupJobStateChangeDetail = z.infer<typeof BackupJobStateChangeDetailSchema>;

/**
 * A backup job changed state. Emitted best effort, about every five minutes.
 *
 * @example
 * {
 *   "version": "0", "id": "710b0398-...", "detail-type": "Backup Job State Change", "source": "aws.backup",
 *   "account": "123456789012", "time": "2026-03-02T05:14:08Z", "region": "us-east-1",
 *   "resources": ["arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234def567890"],
 *   "detail": { "backupJobId": "4b1c7c52-...", "state": "COMPLETED", "resourceType": "EFS",
 *     "recoveryPointArn": "arn:aws:backup:us-east-1:123456789012:recovery-point:..." }
 * }
 */
export const BackupJobStateChangeEventSchema = eventBridgeEventSchema(
  EventSource.Backup,
  AwsDetailType.BackupJobStateChange,
  BackupJobStateChangeDetailSchema,
);

/** A backup job state change event. */
export type BackupJobStateChangeEvent = z.infer<typeof BackupJobStateChangeEventSchema>;

/** `PENDING` | `RUNNING` | `COMPLETED` | `ABORTED` | `FAILED`, or `CREATED` in the first event. */
export type RestoreJobStatus = string;

/**
 * The `detail` of a restore job state change. AWS documents `status`, but its CREATED sample carries
 * `state`: either is accepted, one is required; read it with `restoreJobStatus`. Restore-testing jobs
 * name their plan in `restoreTestingPlanArn` (or `createdBy.restoreTestingPlanArn`, as
 * DescribeRestoreJob does); read it with `restoreTestingPlanArn`.
 */
export const RestoreJobStateChangeDetailSchema = z
  .looseObject({
    restoreJobId: z.string(),
    status: z.optional(z.string()),
    state: z.optional(z.string()),
    resourceType: z.optional(z.string()),
    createdResourceArn: z.optional(z.string()),
    recoveryPointArn: z.optional(z.string()),
    sourceResourceArn: z.optional(z.string()),
    creationDate: z.optional(z.string()),
    completionDate: z.optional(z.string()),
    statusMessage: z.optional(z.string()),
    percentDone: z.optional(numberOrString),
    backupSizeInBytes: z.optional(numberOrString),
    iamRoleArn: z.optional(z.string()),
    restoreTestingPlanArn: z.optional(z.string()),
    createdBy: z.optional(z.looseObject({ restoreTestingPlanArn: z.optional(z.string()) })),
  })
  .check(
    z.refine((detail) => detail.status !== undefined || detail.state !== undefined, {
      message: "expected a status (or state) string, got neither",
      path: ["status"],
    }),
  );

/** The `detail` of a restore job state change. */
export type RestoreJobStateChangeDetail = z.infer<typeof RestoreJobStateChangeDetailSchema>;

/**
 * A restore job changed state: a drill's restore, or one started by a restore testing plan.
 *
 * @example
 * {
 *   "version": "0", "id": "45553104-...", "detail-type": "Restore Job State Change", "source": "aws.backup",
 *   "account": "123456789012", "time": "2026-03-02T06:30:58Z", "region": "us-east-1",
 *   "resources": ["arn:aws:backup:us-east-1:123456789012:recovery-point:..."],
 *   "detail": { "restoreJobId": "D59196C8-...", "status": "COMPLETED", "resourceType": "EFS",
 *     "createdResourceArn": "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0def..." }
 * }
 */
export const RestoreJobStateChangeEventSchema = eventBridgeEventSchema(
  EventSource.Backup,
  AwsDetailType.RestoreJobStateChange,
  RestoreJobStateChangeDetailSchema,
);

/** A restore job state change event. */
export type RestoreJobStateChangeEvent = z.infer<typeof RestoreJobStateChangeEventSchema>;

/** The job's status, whichever of `detail.status` or `detail.state` AWS sent it in. */
export function restoreJobStatus(event: Pick<RestoreJobStateChangeEvent, "detail">): RestoreJobStatus {
  // The schema guarantees one of the two; "UNKNOWN" only for values built around the schema.
  return event.detail.status ?? event.detail.state ?? "UNKNOWN";
}

/** The restore testing plan that started this job, or `undefined` for a restore clawops started. */
export function restoreTestingPlanArn(event: Pick<RestoreJobStateChangeEvent, "detail">): string | undefined {
  return event.detail.restoreTestingPlanArn ?? event.detail.createdBy?.restoreTestingPlanArn;
}
