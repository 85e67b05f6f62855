import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByResourceCommand,
} from "@aws-sdk/client-backup";
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeFileSystemsCommand, EFSClient, TagResourceCommand } from "@aws-sdk/client-efs";
import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { context, FLEET, type Handler, handlerOf, installDrillEnvironment, STAGE } from "./fixture.js";

// What a restore holds is the file system as it was at the recovery point: these tests pin the drill's
// verdict to that moment (the manifest in force then, the point's size as AWS reports it for EFS), and one
// validation per restore-testing job however often EventBridge delivers its event.
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const MANIFEST = "/clawops/test/soul-manifest";
const SATURDAY = "# Soul\nv1\n";
const SUNDAY = "# Soul\nv2 (deployed Saturday 14:00)\n";
const ROOT = "aws-backup-restore_2026-03-08T03-05-00-000Z";
const backup = mockClient(BackupClient);
const efs = mockClient(EFSClient);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
let handlers: Record<"plan" | "choose" | "verify" | "poll", Handler>;
let mount: string;

beforeAll(async () => {
  mount = await mkdtemp(join(tmpdir(), "clawops-point-in-time-"));
  installDrillEnvironment({ verifier: { functionName: "self", mountPath: mount } });
  const as = handlerOf;
  handlers = {
    plan: as(await import("../plan.js")),
    choose: as(await import("../choose.js")),
    verify: as(await import("../verify.js")),
    poll: as(await import("../poll.js")),
  };
});
afterAll(async () => rm(mount, { recursive: true, force: true }));
beforeEach(async () => {
  for (const mock of [backup, efs, ssm, dynamo]) mock.reset();
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  await rm(join(mount, ROOT), { recursive: true, force: true });
});

async function restored(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const absolute = join(mount, ROOT, path);
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, text);
  }
}

/** The manifest parameter: version 1 (Saturday's documents) written in February, version 2 at `v2At`. */
function manifestVersions(v2At: string, history = true): void {
  const v1 = {
    Name: MANIFEST,
    Type: "String" as const,
    Value: JSON.stringify({ files: { "SOUL.md": sha256(SATURDAY) } }),
    Version: 1,
    LastModifiedDate: new Date("2026-02-01T10:00:00Z"),
  };
  const v2 = {
    ...v1,
    Value: JSON.stringify({ files: { "SOUL.md": sha256(SUNDAY) } }),
    Version: 2,
    LastModifiedDate: new Date(v2At),
  };
  ssm.on(GetParameterCommand).resolves({ Parameter: v2 });
  ssm.on(GetParameterHistoryCommand).resolves({ Parameters: history ? [v1, v2] : [v2] });
}

/** Version 2 of the manifest deployed Saturday 14:00. */
const manifestDeployedSaturdayAfternoon = (history = true) =>
  manifestVersions("2026-03-07T14:00:00Z", history);

