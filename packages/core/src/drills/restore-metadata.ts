import { restoreCreationToken } from "./tags.js";

/** What a drill restores and how the new file system is made. */
export interface RestoreRequest {
  readonly drillId: string;
  readonly sourceFileSystemId: string;
  /**
   * The deployment stage running the drill (`CLAWOPS_STAGE`): the CreationToken carries it, so only this
   * stage's cleanup and sweeper take the restored file system for theirs. Every drill function gives it.
   * @default none: a token no stage claims
   */
  readonly stage?: string;
  readonly recoveryPointArn: string;
  /** The fleet's KMS key: the restored copy is encrypted with it. */
  readonly kmsKeyArn: string;
  readonly iamRoleArn: string;
  /** @default "generalPurpose" */
  readonly performanceMode?: "generalPurpose" | "maxIO";
  /** Restore only these paths (item-level restore); whole file system when absent. */
  readonly itemsToRestore?: readonly string[];
}

/** The `StartRestoreJob` input for an EFS restore to a new file system. */
export interface StartRestoreJobInput {
  readonly RecoveryPointArn: string;
  readonly IamRoleArn: string;
  readonly ResourceType: "EFS";
  readonly IdempotencyToken: string;
  readonly Metadata: Record<string, string>;
}

/**
 * Builds `StartRestoreJob` for a drill. AWS wants every metadata value as a string (`"true"`, not `true`),
 * always a `CreationToken` (a retried start must not make a second file system), `newFileSystem` so the
 * source is never written to, and `ItemsToRestore` as a JSON array string.
 */
export function restoreJobInput(request: RestoreRequest): StartRestoreJobInput {
  const token = restoreCreationToken(request.drillId, request.sourceFileSystemId, request.stage);
  const metadata: Record<string, string> = {
    "file-system-id": request.sourceFileSystemId,
    newFileSystem: "true",
    Encrypted: "true",
    KmsKeyId: request.kmsKeyArn,
    PerformanceMode: request.performanceMode ?? "generalPurpose",
    CreationToken: token,
  };
  if (request.itemsToRestore && request.itemsToRestore.length > 0)
    metadata.ItemsToRestore = JSON.stringify(request.itemsToRestore);
  return {
    RecoveryPointArn: request.recoveryPointArn,
    IamRoleArn: request.iamRoleArn,
    ResourceType: "EFS",
    IdempotencyToken: token,
    Metadata: metadata,
  };
}
