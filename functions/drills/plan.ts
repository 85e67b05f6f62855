import {
  BackupClient,
  DescribeRecoveryPointCommand,
  type DescribeRecoveryPointCommandOutput,
  DescribeRestoreJobCommand,
} from "@aws-sdk/client-backup";
import { PermanentError } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { type DrillSettings, drillNow, restoreTargets, rpoSeconds, verifierFor } from "@clawops/core/drills";
import {
  parseEvent,
  RestoreJobStateChangeEventSchema,
  restoreJobStatus,
  restoreTestingPlanArn,
} from "@clawops/core/events";
import { type HandlerContext, lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { manifestsOfPoint, readManifest } from "./manifest.js";
import { claimRestoreJob } from "./restore-claim.js";
import { settingsOf } from "./settings.js";
import type { Branch } from "./task-input.js";

const PlanInputSchema = z.object({
  request: z.unknown(),
  executionName: z.string(),
  startTime: z.optional(z.string()),
});
const DrillRequestSchema = z.looseObject({
  keep: z.optional(z.boolean()),
  fileSystemIds: z.optional(z.array(z.string())),
});

/**
 * Plan task: what this execution drills. A drill request (`{ keep?, fileSystemIds? }`, from `clawops drill` or
 * the schedule) gives one branch per fleet file system (one for a file system the workspace and the runtime
 * share); a restore-testing job's COMPLETED event gives one validation branch for the file system it restored.
 * The drill id is the execution name. A workspace is checked against the deployed soul manifest: a manifest
 * that is not one, or lists no file, fails the drill (`InvalidManifestError`) instead of checking nothing.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(PlanInputSchema, event),
  handler: async ({ request, executionName }, { env, logger }) => {
    const settings = settingsOf(env);
    const now = drillNow();
    const base = {
      drillId: executionName,
      keep: false,
      deadline: new Date(now + settings.timeoutMinutes * 60_000).toISOString(),
      verifySeconds: settings.verifyTimeoutSeconds,
    };
    // An AWS Backup event is validated as one, never read as a drill request: a malformed restore-testing
    // event must fail this execution, not drill the whole fleet.
    const fromBackup = (request as { source?: unknown } | null)?.source === "aws.backup";
    const branches = fromBackup
      ? await validationBranch(
          parseEvent(RestoreJobStateChangeEventSchema, request),
          settings,
          base,
          now,
          logger,
          env.stateTable,
        )
      : await drillBranches(parseEvent(DrillRequestSchema, request ?? {}, "drill request"), settings, base);
    logger.info("drill planned", {
      drillId: executionName,
      branches: branches.length,
      mode: branches[0]?.mode,
    });
    return { drillId: executionName, startedAt: new Date(now).toISOString(), branches };
  },
});

/** An id as a message shows it: quoted, and cut short when it is long. */
const quoted = (id: string) => JSON.stringify(id.length > 60 ? `${id.slice(0, 57)}...` : id);

type Base = Pick<Branch, "drillId" | "keep" | "deadline" | "verifySeconds">;

async function drillBranches(
  request: z.infer<typeof DrillRequestSchema>,
  settings: DrillSettings,
  base: Base,
): Promise<Branch[]> {
  const chosen = settings.fileSystems.filter(
    (fs) => !request.fileSystemIds || request.fileSystemIds.includes(fs.fileSystemId),
  );
  // A request naming file systems the fleet does not have would drill nothing and pass without a word.
  const fleet = settings.fileSystems.map((fs) => fs.fileSystemId);
  const unknown = (request.fileSystemIds ?? []).filter((id) => !fleet.includes(id));
  if (unknown.length > 0)
    throw new PermanentError(
      `the drill request names file systems the fleet does not have: ${unknown.map(quoted).join(", ")} (the fleet's: ${fleet.join(", ")})`,
    );
  if (chosen.length === 0) throw new PermanentError("the drill request names no file system");
  const manifest = chosen.some((fs) => fs.kind === "workspace")
    ? await readManifest(settings.manifestParameterName)
    : undefined;
  return restoreTargets(chosen).map(({ fileSystem, trees }) => ({
    ...base,
    keep: request.keep ?? false,
    mode: "drill",
    fileSystem,
    ...(trees.length > 1 ? { trees: [...trees] } : {}),
    verifierFunctionName: verifierFor(settings, fileSystem.fileSystemId).functionName,
    expectations: {
      sizeTolerancePercent: settings.sizeTolerancePercent,
      ...(trees.some((tree) => tree.kind === "workspace") ? { manifest } : {}),
    },
  }));
}

/**
 * One validation branch for a restore-testing job that restored one of this fleet's file systems from this
 * fleet's vault; none for any other job (another stage's or team's plan: not this fleet's to validate, and no
 * DrillFailed for it), nor for a job another drill already claimed (a duplicate delivery of the event), logged.
 */
async function validationBranch(
  event: z.infer<typeof RestoreJobStateChangeEventSchema>,
  settings: DrillSettings,
  base: Base,
  now: number,
  logger: Pick<HandlerContext["logger"], "info">,
  stateTable: string | undefined,
): Promise<Branch[]> {
  const planArn = restoreTestingPlanArn(event);
  if (!planArn || restoreJobStatus(event) !== "COMPLETED") return [];
  const backup = client(BackupClient);
  const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: event.detail.restoreJobId }));
  const notOurs = (why: string) => {
    logger.info("not this fleet's restore-testing job: no drill", {
      restoreJobId: event.detail.restoreJobId,
      restoreTestingPlanArn: planArn,
      recoveryPointArn: job.RecoveryPointArn,
      why,
    });
    return [];
  };
  const point = await recoveryPointInVault(settings.vaultName, job.RecoveryPointArn);
  if (!point) return notOurs(`its recovery point is not in the vault ${settings.vaultName}`);
  const restored = restoreTargets(settings.fileSystems).find((target) =>
    point.ResourceArn?.endsWith(`/${target.fileSystem.fileSystemId}`),
  );
  if (!restored) return notOurs(`it restored ${point.ResourceArn}, not one of the fleet's file systems`);
  if (!job.RestoreJobId || !job.CreationDate) return notOurs("AWS Backup did not describe the restore job");
  // EventBridge may deliver the event twice: the second execution ends here, quietly, and touches nothing.
  if (!stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
  if (!(await claimRestoreJob(stateTable, job.RestoreJobId, base.drillId))) {
    logger.info("restore-testing job already validated by another drill: no drill", {
      restoreJobId: job.RestoreJobId,
      drillId: base.drillId,
    });
    return [];
  }
  const { fileSystem, trees } = restored;
  const creationDate = (job.RecoveryPointCreationDate ?? point.CreationDate ?? new Date(now)).toISOString();
  const completionDate = point.CompletionDate?.toISOString() ?? null;
  // The restore holds the soul documents of the backup's time: the manifests in force then, not the deployed one.
  const manifests = trees.some((tree) => tree.kind === "workspace")
    ? await manifestsOfPoint(
        settings.manifestParameterName,
        await readManifest(settings.manifestParameterName),
        { creationDate, completionDate },
      )
    : undefined;
  return [
    {
      ...base,
      mode: "validation",
      fileSystem,
      ...(trees.length > 1 ? { trees: [...trees] } : {}),
      verifierFunctionName: verifierFor(settings, fileSystem.fileSystemId).functionName,
      restoreTestingPlanArn: planArn,
      expectations: {
        sizeTolerancePercent: settings.sizeTolerancePercent,
        ...manifests,
      },
      point: {
        recoveryPointArn: point.RecoveryPointArn ?? "",
        creationDate,
        completionDate,
        rpoSeconds: rpoSeconds(creationDate, job.CreationDate),
        backupSizeBytes: point.BackupSizeInBytes ?? null,
      },
      restore: {
        restoreJobId: job.RestoreJobId,
        startedAt: job.CreationDate.toISOString(),
        status: "COMPLETED",
        pollAttempt: 0,
        waitSeconds: 0,
      },
    },
  ];
}

/**
 * The recovery point as this fleet's vault holds it, or undefined when the vault has no such point: AWS Backup
 * answers ResourceNotFoundException for a recovery point of another vault.
 */
async function recoveryPointInVault(
  vaultName: string,
  recoveryPointArn: string | undefined,
): Promise<DescribeRecoveryPointCommandOutput | undefined> {
  try {
    return await client(BackupClient).send(
      new DescribeRecoveryPointCommand({ BackupVaultName: vaultName, RecoveryPointArn: recoveryPointArn }),
    );
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}
