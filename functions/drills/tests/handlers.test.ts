import { readFileSync } from "node:fs";
import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByResourceCommand,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteAccessPointCommand,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  TagResourceCommand,
} from "@aws-sdk/client-efs";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { restoreCreationToken } from "@clawops/core/drills";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { context, FLEET, type Handler, handlerOf, installDrillEnvironment, STAGE } from "./fixture.js";

const SOUL_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const backup = mockClient(BackupClient);
const efs = mockClient(EFSClient);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
let handlers: Record<"start" | "poll" | "prepare" | "cleanup" | "plan" | "choose", Handler>;

beforeAll(async () => {
  installDrillEnvironment();
  const as = handlerOf;
  handlers = {
    start: as(await import("../start.js")),
    poll: as(await import("../poll.js")),
    prepare: as(await import("../prepare.js")),
    cleanup: as(await import("../cleanup.js")),
    plan: as(await import("../plan.js")),
    choose: as(await import("../choose.js")),
  };
});
beforeEach(() => {
  for (const mock of [backup, efs, ssm, dynamo, lambda]) mock.reset();
  dynamo.on(GetItemCommand).resolves({});
});

const branch = (over: Record<string, unknown> = {}) => ({
  drillId: "drill-20260302-0600",
  mode: "drill",
  keep: false,
  deadline: "2099-01-01T00:00:00.000Z",
  verifySeconds: 840,
  fileSystem: { fileSystemId: FLEET.runtime, kind: "runtime", path: "/runtime" },
  expectations: { sizeTolerancePercent: 5 },
  point: {
    recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-1",
    creationDate: "2026-03-02T05:00:00.000Z",
    rpoSeconds: 3600,
  },
  ...over,
});
const restore = (over: Record<string, unknown> = {}) => ({
  restoreJobId: "RJ-1",
  startedAt: "2026-03-02T06:00:00.000Z",
  status: "RUNNING",
  pollAttempt: 0,
  waitSeconds: 15,
  ...over,
});
const drillTags = [
  { Key: "clawops:drill-id", Value: "drill-20260302-0600" },
  { Key: "clawops:created-by", Value: "clawops-drill" },
  { Key: "clawops:stage", Value: STAGE },
];

