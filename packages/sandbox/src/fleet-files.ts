import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedConfig } from "@clawops/core/config";
import { type FleetDescription, manifestOf, readSoulDocuments } from "@clawops/core/fleet";
import type { SandboxRecoveryPoint } from "./aws/backup.js";
import type { SimulatedAws } from "./aws/simulated-aws.js";

/** The repository's soul documents: the canonical copy the sandbox fleet's workspace is deployed from. */
export const SOUL_SOURCE_DIR = fileURLToPath(new URL("../../../soul/", import.meta.url));

/** The fleet's two file systems as the sandbox seeded them, and their first recovery points. */
export interface FleetFiles {
  /** Real directory of the workspace file system (the soul documents sit under `drills.workspacePath`). */
  readonly workspaceDir: string;
  /** Real directory of the runtime file system (sessions and memory under `drills.runtimePath`). */
  readonly runtimeDir: string;
  /** SHA-256 of each soul document, by path relative to the workspace directory (the deployed manifest). */
  readonly manifest: Readonly<Record<string, string>>;
  /** The daily backup taken at boot: one COMPLETED recovery point per file system. */
  readonly recoveryPoints: {
    readonly workspace: SandboxRecoveryPoint;
    readonly runtime: SandboxRecoveryPoint;
  };
}

/** Runtime data an OpenClaw gateway leaves on the runtime file system: session transcripts and memory. */
function runtimeData(now: number): Record<string, string> {
  const day = new Date(now).toISOString().slice(0, 10);
  const turn = (role: string, text: string, offsetMs: number) =>
    JSON.stringify({ role, text, at: new Date(now - offsetMs).toISOString() });
  return {
    [`sessions/${day}-ops.jsonl`]: `${[
      turn("user", "Is the fleet healthy?", 3_600_000),
      turn("assistant", "All gateways answer /health.", 3_590_000),
      turn("user", "When did the last backup run?", 1_800_000),
      turn("assistant", "The daily AWS Backup job completed this morning.", 1_790_000),
    ].join("\n")}\n`,
    [`sessions/${day}-oncall.jsonl`]: `${[
      turn("user", "Page me if a restore drill fails.", 600_000),
      turn("assistant", "Drill results go to the alerts channel.", 590_000),
    ].join("\n")}\n`,
    "memory/memory.json": `${JSON.stringify(
      { facts: ["the fleet runs behind a launch gate", "soul documents are read-only"], updatedAt: day },
      null,
      2,
    )}\n`,
  };
}

async function writeTree(dir: string, files: Readonly<Record<string, string | Buffer>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/**
 * Gives the seeded fleet's two EFS file systems (their ids come from the fleet description) real directories
 * in the EFS model: the workspace holds the repository's soul documents, the runtime holds session JSONL and a
 * JSON memory file. Publishes the soul manifest (SHA-256 by path) to the fleet's SSM parameter and takes the
 * daily backup (a real directory snapshot per file system) into the fleet's vault.
 */
export async function seedFleetFiles(
  aws: SimulatedAws,
  config: ResolvedConfig,
  description: FleetDescription,
): Promise<FleetFiles> {
  const { world, efs, backup, ssm } = aws;
  const { workspacePath, runtimePath } = config.settings.drills;

  // The ids come from the fleet description; a file system another seed step already made is kept as is.
  const adopt = async (fileSystemId: string, role: string) => {
    const existing = efs.fileSystems.get(fileSystemId);
    if (existing) return existing.dir;
    const dir = join(aws.fileRoot, "efs", fileSystemId);
    await mkdir(dir, { recursive: true });
    efs.fileSystems.set(fileSystemId, {
      fileSystemId,
      arn: world.arn("elasticfilesystem", `file-system/${fileSystemId}`),
      creationToken: `${description.name}-${role}`,
      creationTime: world.clock.now(),
      dir,
      encrypted: true,
      kmsKeyId: description.kmsKeyArn,
      tags: [
        { Key: "Name", Value: `${description.autoScalingGroupName}-${role}` },
        { Key: "openclaw:fleet", Value: description.name },
      ],
    });
    return dir;
  };
  const workspaceDir = await adopt(description.workspace.fileSystemId, "workspace");
  const runtimeDir = await adopt(description.runtime.fileSystemId, "runtime");

  const soul = readSoulDocuments(SOUL_SOURCE_DIR);
  await writeTree(join(workspaceDir, workspacePath), soul);
  await writeTree(join(runtimeDir, runtimePath), runtimeData(world.clock.now()));
  const manifest = manifestOf(soul).files;
  ssm.parameters.set(description.manifestParameterName, {
    Value: JSON.stringify({ files: manifest }),
    Type: "String",
    Version: 1,
    LastModifiedDate: world.clock.now(),
  });

  const recoveryPoints = {
    workspace: await backup.backup(description.workspace.fileSystemId, description.backupVaultName),
    runtime: await backup.backup(description.runtime.fileSystemId, description.backupVaultName),
  };
  return { workspaceDir, runtimeDir, manifest, recoveryPoints };
}
