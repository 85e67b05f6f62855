import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BackupModel, backupModel } from "../src/aws/backup.js";
import { type EfsModel, efsModel } from "../src/aws/efs.js";
import { AwsSimulator } from "../src/aws/simulator.js";
import { type SandboxEvent, SandboxWorld } from "../src/aws/world.js";
import { SandboxClock } from "../src/clock.js";

let root: string;
let clock: SandboxClock;
let sim: AwsSimulator;
let efs: EfsModel;
let backup: BackupModel;
let events: SandboxEvent[];
const call = (command: string, input: Record<string, unknown>) =>
  sim.handle({ service: "Backup", command, input });
const metadata = (fsId: string, token = "clawops-drill-1") => ({
  "file-system-id": fsId,
  newFileSystem: "true",
  Encrypted: "true",
  CreationToken: token,
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "clawops-backup-"));
  clock = new SandboxClock();
  const world = new SandboxWorld(clock);
  events = [];
  world.onEvent((e) => events.push(e));
  efs = efsModel(world, { root: join(root, "efs") });
  backup = backupModel(world, efs, { root: join(root, "backup") });
  sim = new AwsSimulator(clock).register(efs).register(backup);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fleetFileSystem(): Promise<string> {
  const fs = await efs.createFileSystem({ creationToken: "fleet" });
  await writeFile(join(fs.dir, "SOUL.md"), "v1");
  return fs.fileSystemId;
}

describe("Model: AWS Backup", () => {
  it("keeps a recovery point as a snapshot: later changes to the file system do not reach it", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    await writeFile(join(efs.fileSystems.get(fsId)!.dir, "SOUL.md"), "v2");

    expect(await readFile(join(point.snapshotDir, "SOUL.md"), "utf8")).toBe("v1");
  });

  it("restores to a new file system under aws-backup-restore_<datetime>/, taking time, PercentDone a string", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    const { RestoreJobId } = await call("StartRestoreJob", {
      RecoveryPointArn: point.arn,
      Metadata: metadata(fsId),
    });

    const pending = await call("DescribeRestoreJob", { RestoreJobId });
    await clock.advance(30_000 + 300_000);
    const running = await call("DescribeRestoreJob", { RestoreJobId });
    await clock.advance(300_000);
    const done = await call("DescribeRestoreJob", { RestoreJobId });

    expect([pending.Status, running.Status, done.Status]).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
    expect(running.PercentDone).toBe("50.00");
    // The job names the file system it made only once it has ended.
    expect(running.CreatedResourceArn).toBeUndefined();
    const newId = String(done.CreatedResourceArn).split("/").pop()!;
    expect(newId).not.toBe(fsId);
    const [dir, ...others] = await readdir(efs.fileSystems.get(newId)!.dir);
    expect(others).toEqual([]);
    expect(dir).toMatch(/^aws-backup-restore_/);
    expect(await readFile(join(efs.fileSystems.get(newId)!.dir, dir!, "SOUL.md"), "utf8")).toBe("v1");
    expect(events.map((e) => e.detail.status)).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
  });

  it.each([
    ["a metadata value that is not a string", { Encrypted: true }],
    ["no CreationToken", { CreationToken: undefined }],
    ["a restore onto the source", { newFileSystem: "false" }],
  ])("rejects %s", async (_case, change) => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    const Metadata = Object.fromEntries(
      Object.entries({ ...metadata(fsId), ...change }).filter(([, v]) => v !== undefined),
    );
    await expect(call("StartRestoreJob", { RecoveryPointArn: point.arn, Metadata })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
    });
  });

  it("answers a repeated start with the same CreationToken with the same job", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    const a = await call("StartRestoreJob", { RecoveryPointArn: point.arn, Metadata: metadata(fsId) });
    const b = await call("StartRestoreJob", { RecoveryPointArn: point.arn, Metadata: metadata(fsId) });
    expect(b.RestoreJobId).toBe(a.RestoreJobId);
  });

  it("ends a restore FAILED when told to", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    backup.failRestores(point.arn, "Access denied to KMS key");
    const { RestoreJobId } = await call("StartRestoreJob", {
      RecoveryPointArn: point.arn,
      Metadata: metadata(fsId),
    });
    await clock.advance(700_000);
    expect(await call("DescribeRestoreJob", { RestoreJobId })).toMatchObject({
      Status: "FAILED",
      StatusMessage: "Access denied to KMS key",
    });
  });

  it("accepts a restore testing job's validation status once", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    const job = backup.startRestoreTestingJob(
      point.arn,
      "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:weekly",
    );
    await clock.advance(700_000);

    await call("PutRestoreValidationResult", {
      RestoreJobId: job.restoreJobId,
      ValidationStatus: "SUCCESSFUL",
    });
    await expect(
      call("PutRestoreValidationResult", { RestoreJobId: job.restoreJobId, ValidationStatus: "FAILED" }),
    ).rejects.toMatchObject({ name: "InvalidRequestException" });
    expect(events.at(-1)?.detail).toMatchObject({
      status: "COMPLETED",
      restoreTestingPlanArn: expect.stringContaining("restore-testing-plan"),
    });
  });

  it("serves a corrupted file from a corrupted recovery point", async () => {
    const fsId = await fleetFileSystem();
    const point = await backup.backup(fsId, "vault");
    await backup.corruptRecoveryPoint(point.arn, "SOUL.md", "tampered");
    expect(await readFile(join(point.snapshotDir, "SOUL.md"), "utf8")).toBe("tampered");
  });
});
