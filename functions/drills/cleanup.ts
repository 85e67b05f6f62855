import { BackupClient, DescribeRestoreJobCommand } from "@aws-sdk/client-backup";
import { client } from "@clawops/core/aws";
import { restoreCreationToken } from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import {
  type CleanupReport,
  cleanUpFileSystem,
  describeFileSystem,
  drillFileSystems,
  tagAsDrill,
} from "./file-systems.js";
import { fleetFileSystemIds, settingsOf } from "./settings.js";
import { BranchSchema } from "./task-input.js";
import { attachVerifier, releaseVerifier } from "./verifier-lock.js";

/** A branch (clean up its own restore) or a whole drill by id (`{ drillId }`: after a stop or a crash). */
const CleanupInputSchema = z.union([
  BranchSchema,
  z.looseObject({ drillId: z.string(), keep: z.optional(z.boolean()) }),
]);

/**
 * Cleanup task, on every path: detaches and releases the verifier, then removes the drill's access points,
 * mount targets (waiting for their deletion) and restored file system, each through the cleanup guard. A
 * restore-testing job's file system is left to AWS (it deletes it after validation); `keep` leaves the file
 * system and says how to remove it.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(CleanupInputSchema, event),
  handler: async (input, { env, logger }) => {
    const settings = settingsOf(env);
    const drill = { drillId: input.drillId, fleetFileSystemIds: fleetFileSystemIds(settings) };
    if (env.stateTable)
      await releaseVerifier(env.stateTable, input.drillId, async () => {
        await attachVerifier(settings.verifier.functionName, undefined, settings.verifier.mountPath);
      });
    const targets =
      "fileSystem" in input
        ? await branchFileSystems(z.parse(BranchSchema, input))
        : (await drillFileSystems(input.drillId)).map((fs) => fs.FileSystemId ?? "");
    const keepFileSystem = input.keep === true || ("mode" in input && input.mode === "validation");
    const reports: CleanupReport[] = [];
    for (const fileSystemId of targets)
      reports.push(await cleanUpFileSystem(fileSystemId, drill, { keepFileSystem }));
    const kept = keepFileSystem ? reports.map((r) => r.fileSystemId) : [];
    const howToRemove = kept.map((id) => `aws efs delete-file-system --file-system-id ${id}`);
    logger.info("drill cleaned up", { drillId: input.drillId, reports, kept });
    return { ...input, cleanup: { reports, kept, howToRemove } };
  },
});

/**
 * The file system this branch's restore made. Usually tagged already (PollRestore); a restore that finished
 * after a timeout is tagged here first, but only when its CreationToken is the one this drill sent.
 */
async function branchFileSystems(branch: z.infer<typeof BranchSchema>): Promise<string[]> {
  let fileSystemId = branch.restore?.restoredFileSystemId ?? undefined;
  if (!fileSystemId && branch.restore) {
    const job = await client(BackupClient).send(
      new DescribeRestoreJobCommand({ RestoreJobId: branch.restore.restoreJobId }),
    );
    fileSystemId = job.CreatedResourceArn?.split("/").pop();
  }
  if (!fileSystemId) return [];
  const fs = await describeFileSystem(fileSystemId);
  if (!fs) return [];
  const ours =
    branch.mode === "validation" ||
    fs.CreationToken === restoreCreationToken(branch.drillId, branch.fileSystem.fileSystemId);
  if (ours) await tagAsDrill(fs, branch.drillId);
  return [fileSystemId];
}
