import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BackupModel, backupModel } from "../../src/aws/backup.js";
import { type EfsModel, efsModel } from "../../src/aws/efs.js";
import { AwsSimulator } from "../../src/aws/simulator.js";
import { SandboxWorld } from "../../src/aws/world.js";
import { SandboxClock } from "../../src/clock.js";

// The EFS recovery points of the sandbox's AWS Backup model, no more lenient than AWS's:
// - AWS Backup API reference (BackupJob.BackupSizeInBytes): "For Amazon EFS, this value refers to the delta bytes
//   transferred during a backup." A drill that compared a restore with it would fail here as it fails there.
// - The drill checks soul documents against every manifest written while a backup ran, from the point's
//   CreationDate to its CompletionDate. AWS gives CompletionDate in DescribeRecoveryPoint only (a
//   RecoveryPointByResource has none): the sandbox answers the same, so the drill's Choose must ask for it.
let root: string;
let sim: AwsSimulator;
let efs: EfsModel;
let backup: BackupModel;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "clawops-recovery-points-"));
  const clock = new SandboxClock();
  const world = new SandboxWorld(clock);
  efs = efsModel(world, { root: join(root, "efs") });
  backup = backupModel(world, efs, { root: join(root, "backup") });
  sim = new AwsSimulator(clock).register(efs).register(backup);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("Model: AWS Backup, BackupSizeInBytes of an EFS recovery point", () => {
  it("is the whole tree for the first backup and only what changed for the next (incremental)", async () => {
    const fs = await efs.createFileSystem({ creationToken: "fleet" });
    await writeFile(join(fs.dir, "a.jsonl"), "a".repeat(10_000));
    await writeFile(join(fs.dir, "b.jsonl"), "b".repeat(10_000));
    const first = await backup.backup(fs.fileSystemId, "vault");
    await writeFile(join(fs.dir, "b.jsonl"), "B".repeat(10_000)); // changed
    await writeFile(join(fs.dir, "c.jsonl"), "c".repeat(3_000)); // new
    const second = await backup.backup(fs.fileSystemId, "vault");

    const size = async (arn: string) =>
      (
        (await sim.handle({
          service: "Backup",
          command: "DescribeRecoveryPoint",
          input: { BackupVaultName: "vault", RecoveryPointArn: arn },
        })) as { BackupSizeInBytes: number }
      ).BackupSizeInBytes;
    expect(await size(first.arn)).toBe(20_000);
    expect(await size(second.arn)).toBe(13_000); // smaller than the 23,000 bytes the point restores
  });
});

describe("Model: AWS Backup, when an EFS recovery point's backup completed", () => {
  it("is answered by DescribeRecoveryPoint, not by ListRecoveryPointsByResource", async () => {
    const fs = await efs.createFileSystem({ creationToken: "fleet" });
    await writeFile(join(fs.dir, "SOUL.md"), "# Soul\n");
    const point = await backup.backup(fs.fileSystemId, "vault");

    const described = (await sim.handle({
      service: "Backup",
      command: "DescribeRecoveryPoint",
      input: { BackupVaultName: "vault", RecoveryPointArn: point.arn },
    })) as { CreationDate: Date; CompletionDate?: Date };
    const listed = (await sim.handle({
      service: "Backup",
      command: "ListRecoveryPointsByResource",
      input: { ResourceArn: fs.arn },
    })) as { RecoveryPoints: Record<string, unknown>[] };

    expect(described.CompletionDate).toEqual(new Date(point.completionDate));
    expect(described.CompletionDate!.getTime()).toBeGreaterThanOrEqual(described.CreationDate.getTime());
    expect(listed.RecoveryPoints[0]).not.toHaveProperty("CompletionDate");
  });
});