/** The workspace's recovery point: Saturday 05:00, before the 14:00 deploy. */
function saturdayMorningPoint(): void {
  efs.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      {
        FileSystemId: FLEET.workspace,
        FileSystemArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FLEET.workspace}`,
      } as never,
    ],
  });
  backup.on(ListRecoveryPointsByResourceCommand).resolves({
    RecoveryPoints: [
      {
        RecoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-sat",
        BackupVaultName: "clawops-test-openclaw",
        Status: "COMPLETED",
        CreationDate: new Date("2026-03-07T05:00:00Z"),
        BackupSizeBytes: 4096,
      },
    ],
  });
}

/**
 * A deploy that overlapped Saturday's 05:00 backup (which AWS Backup says completed at 05:20): the soul writer
 * wrote SOUL.md v2 while the backup read the files, and published the manifest that lists it at `published`.
 */
function deployDuringTheBackup(published: string): void {
  manifestVersions(published);
  saturdayMorningPoint();
  backup.on(DescribeRecoveryPointCommand).resolves({
    RecoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-sat",
    BackupVaultName: "clawops-test-openclaw",
    CreationDate: new Date("2026-03-07T05:00:00Z"),
    CompletionDate: new Date("2026-03-07T05:20:00Z"),
  });
}

const restoreDone = {
  restoreJobId: "RJ-1",
  startedAt: "2026-03-08T03:00:10.000Z",
  status: "COMPLETED",
  restoredFileSystemId: "fs-0restored",
  pollAttempt: 3,
  waitSeconds: 15,
};
type Verified = {
  verification: { mismatches: { path: string; reason: string }[]; unverified: { reason: string }[] };
};

/** Plan → Choose → Verify of the workspace, as the state machine runs them (the restore itself skipped). */
async function drillTheWorkspace(): Promise<Verified> {
  const planned = (await handlers.plan(
    { request: { fileSystemIds: [FLEET.workspace] }, executionName: "drill-sun" },
    context,
  )) as { branches: Record<string, unknown>[] };
  const chosen = await handlers.choose(planned.branches[0], context);
  return (await handlers.verify({ ...chosen, restore: restoreDone }, context)) as Verified;
}

describe("Function: choose and verify, soul documents", () => {
  it("verifies a backup taken before the last soul-document deploy against the manifest in force then", async () => {
    manifestDeployedSaturdayAfternoon();
    saturdayMorningPoint();
    await restored({ "workspace/SOUL.md": SATURDAY });

    const out = await drillTheWorkspace();

    expect(out.verification.mismatches).toEqual([]);
    expect(out.verification.unverified).toEqual([]);
    expect(ssm.commandCalls(GetParameterHistoryCommand)[0]?.args[0].input).toMatchObject({ Name: MANIFEST });
  });

  it("still fails a restored document that differs from the manifest of the point's time", async () => {
    manifestDeployedSaturdayAfternoon();
    saturdayMorningPoint();
    await restored({ "workspace/SOUL.md": "# Soul\ntampered\n" });

    const out = await drillTheWorkspace();

    expect(out.verification.mismatches).toEqual([
      { path: "SOUL.md", reason: expect.stringContaining("differs from the deployed manifest") },
    ]);
  });

  it("says the documents were not compared, instead of failing them as corrupt, when no manifest version is that old", async () => {
    manifestDeployedSaturdayAfternoon(false);
    saturdayMorningPoint();
    await restored({ "workspace/SOUL.md": SATURDAY });

    const out = await drillTheWorkspace();

    expect(out.verification.mismatches).toEqual([]);
    expect(out.verification.unverified).toEqual([
      {
        path: ".",
        reason: expect.stringMatching(
          /not compared: the manifest \/clawops\/test\/soul-manifest \(version 2\) was deployed at 2026-03-07T14:00:00\.000Z, after the recovery point was created \(2026-03-07T05:00:00\.000Z\)/,
        ),
      },
    ]);
  });
});

describe("Function: choose and verify, a soul-document deploy that overlapped the backup", () => {
  it.each([
    ["the documents of the version in force when it started", SATURDAY],
    ["the documents the deploy wrote while it ran", SUNDAY],
  ])("passes a backup holding %s (manifest published 4 min after it completed)", async (_case, content) => {
    deployDuringTheBackup("2026-03-07T05:24:00Z");
    await restored({ "workspace/SOUL.md": content });

    const out = await drillTheWorkspace();

    expect(out.verification).toMatchObject({ mismatches: [], unverified: [] });
    expect(backup.commandCalls(DescribeRecoveryPointCommand)[0]?.args[0].input).toEqual({
      BackupVaultName: "clawops-test-openclaw",
      RecoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-sat",
    });
    expect(out).toMatchObject({ point: { completionDate: "2026-03-07T05:20:00.000Z" } });
  });

  it("fails a backup holding documents whose manifest was published well after it completed (not the backup's)", async () => {
    deployDuringTheBackup("2026-03-07T05:40:00Z");
    await restored({ "workspace/SOUL.md": SUNDAY });

    const out = await drillTheWorkspace();

    expect(out.verification.mismatches).toEqual([
      { path: "SOUL.md", reason: expect.stringContaining("differs from the deployed manifest") },
    ]);
  });
});

describe("Function: verify, runtime data", () => {
  it("fails a runtime restore that holds no file at all, naming the directory", async () => {
    await mkdir(join(mount, ROOT, "runtime/state/agents"), { recursive: true });

    const out = (await handlers.verify(
      {
        drillId: "drill-1",
        mode: "drill",
        keep: false,
        deadline: "2099-01-01T00:00:00.000Z",
        verifySeconds: 840,
        fileSystem: { fileSystemId: FLEET.runtime, kind: "runtime", path: "/runtime" },
        expectations: { sizeTolerancePercent: 5 },
        point: {
          recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-2",
          creationDate: "2026-03-07T05:00:00.000Z",
          rpoSeconds: 3600,
          backupSizeBytes: 52_428_800,
        },
        restore: restoreDone,
      },
      context,
    )) as Verified & { verification: { filesVerified: number } };

    expect(out.verification.filesVerified).toBe(0);
    expect(out.verification.mismatches).toEqual([{ path: ".", reason: "no file restored under /runtime" }]);
  });

  it("does not compare an intact runtime with an incremental point's BackupSizeBytes (EFS: the backup's delta), and reports its figures", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`runtime/sessions/s${i}.jsonl`] = `{"n":1}\n`.repeat(500);
    await restored(files);

    const out = (await handlers.verify(
      {
        drillId: "drill-1",
        mode: "drill",
        keep: false,
        deadline: "2099-01-01T00:00:00.000Z",
        verifySeconds: 840,
        fileSystem: { fileSystemId: FLEET.runtime, kind: "runtime", path: "/runtime" },
        expectations: { sizeTolerancePercent: 5 },
        point: {
          recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-2",
          creationDate: "2026-03-07T05:00:00.000Z",
          rpoSeconds: 3600,
          backupSizeBytes: 1_000, // what changed since yesterday's backup
        },
        restore: restoreDone,
      },
      context,
    )) as { verification: { mismatches: unknown[]; filesVerified: number; bytesVerified: number } };

    expect(out.verification.mismatches).toEqual([]);
    expect(out.verification).toMatchObject({ filesVerified: 20, bytesVerified: 20 * 500 * 8 });
  });
});

describe("Function: plan and poll, a restore-testing event delivered twice", () => {
  const event = () =>
    JSON.parse(
      readFileSync(
        new URL("../../../packages/core/tests/events/aws.backup/restore-testing-job.json", import.meta.url),
        "utf8",
      ),
    );
  const describeJob = (detail: { restoreJobId: string; recoveryPointArn: string }) => {
    backup.on(DescribeRestoreJobCommand).resolves({
      RestoreJobId: detail.restoreJobId,
      CreationDate: new Date("2026-03-03T06:45:02Z"),
      RecoveryPointArn: detail.recoveryPointArn,
      RecoveryPointCreationDate: new Date("2026-03-03T05:00:00Z"),
    });
    backup.on(DescribeRecoveryPointCommand).resolves({
      RecoveryPointArn: detail.recoveryPointArn,
      ResourceArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FLEET.runtime}`,
    });
  };

  it("claims the restore job for the first drill, once, with an expiry", async () => {
    const restoreTesting = event();
    describeJob(restoreTesting.detail);

    const result = await handlers.plan({ request: restoreTesting, executionName: "validate-A" }, context);

    expect(result.branches).toHaveLength(1);
    const [claim] = dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(claim).toMatchObject({
      Item: {
        sk: { S: `claim#${restoreTesting.detail.restoreJobId}` },
        drillId: { S: "validate-A" },
        expiresAt: { N: expect.stringMatching(/^\d+$/) },
      },
      ConditionExpression: expect.stringContaining("attribute_not_exists(pk)"),
    });
  });

  it("plans nothing for a second delivery: no branch, so no DrillFailed, no record and nothing deleted", async () => {
    const restoreTesting = event();
    describeJob(restoreTesting.detail);
    dynamo
      .on(PutItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }),
      );

    const result = await handlers.plan({ request: restoreTesting, executionName: "validate-B" }, context);

    expect(result.branches).toEqual([]);
  });

  it("never re-tags a restored file system another drill of this stage already owns", async () => {
    backup.on(DescribeRestoreJobCommand).resolves({
      Status: "COMPLETED",
      CreatedResourceArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0restoretest",
    });
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        {
          FileSystemId: "fs-0restoretest",
          CreationToken: "awsbackup-restore-test-xyz",
          LifeCycleState: "available",
          Tags: [
            { Key: "awsbackup-restore-test", Value: "rtp" },
            { Key: "clawops:drill-id", Value: "validate-A" },
            { Key: "clawops:created-by", Value: "clawops-drill" },
            { Key: "clawops:stage", Value: STAGE },
          ],
        } as never,
      ],
    });

    const polled = handlers.poll(
      {
        drillId: "validate-B",
        mode: "validation",
        keep: false,
        deadline: "2099-01-01T00:00:00.000Z",
        verifySeconds: 840,
        fileSystem: { fileSystemId: FLEET.runtime, kind: "runtime", path: "/runtime" },
        expectations: { sizeTolerancePercent: 5 },
        restore: { ...restoreDone, restoredFileSystemId: null, pollAttempt: 0, waitSeconds: 0 },
      },
      context,
    );

    await expect(polled).rejects.toMatchObject({ name: "FileSystemTakenError" });
    expect(efs.commandCalls(TagResourceCommand)).toEqual([]);
  });
});

