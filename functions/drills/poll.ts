import { BackupClient, DescribeRestoreJobCommand } from "@aws-sdk/client-backup";
import { client } from "@clawops/core/aws";
import {
  DrillTimeoutError,
  drillNow,
  percentDone,
  RestoreFailedError,
  restoreCreationToken,
  restorePollDelaySeconds,
} from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { describeFileSystem, fileSystemByToken, tagAsDrill } from "./file-systems.js";
import { type Branch, parseBranch } from "./task-input.js";

/**
 * PollRestore task: DescribeRestoreJob. COMPLETED → the new file system (`CreatedResourceArn`) is tagged as
 * this drill's, once its CreationToken proves it is the one this drill asked for; FAILED/ABORTED →
 * `RestoreFailedError`; still running past the drill's deadline → `DrillTimeoutError`; else poll again later.
 * While a drill's job runs, its new file system is looked up by the drill's CreationToken (the job names it only
 * once it has ended): once it exists and is available, it is tagged as the drill's and recorded, and the
 * workflow prepares its mount targets and the verifier's mount while the data is still being restored.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }): Promise<Branch> => {
    const { drillId, restore, deadline } = branch;
    if (!restore) throw new Error("PollRestore needs a started restore");
    const job = await client(BackupClient).send(
      new DescribeRestoreJobCommand({ RestoreJobId: restore.restoreJobId }),
    );
    const status = job.Status ?? "PENDING";
    const restoredFileSystemId =
      job.CreatedResourceArn?.split("/").pop() ?? restore.restoredFileSystemId ?? null;
    const progress = {
      ...restore,
      status,
      percentDone: percentDone(job.PercentDone) ?? null,
      restoredFileSystemId,
    };
    logger.info("restore progress", {
      drillId,
      restoreJobId: restore.restoreJobId,
      status,
      percentDone: job.PercentDone,
    });
    if (status === "FAILED" || status === "ABORTED")
      throw new RestoreFailedError(
        `restore job ${restore.restoreJobId} ${status}: ${job.StatusMessage ?? "no reason given"}`,
        { drillId },
      );
    if (status === "COMPLETED") {
      await tagRestoredFileSystem(branch, env.stage, restoredFileSystemId);
      return { ...branch, restore: progress };
    }
    if (drillNow() > Date.parse(deadline))
      throw new DrillTimeoutError(
        `restore job ${restore.restoreJobId} still ${status} at the drill's deadline ${deadline}`,
        { drillId },
      );
    const early = progress.restoredFileSystemId ? undefined : await restoringFileSystem(branch, env.stage);
    if (early) progress.restoredFileSystemId = early;
    const pollAttempt = restore.pollAttempt + 1;
    return {
      ...branch,
      restore: { ...progress, pollAttempt, waitSeconds: restorePollDelaySeconds(pollAttempt) },
    };
  },
});

/**
 * The file system a running drill restore is writing to, when EFS already lists it as available under the
 * drill's CreationToken (tagged as the drill's here, so every cleanup path finds it); restore-testing jobs are
 * AWS's, not looked up.
 */
async function restoringFileSystem(branch: Branch, stage: string): Promise<string | undefined> {
  if (branch.mode !== "drill") return undefined;
  const fs = await fileSystemByToken(
    restoreCreationToken(branch.drillId, branch.fileSystem.fileSystemId, stage),
  );
  if (!fs?.FileSystemId || fs.LifeCycleState !== "available") return undefined;
  await tagAsDrill(fs, { drillId: branch.drillId, stage });
  return fs.FileSystemId;
}

async function tagRestoredFileSystem(
  branch: Branch,
  stage: string,
  fileSystemId: string | null,
): Promise<void> {
  if (!fileSystemId)
    throw new RestoreFailedError("the restore job COMPLETED without a CreatedResourceArn", {
      drillId: branch.drillId,
    });
  const fs = await describeFileSystem(fileSystemId);
  if (!fs)
    throw new RestoreFailedError(`the restored file system ${fileSystemId} does not exist`, {
      drillId: branch.drillId,
    });
  const expected = restoreCreationToken(branch.drillId, branch.fileSystem.fileSystemId, stage);
  // A drill's restore carries the drill's token; a restore-testing job's file system is AWS's own report.
  if (branch.mode === "drill" && fs.CreationToken !== expected)
    throw new RestoreFailedError(
      `${fileSystemId} was not created by this drill's restore (CreationToken ${fs.CreationToken})`,
      {
        drillId: branch.drillId,
      },
    );
  await tagAsDrill(fs, { drillId: branch.drillId, stage });
}
