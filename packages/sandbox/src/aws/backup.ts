import { cp, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { EfsModel } from "./efs.js";
import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

/** A recovery point: a real copy of the file system's directory at backup time. */
export interface SandboxRecoveryPoint {
  readonly arn: string;
  readonly vaultName: string;
  readonly fileSystemId: string;
  readonly resourceArn: string;
  readonly creationDate: number;
  /** When the backup ended (DescribeRecoveryPoint's CompletionDate; ListRecoveryPointsByResource has none). */
  readonly completionDate: number;
  readonly snapshotDir: string;
  /**
   * BackupSizeInBytes as AWS reports it for EFS: the bytes this backup transferred. The first point of a file
   * system holds all of it; a later (incremental) one only the files new or changed since the previous point.
   */
  readonly sizeBytes: number;
  status: "COMPLETED" | "PARTIAL" | "EXPIRED";
}

export interface SandboxRestoreJob {
  readonly restoreJobId: string;
  readonly recoveryPoint: SandboxRecoveryPoint;
  readonly creationDate: number;
  readonly creationToken: string;
  readonly restoreTestingPlanArn: string | undefined;
  status: "PENDING" | "RUNNING" | "COMPLETED" | "ABORTED" | "FAILED";
  percentDone: number;
  statusMessage: string | undefined;
  createdFileSystemId: string | undefined;
  completionDate: number | undefined;
  validationStatus: string | undefined;
}

export interface BackupModel extends ServiceModel {
  readonly recoveryPoints: Map<string, SandboxRecoveryPoint>;
  readonly restoreJobs: Map<string, SandboxRestoreJob>;
  /** Copies the file system's directory now into a COMPLETED recovery point of the vault. */
  backup(fileSystemId: string, vaultName: string): Promise<SandboxRecoveryPoint>;
  /** Overwrites (or creates) one file inside a recovery point: the failing drill's corrupt backup. */
  corruptRecoveryPoint(recoveryPointArn: string, path: string, content: string | Buffer): Promise<void>;
  /** The next restore of this recovery point ends FAILED with this message. */
  failRestores(recoveryPointArn: string, message: string): void;
  /** Starts a restore as a restore testing plan does (the job carries the plan's ARN). */
  startRestoreTestingJob(recoveryPointArn: string, restoreTestingPlanArn: string): SandboxRestoreJob;
  /** Backup plans by id (what GetBackupPlan and the selections answer); a deployment puts them here. */
  readonly plans: Map<string, SandboxBackupPlan>;
  /** Vaults by name, with their KMS key. */
  readonly vaults: Map<
    string,
    { readonly name: string; readonly arn: string; readonly encryptionKeyArn?: string }
  >;
  /** Backup jobs, one per `backup()` (ListBackupJobs). */
  readonly jobs: SandboxBackupJob[];
}

/** A backup plan: its rules and its resource selections. */
export interface SandboxBackupPlan {
  readonly id: string;
  readonly name: string;
  readonly rules: readonly {
    readonly RuleName: string;
    readonly TargetBackupVaultName: string;
    readonly ScheduleExpression: string;
    readonly Lifecycle?: { readonly DeleteAfterDays?: number };
  }[];
  readonly selections: { readonly id: string; readonly name: string; readonly resources: string[] }[];
}

/** One backup job of a vault. */
export interface SandboxBackupJob {
  readonly backupJobId: string;
  readonly vaultName: string;
  readonly resourceArn: string;
  readonly creationDate: number;
  state: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "ABORTED" | "EXPIRED";
  completionDate: number | undefined;
  recoveryPointArn: string | undefined;
}

/**
 * How long a restore takes on the sandbox clock. A real EFS restore takes minutes to hours with the data's
 * size; these are stand-ins (a drill's overhead is measured without the restore job's own time). The new
 * file system is made when the job starts RUNNING (or as it completes: `fileSystemAppears`), but, as clawops
 * reads AWS, the job names it (`CreatedResourceArn`) only once it has ended; before that a drill can find it
 * only by the CreationToken it sent.
 */
export interface RestoreTimings {
  /** PENDING → RUNNING. @default 30_000 */
  readonly startMs: number;
  /** RUNNING → COMPLETED. @default 600_000 */
  readonly runMs: number;
  /**
   * When the new file system appears in EFS: as the job starts RUNNING, or only as it completes (AWS does
   * not document which; clawops must work with both, and prepares early only in the first case).
   * @default "running"
   */
  readonly fileSystemAppears: "running" | "completed";
}

/**
 * AWS Backup for EFS: vaults of recovery points kept as real directory snapshots, and restores that make a
 * NEW file system (through the EFS model) whose data lands under `/aws-backup-restore_<datetime>/`, taking
 * time on the clock (`PercentDone` as a string), with `Restore Job State Change` events and a validation
 * status that can be set once.
 */
export function backupModel(
  world: SandboxWorld,
  efs: EfsModel,
  options: { root: string; timings?: Partial<RestoreTimings> },
): BackupModel {
  const timings: RestoreTimings = {
    startMs: 30_000,
    runMs: 600_000,
    fileSystemAppears: "running",
    ...options.timings,
  };
  const recoveryPoints = new Map<string, SandboxRecoveryPoint>();
  const restoreJobs = new Map<string, SandboxRestoreJob>();
  const failures = new Map<string, string>();
  const plans = new Map<string, SandboxBackupPlan>();
  const vaults: BackupModel["vaults"] = new Map();
  const jobs: SandboxBackupJob[] = [];
  const planOf = (id: unknown): SandboxBackupPlan => {
    const found = plans.get(String(id ?? ""));
    if (!found) throw awsError("ResourceNotFoundException", `Backup plan ${String(id)} not found`);
    return found;
  };

  const pointOf = (arn: unknown): SandboxRecoveryPoint => {
    const found = recoveryPoints.get(String(arn ?? ""));
    if (!found) throw awsError("ResourceNotFoundException", `Recovery point ${String(arn)} not found`);
    return found;
  };
  const jobOf = (id: unknown): SandboxRestoreJob => {
    const found = restoreJobs.get(String(id ?? ""));
    if (!found) throw awsError("ResourceNotFoundException", `Restore job ${String(id)} not found`);
    return found;
  };
  const emit = (job: SandboxRestoreJob) =>
    world.publish({
      source: "aws.backup",
      "detail-type": "Restore Job State Change",
      resources: [job.recoveryPoint.arn],
      detail: {
        restoreJobId: job.restoreJobId,
        status: job.status,
        percentDone: job.percentDone.toFixed(2),
        resourceType: "EFS",
        recoveryPointArn: job.recoveryPoint.arn,
        creationDate: new Date(job.creationDate).toISOString(),
        ...(createdArn(job) ? { createdResourceArn: createdArn(job) } : {}),
        ...(job.completionDate ? { completionDate: new Date(job.completionDate).toISOString() } : {}),
        ...(job.statusMessage ? { statusMessage: job.statusMessage } : {}),
        ...(job.restoreTestingPlanArn ? { restoreTestingPlanArn: job.restoreTestingPlanArn } : {}),
      },
    });
  const efsArn = (id: string) => world.arn("elasticfilesystem", `file-system/${id}`);
  /** The made file system's ARN, reported once the job has ended (COMPLETED, or FAILED after making it). */
  const createdArn = (job: SandboxRestoreJob) =>
    job.createdFileSystemId && job.completionDate !== undefined ? efsArn(job.createdFileSystemId) : undefined;

  const start = (
    point: SandboxRecoveryPoint,
    creationToken: string,
    kmsKeyId: string | undefined,
    planArn?: string,
  ) => {
    const job: SandboxRestoreJob = {
      restoreJobId: world.uuid("restore-job").toUpperCase(),
      recoveryPoint: point,
      creationDate: world.clock.now(),
      creationToken,
      restoreTestingPlanArn: planArn,
      status: "PENDING",
      percentDone: 0,
      statusMessage: undefined,
      createdFileSystemId: undefined,
      completionDate: undefined,
      validationStatus: undefined,
    };
    restoreJobs.set(job.restoreJobId, job);
    emit(job);
    const makeFileSystem = () =>
      efs.createFileSystem({ creationToken, kmsKeyId, encrypted: true }).then((fs) => {
        job.createdFileSystemId = fs.fileSystemId;
      });
    world.clock.schedule(timings.startMs, () => {
      void world.clock.track(
        (timings.fileSystemAppears === "running" ? makeFileSystem() : Promise.resolve()).then(() => {
          job.status = "RUNNING";
          emit(job);
        }),
      );
    });
    const began = world.clock.now() + timings.startMs;
    for (const share of [0.25, 0.5, 0.75]) {
      world.clock.schedule(timings.startMs + timings.runMs * share, () => {
        if (job.status === "RUNNING") job.percentDone = Math.max(job.percentDone, share * 100);
      });
    }
    world.clock.schedule(timings.startMs + timings.runMs, () => {
      const failure = failures.get(point.arn);
      const finish = async () => {
        if (failure !== undefined) {
          failures.delete(point.arn);
          job.status = "FAILED";
          job.statusMessage = failure;
        } else {
          if (job.createdFileSystemId === undefined) await makeFileSystem();
          const fs = efs.fileSystems.get(job.createdFileSystemId ?? "");
          if (fs) {
            const stamp = new Date(began).toISOString().replace(/[:.]/g, "-");
            await cp(point.snapshotDir, join(fs.dir, `aws-backup-restore_${stamp}`), { recursive: true });
            job.status = "COMPLETED";
            job.percentDone = 100;
          } else {
            // Deleted while the job wrote to it (a drill stopped and cleaned up mid-restore).
            job.status = "FAILED";
            job.statusMessage = `the file system ${job.createdFileSystemId} was deleted during the restore`;
          }
        }
        job.completionDate = world.clock.now();
        emit(job);
      };
      void world.clock.track(finish()).catch((error: Error) => world.problems.push(error.message));
    });
    return job;
  };

  return {
    service: "Backup",
    recoveryPoints,
    restoreJobs,
    plans,
    vaults,
    jobs,
    async backup(fileSystemId, vaultName) {
      const fs = efs.fileSystems.get(fileSystemId);
      if (!fs) throw new Error(`no file system ${fileSystemId}`);
      // EFS backups are incremental: after the first, a point's BackupSizeInBytes is the delta it transferred.
      const previous = [...recoveryPoints.values()]
        .filter(
          (p) => p.fileSystemId === fileSystemId && p.vaultName === vaultName && p.status === "COMPLETED",
        )
        .sort((a, b) => b.creationDate - a.creationDate)[0];
      const id = world.uuid("recovery-point");
      const snapshotDir = join(options.root, "recovery-points", id);
      await world.clock.track(
        mkdir(snapshotDir, { recursive: true }).then(() => cp(fs.dir, snapshotDir, { recursive: true })),
      );
      const point: SandboxRecoveryPoint = {
        arn: world.arn("backup", `recovery-point:${id}`),
        vaultName,
        fileSystemId,
        resourceArn: fs.arn,
        creationDate: world.clock.now(),
        completionDate: world.clock.now(),
        snapshotDir,
        sizeBytes: await world.clock.track(
          previous ? deltaBytes(snapshotDir, previous.snapshotDir) : treeBytes(snapshotDir),
        ),
        status: "COMPLETED",
      };
      recoveryPoints.set(point.arn, point);
      jobs.push({
        backupJobId: world.uuid("backup-job").toUpperCase(),
        vaultName,
        resourceArn: fs.arn,
        creationDate: point.creationDate,
        state: "COMPLETED",
        completionDate: point.completionDate,
        recoveryPointArn: point.arn,
      });
      return point;
    },
    async corruptRecoveryPoint(arn, path, content) {
      const point = pointOf(arn);
      await world.clock.track(writeFile(join(point.snapshotDir, path), content));
    },
    failRestores(arn, message) {
      failures.set(pointOf(arn).arn, message);
    },
    startRestoreTestingJob(arn, planArn) {
      return start(pointOf(arn), `restore-testing-${world.uuid("token")}`, undefined, planArn);
    },
    commands: {
      GetBackupPlan(input) {
        const plan = planOf(input.BackupPlanId);
        return {
          BackupPlanId: plan.id,
          BackupPlanArn: world.arn("backup", `backup-plan:${plan.id}`),
          VersionId: "1",
          BackupPlan: { BackupPlanName: plan.name, Rules: plan.rules.map((r) => ({ ...r })) },
        };
      },
      ListBackupSelections(input) {
        const plan = planOf(input.BackupPlanId);
        return {
          BackupSelectionsList: plan.selections.map((s) => ({
            SelectionId: s.id,
            SelectionName: s.name,
            BackupPlanId: plan.id,
          })),
        };
      },
      GetBackupSelection(input) {
        const plan = planOf(input.BackupPlanId);
        const selection = plan.selections.find((s) => s.id === input.SelectionId);
        if (!selection)
          throw awsError("ResourceNotFoundException", `Selection ${String(input.SelectionId)} not found`);
        return {
          BackupPlanId: plan.id,
          SelectionId: selection.id,
          BackupSelection: { SelectionName: selection.name, Resources: [...selection.resources] },
        };
      },
      DescribeBackupVault(input) {
        const vault = vaults.get(String(input.BackupVaultName ?? ""));
        if (!vault)
          throw awsError(
            "ResourceNotFoundException",
            `Backup vault ${String(input.BackupVaultName)} not found`,
          );
        return {
          BackupVaultName: vault.name,
          BackupVaultArn: vault.arn,
          EncryptionKeyArn: vault.encryptionKeyArn,
          NumberOfRecoveryPoints: [...recoveryPoints.values()].filter((p) => p.vaultName === vault.name)
            .length,
        };
      },
      ListBackupJobs(input) {
        const vault = input.ByBackupVaultName as string | undefined;
        const after = input.ByCreatedAfter ? new Date(input.ByCreatedAfter as Date).getTime() : undefined;
        const matching = jobs.filter(
          (j) => (!vault || j.vaultName === vault) && (after === undefined || j.creationDate >= after),
        );
        const page = paginate(matching, {
          maxResults: input.MaxResults as number | undefined,
          nextToken: input.NextToken as string | undefined,
          defaultSize: 1000,
        });
        return {
          BackupJobs: page.items.map((j) => ({
            BackupJobId: j.backupJobId,
            BackupVaultName: j.vaultName,
            ResourceArn: j.resourceArn,
            ResourceType: "EFS",
            CreationDate: new Date(j.creationDate),
            ...(j.completionDate ? { CompletionDate: new Date(j.completionDate) } : {}),
            State: j.state,
            ...(j.recoveryPointArn ? { RecoveryPointArn: j.recoveryPointArn } : {}),
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
      ListRecoveryPointsByResource(input) {
        const resourceArn = String(input.ResourceArn ?? "");
        const points = [...recoveryPoints.values()].filter((p) => p.resourceArn === resourceArn);
        // AWS promises no order: newest last here, so a caller that does not sort picks the wrong one.
        return {
          RecoveryPoints: points.map((p) => ({
            RecoveryPointArn: p.arn,
            CreationDate: new Date(p.creationDate),
            Status: p.status,
            BackupSizeBytes: p.sizeBytes,
            BackupVaultName: p.vaultName,
            EncryptionKeyArn: undefined,
          })),
        };
      },
      DescribeRecoveryPoint(input) {
        const point = pointOf(input.RecoveryPointArn);
        if (point.vaultName !== input.BackupVaultName)
          throw awsError(
            "ResourceNotFoundException",
            `Recovery point not found in vault ${String(input.BackupVaultName)}`,
          );
        return {
          RecoveryPointArn: point.arn,
          BackupVaultName: point.vaultName,
          ResourceArn: point.resourceArn,
          ResourceType: "EFS",
          CreationDate: new Date(point.creationDate),
          CompletionDate: new Date(point.completionDate),
          Status: point.status,
          BackupSizeInBytes: point.sizeBytes,
        };
      },
      StartRestoreJob(input) {
        const point = pointOf(input.RecoveryPointArn);
        const metadata = (input.Metadata as Record<string, unknown> | undefined) ?? {};
        for (const [key, value] of Object.entries(metadata))
          if (typeof value !== "string")
            throw awsError("InvalidParameterValueException", `Metadata value of ${key} must be a string`);
        if (
          metadata.newFileSystem !== "true" ||
          !metadata.CreationToken ||
          metadata["file-system-id"] !== point.fileSystemId
        )
          throw awsError(
            "InvalidParameterValueException",
            "EFS restore metadata needs file-system-id, newFileSystem and CreationToken",
          );
        const token = String(metadata.CreationToken);
        const existing = [...restoreJobs.values()].find((j) => j.creationToken === token);
        if (existing) return { RestoreJobId: existing.restoreJobId };
        return { RestoreJobId: start(point, token, metadata.KmsKeyId as string | undefined).restoreJobId };
      },
      DescribeRestoreJob(input) {
        const job = jobOf(input.RestoreJobId);
        return {
          AccountId: world.account,
          RestoreJobId: job.restoreJobId,
          RecoveryPointArn: job.recoveryPoint.arn,
          RecoveryPointCreationDate: new Date(job.recoveryPoint.creationDate),
          CreationDate: new Date(job.creationDate),
          CompletionDate: job.completionDate ? new Date(job.completionDate) : undefined,
          Status: job.status,
          StatusMessage: job.statusMessage,
          PercentDone: job.percentDone.toFixed(2),
          BackupSizeInBytes: job.recoveryPoint.sizeBytes,
          ResourceType: "EFS",
          CreatedResourceArn: createdArn(job),
          ValidationStatus: job.validationStatus,
          ...(job.restoreTestingPlanArn
            ? { CreatedBy: { RestoreTestingPlanArn: job.restoreTestingPlanArn } }
            : {}),
        };
      },
      PutRestoreValidationResult(input) {
        const job = jobOf(input.RestoreJobId);
        if (!job.restoreTestingPlanArn)
          throw awsError(
            "InvalidRequestException",
            "Validation results are accepted only for restore testing jobs",
          );
        if (job.validationStatus !== undefined)
          throw awsError(
            "InvalidRequestException",
            `Validation status already set to ${job.validationStatus}`,
          );
        job.validationStatus = String(input.ValidationStatus ?? "");
        return {};
      },
    },
  };
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Bytes of the files under `dir` that `previousDir` does not hold with the same content: an incremental backup's. */
async function deltaBytes(dir: string, previousDir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path);
    const before = await readFile(join(previousDir, relative(dir, path))).catch(() => undefined);
    if (!before?.equals(content)) total += content.length;
  }
  return total;
}
