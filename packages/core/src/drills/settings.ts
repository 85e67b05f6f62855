import * as z from "zod/mini";

/** One fleet file system a drill restores, and where its data sits inside it. */
export const DrillFileSystemSchema = z.object({
  fileSystemId: z.string(),
  kind: z.enum(["workspace", "runtime"]),
  /** Directory of the data inside the file system (the fleet access point's root), e.g. `/workspace`. */
  path: z.string(),
});

/** A fleet file system a drill restores. */
export type DrillFileSystem = z.infer<typeof DrillFileSystemSchema>;

/** One restore of a drill: a fleet file system, and every data tree of the fleet inside it. */
export interface RestoreTarget {
  /** The file system restored (its first entry in the settings). */
  readonly fileSystem: DrillFileSystem;
  /** The trees to verify in the restore: one, or the workspace and the runtime when they share it. */
  readonly trees: readonly DrillFileSystem[];
}

/**
 * The restores a drill makes: one per distinct file system. An imported fleet may keep its workspace and
 * runtime on one file system; restoring it twice would give both restores one CreationToken (one job, one
 * restored file system), one verifier and one lock holder, and each branch's cleanup would pull the other's
 * mounts. It is restored once and both trees are verified in that restore.
 */
export function restoreTargets(fileSystems: readonly DrillFileSystem[]): RestoreTarget[] {
  const byId = new Map<string, DrillFileSystem[]>();
  for (const fs of fileSystems) byId.set(fs.fileSystemId, [...(byId.get(fs.fileSystemId) ?? []), fs]);
  return [...byId.values()].map((trees) => ({ fileSystem: trees[0]!, trees }));
}

/**
 * What every drill function receives as JSON in `CLAWOPS_SETTINGS` (the stack writes it; the sandbox too).
 *
 * @example { "fleetName": "openclaw", "vaultName": "clawops-prod-openclaw", "restoreRoleArn": "arn:aws:iam::123456789012:role/restore", ... }
 */
export const DrillSettingsSchema = z.object({
  fleetName: z.string(),
  vaultName: z.string(),
  restoreRoleArn: z.string(),
  kmsKeyArn: z.string(),
  fileSystems: z.array(DrillFileSystemSchema),
  manifestParameterName: z.string(),
  verifier: z.object({
    /** The verifier of a file system `perFileSystem` does not name. */
    functionName: z.string(),
    subnetIds: z.array(z.string()),
    /** Security group of the restored mount targets (allows 2049 from the verifier's group). */
    mountTargetSecurityGroupIds: z.array(z.string()),
    /** Where the verifier Lambda mounts the access point. @default "/mnt/drill" */
    mountPath: z._default(z.string(), "/mnt/drill"),
    /**
     * A verifier of its own per fleet file system (by source file system id): a Lambda function mounts one
     * file system at a time, so with one verifier each the file systems of a drill verify at once.
     */
    perFileSystem: z._default(
      z.record(z.string(), z.object({ functionName: z.string(), mountPath: z.string() })),
      {},
    ),
  }),
  timeoutMinutes: z._default(z.number(), 180),
  verifyTimeoutSeconds: z._default(z.number(), 840),
  sizeTolerancePercent: z._default(z.number(), 5),
  /**
   * Not read: the configuration refuses true (for EFS a recovery point's BackupSizeBytes is its incremental
   * backup's delta, not the file system's size). @default false
   */
  compareRuntimeBytes: z._default(z.boolean(), false),
  sweeperMaxAgeHours: z._default(z.number(), 24),
  maxDaysWithoutPass: z._default(z.number(), 8),
});

/** The drill functions' settings. */
export type DrillSettings = z.infer<typeof DrillSettingsSchema>;

/** The verifier Lambda that checks a file system's restore, and where it mounts it. */
export interface VerifierTarget {
  readonly functionName: string;
  readonly mountPath: string;
}

/** The verifier of one fleet file system: its own when the settings give one, else the shared one. */
export function verifierFor(settings: DrillSettings, sourceFileSystemId: string): VerifierTarget {
  const { functionName, mountPath, perFileSystem } = settings.verifier;
  return perFileSystem[sourceFileSystemId] ?? { functionName, mountPath };
}

/** Every verifier the settings name (a drill's catch-all cleanup releases each one this drill holds). */
export function allVerifiers(settings: DrillSettings): VerifierTarget[] {
  const all = [
    { functionName: settings.verifier.functionName, mountPath: settings.verifier.mountPath },
    ...Object.values(settings.verifier.perFileSystem),
  ];
  return all.filter((v, i) => all.findIndex((w) => w.functionName === v.functionName) === i);
}

/** Parses `CLAWOPS_SETTINGS` for a drill function; throws naming the field that is wrong. */
export function parseDrillSettings(json: string | undefined): DrillSettings {
  if (!json) throw new Error("CLAWOPS_SETTINGS is not set: the drill functions need their settings");
  return z.parse(DrillSettingsSchema, JSON.parse(json));
}

/**
 * The drill sweeper runs at minute 7 of every UTC hour (its cleanup; a cron, so the minute does not depend on
 * when the stage was deployed) and publishes `DrillDaysSinceLastPass` only in the runs whose UTC hour is a
 * multiple of this: one datapoint in each of the no-passing-drill alarm's periods, which are this long.
 * CloudWatch bills a custom metric by the hours it is sent in: every hour would cost $0.30 a month, this a
 * sixth of it (bench/cost.ts).
 */
export const DAYS_SINCE_PASS_EVERY_HOURS = 6;

/**
 * The state table partition of restore-testing job claims (one validation per job): the Plan function may write
 * only items of it (its IAM grant's `dynamodb:LeadingKeys`).
 */
export const RESTORE_JOB_CLAIMS_PK = "drill#restore-job";

/**
 * The sweeper's schedule: minute 7 of every UTC hour, not `rate(1 hour)` (whose minute is the deploy's), so the
 * run that publishes days since the last pass falls well inside each of the alarm's periods.
 */
export const SWEEPER_SCHEDULE = "cron(7 * * * ? *)";

/** Whether the sweeper run at `now` (epoch ms) publishes `DrillDaysSinceLastPass`. */
export function publishesDaysSincePass(now: number): boolean {
  return new Date(now).getUTCHours() % DAYS_SINCE_PASS_EVERY_HOURS === 0;
}

let now: () => number = () => Date.now();

/** The drills' clock (epoch ms): RPO, RTO, deadlines and lock expiry read it. */
export function drillNow(): number {
  return now();
}

/** The sandbox's seam: drills read the sandbox clock instead of the wall clock. Returns the restore function. */
export function setDrillClock(next: () => number): () => void {
  const previous = now;
  now = next;
  return () => {
    now = previous;
  };
}
