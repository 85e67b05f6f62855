import { client } from "@clawops/core/aws";
import {
  allVerifiers,
  FileSystemTakenError,
  keepsFileSystems,
  restoreCreationToken,
  verifierFor,
} from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import {
  type CleanupReport,
  cleanUpFileSystem,
  describeFileSystem,
  drillFileSystems,
  fileSystemByToken,
  tagAsDrill,
} from "./file-systems.js";
import { fleetFileSystemIds, settingsOf } from "./settings.js";
import { type Branch, BranchSchema } from "./task-input.js";
import { detachVerifier, releaseVerifier } from "./verifier-lock.js";

/**
 * A branch (clean up its own restore) or a whole drill by id (`{ drillId, request }`: after a failure no branch
 * cleaned up; `request` is the execution's input, which says whether the drill keeps its file systems).
 */
const CleanupInputSchema = z.union([
  BranchSchema,
  z.looseObject({ drillId: z.string(), keep: z.optional(z.boolean()), request: z.optional(z.unknown()) }),
]);
/** A branch to start cleaning up, without waiting for EFS to delete its mount targets. */
const StartCleanupSchema = z.object({ branch: BranchSchema, waitForDeletion: z.literal(false) });

function parseCleanup(event: unknown) {
  const start = z.safeParse(StartCleanupSchema, event);
  return start.success
    ? { input: start.data.branch, waitForDeletion: false }
    : { input: z.parse(CleanupInputSchema, event), waitForDeletion: true };
}

/**
 * Cleanup task, on every path: detaches and releases the verifier, then removes the drill's access points,
 * mount targets and restored file system, each through the cleanup guard. It waits for EFS to delete the
 * mount targets (`NotReadyError` until then, which the state machine retries) unless told not to: a branch
 * starts its cleanup as soon as it is verified, and the drill finishes them all while it reports. A
 * restore-testing job's file system is left to AWS (it deletes it after validation); `keep` (the branch's, or
 * the drill request's when cleaning up by drill id) leaves the file system and says how to remove it.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseCleanup,
  handler: async ({ input, waitForDeletion }, { env, logger }) => {
    const settings = settingsOf(env);
    const drill = {
      drillId: input.drillId,
      stage: env.stage,
      fleetFileSystemIds: fleetFileSystemIds(settings),
    };
    const branch = "fileSystem" in input ? z.parse(BranchSchema, input) : undefined;
    const verifiers = branch
      ? [verifierFor(settings, branch.fileSystem.fileSystemId)]
      : allVerifiers(settings);
    if (env.stateTable)
      for (const verifier of verifiers)
        await releaseVerifier(
          env.stateTable,
          verifier.functionName,
          { drillId: input.drillId, sourceFileSystemId: branch?.fileSystem.fileSystemId },
          () => detachVerifier(verifier.functionName),
        );
    const targets = branch
      ? await branchFileSystems(branch, env.stage)
      : (await drillFileSystems(drill, drill.fleetFileSystemIds)).map((fs) => fs.FileSystemId ?? "");
    const keepFileSystem =
      input.keep === true ||
      branch?.mode === "validation" ||
      (!branch && "request" in input && keepsFileSystems(input.request));
    // AWS deletes a restore-testing job's file system once validated: the branch waits for its own mount
    // targets to be gone before the drill reports the validation.
    const wait = waitForDeletion || branch?.mode === "validation";
    const reports: CleanupReport[] = [];
    for (const fileSystemId of targets)
      reports.push(await cleanUpFileSystem(fileSystemId, drill, { keepFileSystem, waitForDeletion: wait }));
    const kept = keepFileSystem ? reports.map((r) => r.fileSystemId) : [];
    const howToRemove = kept.map((id) => `aws efs delete-file-system --file-system-id ${id}`);
    logger.info("drill cleaned up", { drillId: input.drillId, reports, kept, waitForDeletion });
    return { ...input, cleanup: { reports, kept, howToRemove } };
  },
});

/**
 * The file system this branch's restore made. Usually tagged already (PollRestore); a restore that ended
 * after a timeout or failed is found by its job or by the drill's CreationToken, and tagged here first, but
 * only when its CreationToken is the one this drill sent.
 */
async function branchFileSystems(branch: Branch, stage: string): Promise<string[]> {
  const token = restoreCreationToken(branch.drillId, branch.fileSystem.fileSystemId, stage);
  let fileSystemId = branch.restore?.restoredFileSystemId ?? undefined;
  if (!fileSystemId && branch.restore) {
    // Only a restore that ended without its file system recorded comes here: the Backup client loads lazily.
    const { BackupClient, DescribeRestoreJobCommand } = await import("@aws-sdk/client-backup");
    const job = await client(BackupClient).send(
      new DescribeRestoreJobCommand({ RestoreJobId: branch.restore.restoreJobId }),
    );
    fileSystemId = job.CreatedResourceArn?.split("/").pop();
  }
  if (!fileSystemId && branch.restore && branch.mode === "drill")
    fileSystemId = (await fileSystemByToken(token))?.FileSystemId;
  if (!fileSystemId) return [];
  const fs = await describeFileSystem(fileSystemId);
  if (!fs) return [];
  const ours = branch.mode === "validation" || fs.CreationToken === token;
  try {
    if (ours) await tagAsDrill(fs, { drillId: branch.drillId, stage });
  } catch (error) {
    if (error instanceof FileSystemTakenError) return []; // another drill's to clean up, not this one's
    throw error;
  }
  return [fileSystemId];
}
