import { ClawopsError } from "../errors.js";

/** Base class of every restore-drill failure; `drillId` says which drill. */
export class DrillError extends ClawopsError {
  readonly drillId: string | undefined;

  constructor(message: string, options?: ErrorOptions & { drillId?: string; retryable?: boolean }) {
    super(message, options);
    this.name = "DrillError";
    this.drillId = options?.drillId;
  }
}

/** The cleanup guard refused to delete a resource: it is not this drill's, or it is one of the fleet's own. */
export class CleanupRefusedError extends DrillError {
  readonly resourceId: string;

  constructor(message: string, options: ErrorOptions & { drillId: string; resourceId: string }) {
    super(message, options);
    this.name = "CleanupRefusedError";
    this.resourceId = options.resourceId;
  }
}

/** The file system has no COMPLETED recovery point in the vault: there is nothing to restore. */
export class NoRecoveryPointError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "NoRecoveryPointError";
  }
}

/** AWS Backup ended the restore job as FAILED or ABORTED. */
export class RestoreFailedError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "RestoreFailedError";
  }
}

/** The drill's deadline (`drills.timeoutMinutes`) passed before the restore was verified. */
export class DrillTimeoutError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "DrillTimeoutError";
  }
}

/**
 * Lambda could not apply the verifier's mount of the restored file system (`LastUpdateStatus` Failed, e.g.
 * `EFSMountConnectivityError` when no security group lets the verifier reach the mount targets over NFS):
 * waiting would only end at the drill's deadline, so the drill fails with Lambda's reason.
 */
export class VerifierMountError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "VerifierMountError";
  }
}

/** The restored tree does not have exactly one `aws-backup-restore_*` directory at its root. */
export class RestoreRootError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "RestoreRootError";
  }
}

/** Another drill holds the verifier; the state machine retries with backoff. */
export class VerifierBusyError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, { ...options, retryable: true });
    this.name = "VerifierBusyError";
  }
}

/** A mount target or the verifier is still being created or deleted; the state machine retries. */
export class NotReadyError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, { ...options, retryable: true });
    this.name = "NotReadyError";
  }
}

/**
 * The deployed soul manifest (the SSM parameter) is not one, or lists no file: the workspace's restore cannot be
 * checked against it, so the drill fails instead of passing without checking anything.
 */
export class InvalidManifestError extends DrillError {
  constructor(message: string, options?: ErrorOptions & { drillId?: string }) {
    super(message, options);
    this.name = "InvalidManifestError";
  }
}

/**
 * The restored file system is already another drill's of this stage (a duplicate delivery of a restore-testing
 * event started a second validation of the same job): taking it over would let each drill's cleanup pull the
 * other's mounts, so it is left to its owner.
 */
export class FileSystemTakenError extends DrillError {
  readonly fileSystemId: string;

  constructor(message: string, options: ErrorOptions & { drillId: string; fileSystemId: string }) {
    super(message, options);
    this.name = "FileSystemTakenError";
    this.fileSystemId = options.fileSystemId;
  }
}
