import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EfsModel, efsModel, LAMBDA_VPC_UPDATE_MS, lambdaMountModel } from "../src/aws/efs.js";
import { AwsSimulator } from "../src/aws/simulator.js";
import { SandboxWorld } from "../src/aws/world.js";
import { SandboxClock } from "../src/clock.js";

let root: string;
let clock: SandboxClock;
let sim: AwsSimulator;
let efs: EfsModel;
const call = (command: string, input: Record<string, unknown>) =>
  sim.handle({ service: "EFS", command, input });

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "clawops-efs-"));
  clock = new SandboxClock();
  const world = new SandboxWorld(clock);
  efs = efsModel(world, { root, subnetZones: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b" } });
  sim = new AwsSimulator(clock)
    .register(efs)
    .register(lambdaMountModel(world, efs, { mountPath: join(root, "mnt") }));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("Model: EFS", () => {
  it("keeps a file system as a real directory and describes it with its tags", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t-1", tags: [{ Key: "Name", Value: "ws" }] });
    expect((await stat(fs.dir)).isDirectory()).toBe(true);

    const { FileSystems } = (await call("DescribeFileSystems", { CreationToken: "t-1" })) as {
      FileSystems: { FileSystemId: string; Tags: unknown[] }[];
    };

    expect(FileSystems.map((f) => f.FileSystemId)).toEqual([fs.fileSystemId]);
    expect(FileSystems[0]?.Tags).toEqual([{ Key: "Name", Value: "ws" }]);
  });

  it("makes a mount target available only after time passes, one per availability zone", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t" });
    const mt = (await call("CreateMountTarget", { FileSystemId: fs.fileSystemId, SubnetId: "subnet-a" })) as {
      MountTargetId: string;
      LifeCycleState: string;
    };
    expect(mt.LifeCycleState).toBe("creating");
    await expect(
      call("CreateMountTarget", { FileSystemId: fs.fileSystemId, SubnetId: "subnet-a" }),
    ).rejects.toMatchObject({ name: "MountTargetConflict" });

    await clock.advance(90_000);

    const { MountTargets } = (await call("DescribeMountTargets", { FileSystemId: fs.fileSystemId })) as {
      MountTargets: { LifeCycleState: string }[];
    };
    expect(MountTargets.map((m) => m.LifeCycleState)).toEqual(["available"]);
  });

  it("refuses to delete a file system with a mount target or an access point (FileSystemInUse)", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t" });
    const mt = (await call("CreateMountTarget", { FileSystemId: fs.fileSystemId, SubnetId: "subnet-a" })) as {
      MountTargetId: string;
    };
    const ap = (await call("CreateAccessPoint", { FileSystemId: fs.fileSystemId, ClientToken: "c" })) as {
      AccessPointId: string;
    };

    await expect(call("DeleteFileSystem", { FileSystemId: fs.fileSystemId })).rejects.toMatchObject({
      name: "FileSystemInUse",
    });
    await call("DeleteAccessPoint", { AccessPointId: ap.AccessPointId });
    await call("DeleteMountTarget", { MountTargetId: mt.MountTargetId });
    await expect(call("DeleteFileSystem", { FileSystemId: fs.fileSystemId })).rejects.toMatchObject({
      name: "FileSystemInUse",
    });
    await clock.advance(60_000);
    await call("DeleteFileSystem", { FileSystemId: fs.fileSystemId });

    expect(efs.deleted).toEqual([fs.fileSystemId]);
    await expect(stat(fs.dir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("returns the same access point for the same client token", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t" });
    const a = (await call("CreateAccessPoint", { FileSystemId: fs.fileSystemId, ClientToken: "same" })) as {
      AccessPointId: string;
    };
    const b = (await call("CreateAccessPoint", { FileSystemId: fs.fileSystemId, ClientToken: "same" })) as {
      AccessPointId: string;
    };
    expect(b.AccessPointId).toBe(a.AccessPointId);
  });

  it("mounts an access point at the verifier's path once Lambda's update finishes", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t" });
    await writeFile(join(fs.dir, "SOUL.md"), "soul");
    const ap = (await call("CreateAccessPoint", { FileSystemId: fs.fileSystemId, ClientToken: "c" })) as {
      AccessPointArn: string;
    };

    await sim.handle({
      service: "Lambda",
      command: "UpdateFunctionConfiguration",
      input: {
        FunctionName: "verifier",
        FileSystemConfigs: [{ Arn: ap.AccessPointArn, LocalMountPath: "/mnt/drill" }],
      },
    });
    const before = await sim.handle({
      service: "Lambda",
      command: "GetFunctionConfiguration",
      input: { FunctionName: "verifier" },
    });
    await clock.advance(LAMBDA_VPC_UPDATE_MS - 1_000);
    const late = await sim.handle({
      service: "Lambda",
      command: "GetFunctionConfiguration",
      input: { FunctionName: "verifier" },
    });
    await clock.advance(1_000);
    const after = await sim.handle({
      service: "Lambda",
      command: "GetFunctionConfiguration",
      input: { FunctionName: "verifier" },
    });

    expect([before.LastUpdateStatus, late.LastUpdateStatus, after.LastUpdateStatus]).toEqual([
      "InProgress",
      "InProgress",
      "Successful",
    ]);
    expect(await readFile(join(root, "mnt", "SOUL.md"), "utf8")).toBe("soul");
  });

  it("mounts each function at its own LocalMountPath when that is a local path, and unmounts on detach", async () => {
    const fs = await efs.createFileSystem({ creationToken: "t" });
    await writeFile(join(fs.dir, "SOUL.md"), "soul");
    const ap = (await call("CreateAccessPoint", { FileSystemId: fs.fileSystemId, ClientToken: "c" })) as {
      AccessPointArn: string;
    };
    const update = (name: string, configs: unknown[]) =>
      sim.handle({
        service: "Lambda",
        command: "UpdateFunctionConfiguration",
        input: { FunctionName: name, FileSystemConfigs: configs },
      });

    await update("verifier-a", [{ Arn: ap.AccessPointArn, LocalMountPath: join(root, "a") }]);
    await update("verifier-b", [{ Arn: ap.AccessPointArn, LocalMountPath: join(root, "b") }]);
    expect(await readFile(join(root, "a", "SOUL.md"), "utf8")).toBe("soul");
    expect(await readFile(join(root, "b", "SOUL.md"), "utf8")).toBe("soul");

    await clock.advance(LAMBDA_VPC_UPDATE_MS);
    await update("verifier-a", []);

    await expect(stat(join(root, "a"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(join(root, "b", "SOUL.md"), "utf8")).toBe("soul");
  });
});