describe("Function: plan, a restore-testing job of the workspace", () => {
  it("checks the restore against the manifest versions in force while the point's backup ran", async () => {
    const restoreTesting = JSON.parse(
      readFileSync(
        new URL("../../../packages/core/tests/events/aws.backup/restore-testing-job.json", import.meta.url),
        "utf8",
      ),
    );
    manifestVersions("2026-03-03T05:12:00Z"); // published while the 05:00 backup ran (completed 05:10)
    backup.on(DescribeRestoreJobCommand).resolves({
      RestoreJobId: restoreTesting.detail.restoreJobId,
      CreationDate: new Date("2026-03-03T06:45:02Z"),
      RecoveryPointArn: restoreTesting.detail.recoveryPointArn,
      RecoveryPointCreationDate: new Date("2026-03-03T05:00:00Z"),
    });
    backup.on(DescribeRecoveryPointCommand).resolves({
      RecoveryPointArn: restoreTesting.detail.recoveryPointArn,
      ResourceArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FLEET.workspace}`,
      CreationDate: new Date("2026-03-03T05:00:00Z"),
      CompletionDate: new Date("2026-03-03T05:10:00Z"),
    });

    const { branches } = (await handlers.plan(
      { request: restoreTesting, executionName: "validate-W" },
      context,
    )) as { branches: { expectations: unknown; point: unknown }[] };

    expect(branches[0]).toMatchObject({
      point: { creationDate: "2026-03-03T05:00:00.000Z", completionDate: "2026-03-03T05:10:00.000Z" },
      expectations: {
        manifest: { version: 1, files: { "SOUL.md": sha256(SATURDAY) } },
        manifestsDuringBackup: [{ version: 2, files: { "SOUL.md": sha256(SUNDAY) } }],
      },
    });
  });
});
