import {
  BackupClient,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupSelectionsCommand,
  paginateListBackupJobs,
} from "@aws-sdk/client-backup";
import { DescribeFileSystemPolicyCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { client } from "@clawops/core/aws";
import type { BackupEvidence, FileSystemEvidence, PolicyDocument } from "@clawops/core/readiness";

const notFound = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

async function filePolicy(id: string): Promise<PolicyDocument | null> {
  try {
    const out = await client(EFSClient).send(new DescribeFileSystemPolicyCommand({ FileSystemId: id }));
    return out.Policy ? (JSON.parse(out.Policy) as PolicyDocument) : null;
  } catch (error) {
    if (notFound(error, "PolicyNotFound")) return null;
    throw error;
  }
}

/** Each file system with its policy (PolicyNotFound = no policy): two calls per file system, two file systems. */
export async function describeFileSystems(ids: readonly string[]): Promise<FileSystemEvidence[]> {
  const efs = client(EFSClient);
  return Promise.all(
    [...new Set(ids)].map(async (id) => {
      const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: id }));
      const policy = await filePolicy(id);
      const fs = FileSystems[0];
      return {
        fileSystemId: id,
        encrypted: fs?.Encrypted === true,
        ...(fs?.KmsKeyId ? { kmsKeyId: fs.KmsKeyId } : {}),
        policy,
      };
    }),
  );
}

/**
 * The fleet's backup plan (rules and selections), its vault and the vault's jobs created since `since`
 * (paginated). Calls: plan, selections list, one per selection, vault, job pages.
 */
export async function describeBackup(
  planId: string,
  vaultName: string,
  since: Date,
): Promise<BackupEvidence> {
  const backup = client(BackupClient);
  const plan = await backup
    .send(new GetBackupPlanCommand({ BackupPlanId: planId }))
    .catch((error: unknown) => {
      if (notFound(error, "ResourceNotFoundException")) return undefined;
      throw error;
    });
  const selectedResources: string[] = [];
  if (plan) {
    const { BackupSelectionsList = [] } = await backup.send(
      new ListBackupSelectionsCommand({ BackupPlanId: planId }),
    );
    for (const s of BackupSelectionsList) {
      const { BackupSelection } = await backup.send(
        new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: s.SelectionId }),
      );
      selectedResources.push(...(BackupSelection?.Resources ?? []));
    }
  }
  const vault = await backup
    .send(new DescribeBackupVaultCommand({ BackupVaultName: vaultName }))
    .catch((error: unknown) => {
      if (notFound(error, "ResourceNotFoundException")) return undefined;
      throw error;
    });
  const jobs: BackupEvidence["jobs"][number][] = [];
  if (vault)
    for await (const page of paginateListBackupJobs(
      { client: backup },
      { ByBackupVaultName: vaultName, ByCreatedAfter: since },
    ))
      for (const j of page.BackupJobs ?? [])
        jobs.push({
          resourceArn: j.ResourceArn ?? "",
          state: j.State ?? "",
          createdAt: (j.CreationDate ?? new Date(0)).toISOString(),
          ...(j.CompletionDate ? { completedAt: j.CompletionDate.toISOString() } : {}),
        });
  return {
    plan: plan
      ? {
          id: planId,
          name: plan.BackupPlan?.BackupPlanName ?? planId,
          rules: (plan.BackupPlan?.Rules ?? []).map((r) => ({
            name: r.RuleName ?? "",
            schedule: r.ScheduleExpression ?? "",
            vaultName: r.TargetBackupVaultName ?? "",
            ...(r.Lifecycle?.DeleteAfterDays !== undefined
              ? { deleteAfterDays: r.Lifecycle.DeleteAfterDays }
              : {}),
          })),
        }
      : null,
    selectedResources,
    vault: vault
      ? { name: vaultName, ...(vault.EncryptionKeyArn ? { encryptionKeyArn: vault.EncryptionKeyArn } : {}) }
      : null,
    jobs,
  };
}