describe("Function: choose", () => {
  it("chooses the newest COMPLETED recovery point in the fleet's vault, not a newer copy in another vault", async () => {
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        {
          FileSystemId: FLEET.runtime,
          FileSystemArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FLEET.runtime}`,
        } as never,
      ],
    });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:fleet-vault",
          BackupVaultName: "clawops-test-openclaw",
          Status: "COMPLETED",
          CreationDate: new Date("2026-03-02T05:00:00Z"),
        },
        {
          RecoveryPointArn: "arn:aws:backup:eu-west-1:123456789012:recovery-point:copy",
          BackupVaultName: "clawops-test-openclaw-copy",
          Status: "COMPLETED",
          CreationDate: new Date("2026-03-02T05:30:00Z"),
        },
      ],
    });

    const result = await handlers.choose(branch({ point: undefined }), context);

    expect(result.point).toMatchObject({
      recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:fleet-vault",
    });
  });
});

describe("Function: start", () => {
  it("starts a restore to a new encrypted file system with string metadata, the CreationToken and the restore role", async () => {
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: "RJ-1" });

    const result = await handlers.start(branch(), context);

    const input = backup.commandCalls(StartRestoreJobCommand)[0]?.args[0].input;
    expect(input?.Metadata).toMatchObject({
      newFileSystem: "true",
      Encrypted: "true",
      "file-system-id": FLEET.runtime,
    });
    expect(input?.Metadata?.CreationToken).toBe(
      restoreCreationToken("drill-20260302-0600", FLEET.runtime, STAGE),
    );
    expect(input?.IamRoleArn).toBe("arn:aws:iam::123456789012:role/clawops-test-restore");
    expect(result.restore).toMatchObject({ restoreJobId: "RJ-1", status: "PENDING" });
  });
});

describe("Function: poll", () => {
  it.each(["FAILED", "ABORTED"] as const)("throws RestoreFailedError for a %s job", async (Status) => {
    backup.on(DescribeRestoreJobCommand).resolves({ Status, StatusMessage: "Access denied" });
    await expect(handlers.poll(branch({ restore: restore() }), context)).rejects.toMatchObject({
      name: "RestoreFailedError",
    });
  });

  it("reads PercentDone as a number and backs off", async () => {
    backup.on(DescribeRestoreJobCommand).resolves({ Status: "RUNNING", PercentDone: "42.50" });
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    const result = await handlers.poll(branch({ restore: restore({ pollAttempt: 39 }) }), context);
    expect(result.restore).toMatchObject({
      status: "RUNNING",
      percentDone: 42.5,
      pollAttempt: 40,
      waitSeconds: 30,
    });
  });

  it("tags the restored file system only when its CreationToken is this drill's", async () => {
    backup.on(DescribeRestoreJobCommand).resolves({
      Status: "COMPLETED",
      CreatedResourceArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0restored",
    });
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: "fs-0restored", CreationToken: "someone-else" } as never] });

    await expect(handlers.poll(branch({ restore: restore() }), context)).rejects.toMatchObject({
      name: "RestoreFailedError",
    });
    expect(efs.commandCalls(TagResourceCommand)).toHaveLength(0);

    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        {
          FileSystemId: "fs-0restored",
          CreationToken: restoreCreationToken("drill-20260302-0600", FLEET.runtime, STAGE),
        } as never,
      ],
    });
    await handlers.poll(branch({ restore: restore() }), context);
    expect(efs.commandCalls(TagResourceCommand)[0]?.args[0].input).toMatchObject({
      ResourceId: "fs-0restored",
      Tags: expect.arrayContaining(drillTags),
    });
  });

  it("records and tags the file system a running restore writes to, once EFS lists it as available by the drill's CreationToken", async () => {
    const token = restoreCreationToken("drill-20260302-0600", FLEET.runtime, STAGE);
    backup.on(DescribeRestoreJobCommand).resolves({ Status: "RUNNING" });
    efs.on(DescribeFileSystemsCommand, { CreationToken: token }).resolves({
      FileSystems: [
        { FileSystemId: "fs-0restoring", CreationToken: token, LifeCycleState: "creating" } as never,
      ],
    });
    const creating = await handlers.poll(branch({ restore: restore() }), context);
    expect(creating.restore).toMatchObject({ status: "RUNNING", restoredFileSystemId: null });
    expect(efs.commandCalls(TagResourceCommand)).toHaveLength(0);

    efs.on(DescribeFileSystemsCommand, { CreationToken: token }).resolves({
      FileSystems: [
        { FileSystemId: "fs-0restoring", CreationToken: token, LifeCycleState: "available" } as never,
      ],
    });
    const available = await handlers.poll(branch({ restore: restore() }), context);
    expect(available.restore).toMatchObject({ status: "RUNNING", restoredFileSystemId: "fs-0restoring" });
    expect(efs.commandCalls(TagResourceCommand)[0]?.args[0].input).toMatchObject({
      ResourceId: "fs-0restoring",
      Tags: expect.arrayContaining(drillTags),
    });
  });

  it("does not look for a restore-testing job's file system while it runs (it is AWS's)", async () => {
    backup.on(DescribeRestoreJobCommand).resolves({ Status: "RUNNING" });
    const result = await handlers.poll(branch({ restore: restore(), mode: "validation" }), context);
    expect(result.restore).toMatchObject({ status: "RUNNING", restoredFileSystemId: null });
    expect(efs.commandCalls(DescribeFileSystemsCommand)).toHaveLength(0);
  });

  it("fails at the drill's deadline", async () => {
    backup.on(DescribeRestoreJobCommand).resolves({ Status: "RUNNING" });
    await expect(
      handlers.poll(branch({ restore: restore(), deadline: "2000-01-01T00:00:00.000Z" }), context),
    ).rejects.toMatchObject({ name: "DrillTimeoutError" });
  });
});

describe("Function: prepare", () => {
  const busyVerifier = () => {
    efs.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [{ MountTargetId: "fsmt-1", SubnetId: "subnet-a", LifeCycleState: "available" } as never],
    });
    efs.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [
        {
          AccessPointId: "fsap-1",
          AccessPointArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1",
          LifeCycleState: "available",
        } as never,
      ],
    });
    dynamo
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: "held", $metadata: {} }));
  };

  it("does not wait for a verifier another drill holds while the restore still runs", async () => {
    busyVerifier();
    const result = await handlers.prepare(
      branch({ restore: restore({ status: "RUNNING", restoredFileSystemId: "fs-0restoring" }) }),
      context,
    );
    expect(result.mount).toMatchObject({ ready: false, phase: "verifier", accessPointId: "fsap-1" });
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(0);
  });

  it("reports the busy verifier once the restore has completed, for the workflow to retry", async () => {
    busyVerifier();
    await expect(
      handlers.prepare(
        branch({ restore: restore({ status: "COMPLETED", restoredFileSystemId: "fs-0restored" }) }),
        context,
      ),
    ).rejects.toMatchObject({ name: "VerifierBusyError" });
  });

  it("fails with Lambda's reason when the verifier's mount could not be applied, instead of waiting to the deadline", async () => {
    busyVerifier();
    dynamo.on(PutItemCommand).resolves({});
    lambda.on(GetFunctionConfigurationCommand).resolves({
      FileSystemConfigs: [
        {
          Arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1",
          LocalMountPath: "/mnt/drill",
        },
      ],
      LastUpdateStatus: "Failed",
      LastUpdateStatusReason: "Lambda was unable to connect to the EFS file system",
      LastUpdateStatusReasonCode: "EFSMountConnectivityError",
    });

    await expect(
      handlers.prepare(
        branch({ restore: restore({ status: "COMPLETED", restoredFileSystemId: "fs-0restored" }) }),
        context,
      ),
    ).rejects.toMatchObject({
      name: "VerifierMountError",
      message: expect.stringContaining(
        "EFSMountConnectivityError: Lambda was unable to connect to the EFS file system",
      ),
    });
  });
});

describe("Function: cleanup", () => {
  it("deletes access points and mount targets, waits for their deletion, then the file system", async () => {
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: "fs-0restored", Tags: drillTags } as never] });
    efs
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: "fsap-1", Tags: drillTags }] });
    efs
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [{ MountTargetId: "fsmt-1", LifeCycleState: "available" } as never] })
      .resolves({ MountTargets: [] });

    await expect(
      handlers.cleanup(branch({ restore: restore({ restoredFileSystemId: "fs-0restored" }) }), context),
    ).rejects.toMatchObject({ name: "NotReadyError" });
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
    const result = await handlers.cleanup(
      branch({ restore: restore({ restoredFileSystemId: "fs-0restored" }) }),
      context,
    );

    expect(efs.commandCalls(DeleteAccessPointCommand).map((c) => c.args[0].input.AccessPointId)).toContain(
      "fsap-1",
    );
    expect(efs.commandCalls(DeleteMountTargetCommand).map((c) => c.args[0].input.MountTargetId)).toEqual([
      "fsmt-1",
    ]);
    expect(efs.commandCalls(DeleteFileSystemCommand).map((c) => c.args[0].input.FileSystemId)).toEqual([
      "fs-0restored",
    ]);
    expect((result.cleanup as { kept: string[] }).kept).toEqual([]);
  });

  it.each([
    ["the fleet's file system tagged as the drill's", FLEET.runtime, drillTags],
    ["an untagged file system", "fs-0stranger", []],
    [
      "another drill's file system",
      "fs-0other",
      [
        { Key: "clawops:drill-id", Value: "drill-other" },
        { Key: "clawops:created-by", Value: "clawops-drill" },
      ],
    ],
  ])("refuses %s and deletes nothing", async (_case, id, Tags) => {
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: id, Tags, CreationToken: "x" } as never] });
    efs.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });

    await expect(
      handlers.cleanup(branch({ restore: restore({ restoredFileSystemId: id }) }), context),
    ).rejects.toMatchObject({ name: "CleanupRefusedError" });
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
    expect(efs.commandCalls(DeleteMountTargetCommand)).toHaveLength(0);
  });

  it("starts the deletes without waiting for EFS when told not to wait, and reports the file system pending", async () => {
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: "fs-0restored", Tags: drillTags } as never] });
    efs.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efs
      .on(DescribeMountTargetsCommand)
      .resolves({ MountTargets: [{ MountTargetId: "fsmt-1", LifeCycleState: "available" } as never] });

    const result = await handlers.cleanup(
      {
        branch: branch({ restore: restore({ restoredFileSystemId: "fs-0restored" }) }),
        waitForDeletion: false,
      },
      context,
    );

    expect(efs.commandCalls(DeleteMountTargetCommand)).toHaveLength(1);
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
    expect(result.cleanup).toMatchObject({ reports: [{ fileSystemId: "fs-0restored", pending: true }] });
    expect(result.fileSystem).toMatchObject({ fileSystemId: FLEET.runtime });
  });

  it("finds a restore no poll saw end by the drill's CreationToken, tags it, and cleans it up", async () => {
    const token = restoreCreationToken("drill-20260302-0600", FLEET.runtime, STAGE);
    backup.on(DescribeRestoreJobCommand).resolves({ Status: "RUNNING" });
    efs.on(DescribeFileSystemsCommand, { CreationToken: token }).resolves({
      FileSystems: [{ FileSystemId: "fs-0late", CreationToken: token } as never],
    });
    efs
      .on(DescribeFileSystemsCommand, { FileSystemId: "fs-0late" })
      .resolvesOnce({ FileSystems: [{ FileSystemId: "fs-0late", CreationToken: token } as never] })
      .resolves({
        FileSystems: [{ FileSystemId: "fs-0late", CreationToken: token, Tags: drillTags } as never],
      });
    efs.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });

    await handlers.cleanup(branch({ restore: restore() }), context);

    expect(efs.commandCalls(TagResourceCommand)[0]?.args[0].input.ResourceId).toBe("fs-0late");
    expect(efs.commandCalls(DeleteFileSystemCommand).map((c) => c.args[0].input.FileSystemId)).toEqual([
      "fs-0late",
    ]);
  });

  it("releases only the lock of its own file system's branch", async () => {
    dynamo.on(GetItemCommand).resolves({ Item: { holder: { S: `drill-20260302-0600#${FLEET.workspace}` } } });
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });

    await handlers.cleanup(branch(), context);

    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(0);
    dynamo.on(GetItemCommand).resolves({ Item: { holder: { S: `drill-20260302-0600#${FLEET.runtime}` } } });
    lambda.on(GetFunctionConfigurationCommand).resolves({
      FileSystemConfigs: [
        {
          Arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1",
          LocalMountPath: "/mnt/drill",
        },
      ],
      LastUpdateStatus: "Successful",
    });
    await handlers.cleanup(branch(), context);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: "clawops-test-verifier",
      FileSystemConfigs: [],
    });
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input.Key).toMatchObject({
      sk: { S: "lock#clawops-test-verifier" },
    });
  });

  it("keeps the file system with --keep and says how to remove it", async () => {
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: "fs-0restored", Tags: drillTags } as never] });
    efs.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });

    const result = await handlers.cleanup(
      branch({ keep: true, restore: restore({ restoredFileSystemId: "fs-0restored" }) }),
      context,
    );

    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
    expect(result.cleanup).toMatchObject({
      kept: ["fs-0restored"],
      howToRemove: ["aws efs delete-file-system --file-system-id fs-0restored"],
    });
  });
});

