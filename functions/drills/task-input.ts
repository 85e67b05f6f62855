import { DrillFileSystemSchema } from "@clawops/core/drills";
import * as z from "zod/mini";

/** The recovery point a branch restores (ChooseRecoveryPoint's result). */
export const PointSchema = z.looseObject({
  recoveryPointArn: z.string(),
  creationDate: z.string(),
  /** When the point's backup completed (DescribeRecoveryPoint); null when AWS Backup did not say. */
  completionDate: z.optional(z.nullable(z.string())),
  rpoSeconds: z.number(),
  backupSizeBytes: z.optional(z.nullable(z.number())),
});

/** The restore job of a branch, as the poll loop carries it. */
export const RestoreSchema = z.looseObject({
  restoreJobId: z.string(),
  startedAt: z.string(),
  status: z.string(),
  percentDone: z.optional(z.nullable(z.number())),
  restoredFileSystemId: z.optional(z.nullable(z.string())),
  pollAttempt: z.number(),
  waitSeconds: z.number(),
});

/** A version of the soul manifest, with its parameter version and when it was deployed. */
const ManifestSchema = z.object({
  files: z.record(z.string(), z.string()),
  version: z.optional(z.number()),
  deployedAt: z.optional(z.string()),
});

/** What the verifier compares against. */
export const ExpectationsSchema = z.looseObject({
  /** The soul manifest, with its parameter version and when it was deployed (the verifier checks its age). */
  manifest: z.optional(ManifestSchema),
  /** Versions of the manifest written while the point's backup ran: a document matching any of them passes. */
  manifestsDuringBackup: z.optional(z.array(ManifestSchema)),
  runtime: z.optional(z.looseObject({ files: z.optional(z.number()), bytes: z.optional(z.number()) })),
  sizeTolerancePercent: z.number(),
});

/**
 * The state of one file system's branch of `restore-drill.asl.json`: every task gets it whole (`Payload.$:
 * "$"`) and returns the piece the state machine stores at its ResultPath.
 */
export const BranchSchema = z.looseObject({
  drillId: z.string(),
  mode: z.enum(["drill", "validation"]),
  keep: z.boolean(),
  deadline: z.string(),
  verifySeconds: z.number(),
  fileSystem: DrillFileSystemSchema,
  /**
   * Every data tree of the fleet inside this file system, when there are several (an imported fleet whose
   * workspace and runtime share one file system): the one restore verifies each. Absent: `fileSystem`'s own.
   */
  trees: z.optional(z.array(DrillFileSystemSchema)),
  expectations: ExpectationsSchema,
  restoreTestingPlanArn: z.optional(z.string()),
  point: z.optional(PointSchema),
  restore: z.optional(RestoreSchema),
  /** The verifier Lambda of this branch's file system (Plan names it; the Verify state invokes it). */
  verifierFunctionName: z.optional(z.string()),
  mount: z.optional(
    z.looseObject({
      ready: z.boolean(),
      accessPointArn: z.optional(z.string()),
      phase: z.optional(z.enum(["mount-targets", "verifier"])),
      attempt: z.optional(z.number()),
    }),
  ),
  verification: z.optional(z.unknown()),
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** One file system's branch state. */
export type Branch = z.infer<typeof BranchSchema>;
/** A branch's restore job. */
export type RestoreState = z.infer<typeof RestoreSchema>;

/** Parses a branch (Task input). */
export const parseBranch = (event: unknown): Branch => z.parse(BranchSchema, event);
