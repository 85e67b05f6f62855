import {
  BackupClient,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  paginateListBackupJobs,
  paginateListBackupSelections,
} from "@aws-sdk/client-backup";
import { DescribeFileSystemPolicyCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { client } from "@clawops/core/aws";
import type {
  BackupEvidence,
  BackupSelectionEvidence,
  FileSystemEvidence,
  PolicyDocument,
} from "@clawops/core/readiness";

const notFound = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

/** A selection's tag key: Conditions say `aws:ResourceTag/<key>`, ListOfTags may say the bare key. */
const tagKeyOf = (conditionKey: string | undefined) => (conditionKey ?? "").replace(/^aws:ResourceTag\//, "");

/** Tags of each file system (DescribeFileSystems returns them), for selections that assign by tag. */
async function tagsOf(ids: readonly string[]): Promise<Record<string, Record<string, string>>> {
  const efs = client(EFSClient);
  const entries = await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: id }));
      const tags = Object.fromEntries((FileSystems[0]?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
      return [id, tags] as const;
    }),
  );
  return Object.fromEntries(entries);
}

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
 * (paginated). Calls: plan, selection pages, one per selection, the file systems' tags when a selection
 * assigns by tag, vault, job pages.
 */
export async function describeBackup(
  planId: string,
  vaultName: string,
  since: Date,
  fileSystemIds: readonly string[],
): Promise<BackupEvidence> {
  const backup = client(BackupClient);
  const plan = await backup
    .send(new GetBackupPlanCommand({ BackupPlanId: planId }))
    .catch((error: unknown) => {
      if (notFound(error, "ResourceNotFoundException")) return undefined;
      throw error;
    });
  const selections: BackupSelectionEvidence[] = [];
  if (plan)
    for await (const page of paginateListBackupSelections({ client: backup }, { BackupPlanId: planId }))
      for (const s of page.BackupSelectionsList ?? []) {
        const { BackupSelection: b } = await backup.send(
          new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: s.SelectionId }),
        );
        const conditions = Object.entries(b?.Conditions ?? {}).flatMap(([operator, list]) =>
          ((list ?? []) as { ConditionKey?: string; ConditionValue?: string }[]).map((c) => ({
            operator,
            tagKey: tagKeyOf(c.ConditionKey),
            value: c.ConditionValue ?? "",
          })),
        );
        selections.push({
          name: b?.SelectionName ?? s.SelectionName ?? s.SelectionId ?? "",
          resources: b?.Resources ?? [],
          notResources: b?.NotResources ?? [],
          conditions,
          listOfTags: (b?.ListOfTags ?? []).map((t) => ({
            tagKey: tagKeyOf(t.ConditionKey),
            value: t.ConditionValue ?? "",
          })),
        });
      }
  const byTag = selections.some((s) => s.conditions.length > 0 || s.listOfTags.length > 0);
  const fileSystemTags = byTag ? await tagsOf(fileSystemIds) : undefined;
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
    selections,
    ...(fileSystemTags ? { fileSystemTags } : {}),
    vault: vault
      ? { name: vaultName, ...(vault.EncryptionKeyArn ? { encryptionKeyArn: vault.EncryptionKeyArn } : {}) }
      : null,
    jobs,
  };
}
