import {
  BackupClient,
  DescribeRecoveryPointCommand,
  ListRecoveryPointsByResourceCommand,
  type RecoveryPointByResource,
} from "@aws-sdk/client-backup";
import { PermanentError } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { drillNow, NoRecoveryPointError, pickRecoveryPoint, rpoSeconds } from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { describeFileSystem } from "./file-systems.js";
import { manifestsOfPoint } from "./manifest.js";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";

/**
 * ChooseRecoveryPoint task: the newest COMPLETED recovery point of the branch's file system in the fleet's
 * vault (AWS lists them from every vault, copies included, in no promised order, with PARTIAL and EXPIRED ones
 * too), and its age now: the RPO. A workspace is then checked against the soul manifest in force while the
 * point's backup ran (from its CreationDate to its CompletionDate, which only DescribeRecoveryPoint gives).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, fileSystem } = branch;
    const { vaultName, manifestParameterName } = settingsOf(env);
    const points: RecoveryPointByResource[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client(BackupClient).send(
        new ListRecoveryPointsByResourceCommand({
          ResourceArn: await fileSystemArn(fileSystem.fileSystemId),
          NextToken,
        }),
      );
      points.push(...(page.RecoveryPoints ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    const chosen = pickRecoveryPoint(points, { vaultName });
    if (!chosen)
      throw new NoRecoveryPointError(
        `${fileSystem.fileSystemId} has no COMPLETED recovery point in the vault ${vaultName}`,
        { drillId },
      );
    const rpo = rpoSeconds(chosen.creationDate, drillNow());
    logger.info("recovery point chosen", {
      drillId,
      fileSystemId: fileSystem.fileSystemId,
      ...chosen,
      rpoSeconds: rpo,
    });
    const completionDate = await completionDateOf(vaultName, chosen.recoveryPointArn);
    // The restore holds the soul documents of the backup's time: the manifests in force then, not the deployed one.
    const { manifest } = branch.expectations;
    return {
      ...branch,
      ...(manifest
        ? {
            expectations: {
              ...branch.expectations,
              ...(await manifestsOfPoint(manifestParameterName, manifest, {
                creationDate: chosen.creationDate,
                completionDate,
              })),
            },
          }
        : {}),
      point: {
        ...chosen,
        completionDate,
        backupSizeBytes: chosen.backupSizeBytes ?? null,
        rpoSeconds: rpo,
      },
    };
  },
});

/** ListRecoveryPointsByResource takes the file system's ARN, which EFS reports. */
async function fileSystemArn(fileSystemId: string): Promise<string> {
  const arn = (await describeFileSystem(fileSystemId))?.FileSystemArn;
  if (!arn) throw new PermanentError(`the fleet's file system ${fileSystemId} does not exist`);
  return arn;
}

/**
 * When the point's backup completed (ISO), or null when AWS Backup does not say: ListRecoveryPointsByResource
 * gives no CompletionDate, DescribeRecoveryPoint does.
 */
async function completionDateOf(vaultName: string, recoveryPointArn: string): Promise<string | null> {
  const point = await client(BackupClient).send(
    new DescribeRecoveryPointCommand({ BackupVaultName: vaultName, RecoveryPointArn: recoveryPointArn }),
  );
  return point?.CompletionDate?.toISOString() ?? null;
}