describe("Function: plan", () => {
  it("plans one branch per fleet file system, the manifest only for the workspace", async () => {
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Value: JSON.stringify({ files: { "SOUL.md": SOUL_SHA } }) } });

    const result = await handlers.plan({ request: {}, executionName: "drill-1" }, context);

    const branches = result.branches as {
      fileSystem: { kind: string };
      expectations: { manifest?: unknown };
    }[];
    expect(branches.map((b) => b.fileSystem.kind)).toEqual(["workspace", "runtime"]);
    expect(branches[0]?.expectations.manifest).toEqual({ files: { "SOUL.md": SOUL_SHA } });
    expect(branches[1]?.expectations.manifest).toBeUndefined();
  });

  it.each([
    ["a flat path → hash map", { "SOUL.md": SOUL_SHA }, 'no "files" object'],
    ["a misspelled files key", { file: { "SOUL.md": SOUL_SHA } }, 'no "files" object'],
    ["a hash that is not SHA-256", { files: { "SOUL.md": "ab" } }, "not a SHA-256"],
    ["no file at all", { files: {} }, "lists no file"],
  ])("fails the drill on a soul manifest with %s instead of checking nothing", async (_case, value, why) => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(value) } });

    const planned = handlers.plan({ request: {}, executionName: "drill-1" }, context);

    await expect(planned).rejects.toMatchObject({ name: "InvalidManifestError" });
    await expect(planned).rejects.toThrow(why);
  });

  it("restores a file system the workspace and the runtime share once, verifying both trees", async () => {
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Value: JSON.stringify({ files: { "SOUL.md": SOUL_SHA } }) } });
    const settings = process.env.CLAWOPS_SETTINGS ?? "";
    const shared = JSON.parse(settings);
    shared.fileSystems = [
      { fileSystemId: FLEET.workspace, kind: "workspace", path: "/workspace" },
      { fileSystemId: FLEET.workspace, kind: "runtime", path: "/runtime" },
    ];
    process.env.CLAWOPS_SETTINGS = JSON.stringify(shared);
    try {
      const result = await handlers.plan({ request: {}, executionName: "drill-1" }, context);

      expect(result.branches).toEqual([
        expect.objectContaining({
          fileSystem: { fileSystemId: FLEET.workspace, kind: "workspace", path: "/workspace" },
          trees: [
            { fileSystemId: FLEET.workspace, kind: "workspace", path: "/workspace" },
            { fileSystemId: FLEET.workspace, kind: "runtime", path: "/runtime" },
          ],
          expectations: expect.objectContaining({ manifest: { files: { "SOUL.md": SOUL_SHA } } }),
        }),
      ]);
    } finally {
      process.env.CLAWOPS_SETTINGS = settings;
    }
  });

  it("turns a COMPLETED restore-testing job of a fleet file system into one validation branch", async () => {
    const event = JSON.parse(
      readFileSync(
        new URL("../../../packages/core/tests/events/aws.backup/restore-testing-job.json", import.meta.url),
        "utf8",
      ),
    );
    backup.on(DescribeRestoreJobCommand).resolves({
      RestoreJobId: event.detail.restoreJobId,
      CreationDate: new Date("2026-03-03T06:45:02Z"),
      RecoveryPointArn: event.detail.recoveryPointArn,
      RecoveryPointCreationDate: new Date("2026-03-03T05:00:00Z"),
    });
    backup.on(DescribeRecoveryPointCommand).resolves({
      RecoveryPointArn: event.detail.recoveryPointArn,
      ResourceArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FLEET.runtime}`,
    });

    const result = await handlers.plan({ request: event, executionName: "validate-1" }, context);

    const [only, ...rest] = result.branches as {
      mode: string;
      restore: { restoreJobId: string };
      point: { rpoSeconds: number };
    }[];
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      mode: "validation",
      restore: { restoreJobId: event.detail.restoreJobId },
      point: { rpoSeconds: 6302 },
    });
  });

  it.each([
    [
      "of another vault's recovery point (AWS: not found in this fleet's vault)",
      () =>
        backup.on(DescribeRecoveryPointCommand).rejects(
          Object.assign(new Error(`Recovery point not found in vault clawops-test-openclaw`), {
            name: "ResourceNotFoundException",
          }),
        ),
    ],
    [
      "that restored a file system that is not the fleet's",
      () =>
        backup.on(DescribeRecoveryPointCommand).resolves({
          RecoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-other",
          ResourceArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0ther0000000000000",
        }),
    ],
  ])("plans no drill (and so posts no DrillFailed) for a restore-testing job %s", async (_case, answer) => {
    const event = JSON.parse(
      readFileSync(
        new URL("../../../packages/core/tests/events/aws.backup/restore-testing-job.json", import.meta.url),
        "utf8",
      ),
    );
    backup.on(DescribeRestoreJobCommand).resolves({
      RestoreJobId: event.detail.restoreJobId,
      CreationDate: new Date("2026-03-03T06:45:02Z"),
      RecoveryPointArn: event.detail.recoveryPointArn,
    });
    answer();

    const result = await handlers.plan({ request: event, executionName: "other-stage-job" }, context);

    expect(result.branches).toEqual([]);
    expect(backup.commandCalls(DescribeRecoveryPointCommand)[0]?.args[0].input.BackupVaultName).toBe(
      "clawops-test-openclaw",
    );
  });

  it("still fails the drill when AWS Backup refuses to describe this fleet's recovery point", async () => {
    const event = JSON.parse(
      readFileSync(
        new URL("../../../packages/core/tests/events/aws.backup/restore-testing-job.json", import.meta.url),
        "utf8",
      ),
    );
    backup.on(DescribeRestoreJobCommand).resolves({
      RestoreJobId: event.detail.restoreJobId,
      CreationDate: new Date("2026-03-03T06:45:02Z"),
      RecoveryPointArn: event.detail.recoveryPointArn,
    });
    backup
      .on(DescribeRecoveryPointCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));

    await expect(
      handlers.plan({ request: event, executionName: "validate-denied" }, context),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});
