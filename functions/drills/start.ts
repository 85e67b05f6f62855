import { BackupClient, StartRestoreJobCommand } from "@aws-sdk/client-backup";
import { client } from "@clawops/core/aws";
import { drillNow, restoreJobInput, restorePollDelaySeconds } from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";

/**
 * StartRestore task: restores the chosen point to a NEW file system, encrypted with the fleet's key. The
 * CreationToken (also the IdempotencyToken) is derived from the drill and the source, so a retried start
 * returns the same job instead of a second file system.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, fileSystem, point } = branch;
    const settings = settingsOf(env);
    if (!point) throw new Error("StartRestore needs the chosen recovery point");
    const input = restoreJobInput({
      drillId,
      stage: env.stage,
      sourceFileSystemId: fileSystem.fileSystemId,
      recoveryPointArn: point.recoveryPointArn,
      kmsKeyArn: settings.kmsKeyArn,
      iamRoleArn: settings.restoreRoleArn,
    });
    const { RestoreJobId } = await client(BackupClient).send(new StartRestoreJobCommand(input));
    if (!RestoreJobId) throw new Error("StartRestoreJob returned no RestoreJobId");
    logger.info("restore started", {
      drillId,
      restoreJobId: RestoreJobId,
      recoveryPointArn: point.recoveryPointArn,
    });
    const restore = {
      restoreJobId: RestoreJobId,
      startedAt: new Date(drillNow()).toISOString(),
      status: "PENDING",
      pollAttempt: 0,
      waitSeconds: restorePollDelaySeconds(0),
    };
    return { ...branch, restore };
  },
});
