import { readFileSync } from "node:fs";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DeleteAccessPointCommand,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  type FileSystemDescription,
  TagResourceCommand,
} from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { restoreCreationToken } from "@clawops/core/drills";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { context, FLEET, type Handler, handlerOf, installDrillEnvironment, STAGE } from "./fixture.js";

const DRILL = "cli-20260302T060000Z";
const efs = mockClient(EFSClient);
const dynamo = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
let handlers: Record<"ended" | "cleanup" | "sweeper", Handler>;

const failedExecution = (): { detail: Record<string, unknown> } =>
  JSON.parse(
    readFileSync(new URL("./events/aws.states/drill-execution-failed.json", import.meta.url), "utf8"),
  );
const tags = (drillId: string, stage: string) => [
  { Key: "clawops:drill-id", Value: drillId },
  { Key: "clawops:created-by", Value: "clawops-drill" },
  { Key: "clawops:stage", Value: stage },
];
/** A restored file system of this drill, mount targets already gone (the branch's cleanup removed them). */
const restored: FileSystemDescription = {
  FileSystemId: "fs-0restoredkept00",
  CreationToken: restoreCreationToken(DRILL, FLEET.runtime, STAGE),
  CreationTime: new Date("2026-03-02T06:01:00Z"),
  LifeCycleState: "available",
  Tags: tags(DRILL, STAGE),
} as FileSystemDescription;

beforeAll(async () => {
  installDrillEnvironment();
  const as = handlerOf;
  handlers = {
    ended: as(await import("../execution-ended.js")),
    cleanup: as(await import("../cleanup.js")),
    sweeper: as(await import("../sweeper.js")),
  };
});
beforeEach(() => {
  for (const mock of [efs, dynamo, lambda]) mock.reset();
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [restored] });
  efs
    .on(DescribeAccessPointsCommand)
    .resolves({ AccessPoints: [{ AccessPointId: "fsap-0kept", Tags: tags(DRILL, STAGE) }] });
  efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
});

const deletedFileSystems = () =>
  efs.commandCalls(DeleteFileSystemCommand).map((c) => c.args[0].input.FileSystemId);

describe("Function: execution-ended", () => {
  it("keeps the file systems of a --keep drill that did not pass, and removes only its access points", async () => {
    const result = await handlers.ended(failedExecution(), context);

    expect(deletedFileSystems()).toEqual([]);
    expect(efs.commandCalls(DeleteAccessPointCommand).map((c) => c.args[0].input.AccessPointId)).toEqual([
      "fsap-0kept",
    ]);
    expect(result).toMatchObject({ keepFileSystem: true, waiting: [] });
  });

  it("does not wait for the mount targets of a kept file system to go", async () => {
    efs
      .on(DescribeMountTargetsCommand)
      .resolves({ MountTargets: [{ MountTargetId: "fsmt-1", LifeCycleState: "available" } as never] });

    await handlers.ended(failedExecution(), context);

    expect(efs.commandCalls(DeleteMountTargetCommand)).toHaveLength(1);
    expect(deletedFileSystems()).toEqual([]);
  });

  it.each([
    ["a drill without --keep", '{"keep":false}'],
    ["the schedule's request", "{}"],
    ["an execution input AWS left out (over 256 KB)", undefined],
    ["an execution input that is not JSON", "{keep"],
  ])("deletes the restored file systems of %s", async (_case, input) => {
    const event = failedExecution();
    event.detail.input = input;

    await handlers.ended(event, context);

    expect(deletedFileSystems()).toEqual(["fs-0restoredkept00"]);
  });

  it("leaves another stage's drill of the same id alone", async () => {
    const theirs = {
      ...restored,
      FileSystemId: "fs-0devdrill000000",
      CreationToken: restoreCreationToken(DRILL, FLEET.runtime, "dev"),
      Tags: tags(DRILL, "dev"),
    };
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [theirs] });
    const event = failedExecution();
    event.detail.input = "{}";

    await handlers.ended(event, context);

    expect(deletedFileSystems()).toEqual([]);
    expect(efs.commandCalls(TagResourceCommand)).toHaveLength(0);
  });
});

describe("Function: cleanup (by drill id, after a failure)", () => {
  it.each([
    ["keeps", { keep: true }, []],
    ["deletes", { keep: false }, ["fs-0restoredkept00"]],
  ])("%s the file systems as the drill's request says", async (_case, request, deleted) => {
    await handlers.cleanup({ drillId: DRILL, request }, context);

    expect(deletedFileSystems()).toEqual(deleted);
  });
});

describe("Function: sweeper", () => {
  it("sweeps this stage's old drill file systems and leaves another stage's kept ones", async () => {
    const old = new Date("2026-03-01T00:00:00Z");
    const devToken = restoreCreationToken("cli-dev", FLEET.runtime, "dev");
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        { ...restored, CreationTime: old },
        {
          FileSystemId: "fs-0devkept000000",
          CreationToken: devToken,
          CreationTime: old,
          Tags: tags("cli-dev", "dev"),
        },
        { FileSystemId: "fs-0devorphan0000", CreationToken: devToken, CreationTime: old, Tags: [] },
      ] as FileSystemDescription[],
    });

    const result = await handlers.sweeper({}, context);

    expect(result.swept).toEqual(["fs-0restoredkept00"]);
    expect(efs.commandCalls(TagResourceCommand)).toHaveLength(0);
  });
});
