import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BackupModel, backupModel } from "../../src/aws/backup.js";
import { type EfsModel, efsModel } from "../../src/aws/efs.js";
import { AwsSimulator } from "../../src/aws/simulator.js";
import { SandboxWorld } from "../../src/aws/world.js";
import { SandboxClock } from "../../src/clock.js";

// AWS Backup API reference (BackupJob.BackupSizeInBytes): "For Amazon EFS, this value refers to the delta bytes
// transferred during a backup." The sandbox must be no more lenient than AWS: a drill that compared a restore
// with it would fail here as it fails there.
let root: string;
let sim: AwsSimulator;
let efs: EfsModel;
let backup: BackupModel;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "clawops-backup-size-"));
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
