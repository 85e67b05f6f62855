import { mkdir, rm, symlink, unlink } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;
type Tag = { Key: string; Value: string };

/** One file system: a real local directory, with EFS's metadata. */
export interface SandboxFileSystem {
  readonly fileSystemId: string;
  readonly arn: string;
  readonly creationToken: string;
  readonly creationTime: number;
  readonly dir: string;
  readonly encrypted: boolean;
  readonly kmsKeyId: string | undefined;
  tags: Tag[];
}

export interface SandboxMountTarget {
  readonly mountTargetId: string;
  readonly fileSystemId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  state: "creating" | "available" | "deleting";
}

export interface SandboxAccessPoint {
  readonly accessPointId: string;
  readonly arn: string;
  readonly fileSystemId: string;
  readonly rootPath: string;
  readonly clientToken: string;
  readonly tags: Tag[];
}

/**
 * How long EFS's lifecycle steps take on the sandbox clock. AWS publishes no duration for either: these are
 * typical observed values, not tuned to any benchmark. Mount target creation takes "typically 1–2 minutes"
 * (alchemy.run's EFS MountTarget reconciler, which waits for `available`; about 60–90 s is the usual
 * experience); deletion releases the mount target's network interface and takes about as long. EFS refuses to
 * delete a file system until its mount targets are gone (`FileSystemInUse`), so both sit on a drill's path.
 */
export interface EfsTimings {
  /** Mount target `creating` → `available`. @default 90_000 */
  readonly mountTargetAvailableMs: number;
  /** Mount target `deleting` → gone. @default 60_000 */
  readonly mountTargetDeletedMs: number;
}

export interface EfsModel extends ServiceModel {
  readonly fileSystems: Map<string, SandboxFileSystem>;
  readonly mountTargets: Map<string, SandboxMountTarget>;
  readonly accessPoints: Map<string, SandboxAccessPoint>;
  /** Makes a file system (a new directory under the model's root); AWS Backup's restores call this too. */
  createFileSystem(options: {
    creationToken: string;
    tags?: Tag[];
    encrypted?: boolean;
    kmsKeyId?: string;
  }): Promise<SandboxFileSystem>;
  /** The local directory an access point exposes (its root directory inside the file system). */
  accessPointDir(accessPointId: string): string;
  /** File systems ever deleted, in order (tests prove the guard held by what is NOT here). */
  readonly deleted: string[];
  /** File system policies (JSON text) by file system id: what DescribeFileSystemPolicy answers. */
  readonly policies: Map<string, string>;
}

/** `subnetId → availability zone`, for the one-mount-target-per-AZ rule. */
export type SubnetZones = Readonly<Record<string, string>>;

/**
 * Amazon EFS with file systems as local directories under `root`: tags, mount targets whose lifecycle
 * takes time on the clock (one per AZ), access points, and DeleteFileSystem refusing with `FileSystemInUse`
 * while a mount target or access point exists, as EFS does.
 */
export function efsModel(
  world: SandboxWorld,
  options: { root: string; subnetZones?: SubnetZones; timings?: Partial<EfsTimings> },
): EfsModel {
  const timings: EfsTimings = {
    mountTargetAvailableMs: 90_000,
    mountTargetDeletedMs: 60_000,
    ...options.timings,
  };
  const fileSystems = new Map<string, SandboxFileSystem>();
  const mountTargets = new Map<string, SandboxMountTarget>();
  const accessPoints = new Map<string, SandboxAccessPoint>();
  const deleted: string[] = [];
  const policies = new Map<string, string>();

  const fsOf = (id: unknown): SandboxFileSystem => {
    const found = fileSystems.get(String(id ?? ""));
    if (!found)
      throw awsError("FileSystemNotFound", `File system '${String(id)}' does not exist.`, { status: 404 });
    return found;
  };
  const describeFs = (fs: SandboxFileSystem) => ({
    OwnerId: world.account,
    CreationToken: fs.creationToken,
    FileSystemId: fs.fileSystemId,
    FileSystemArn: fs.arn,
    CreationTime: new Date(fs.creationTime),
    LifeCycleState: "available",
    Name: fs.tags.find((t) => t.Key === "Name")?.Value,
    NumberOfMountTargets: [...mountTargets.values()].filter((m) => m.fileSystemId === fs.fileSystemId).length,
    SizeInBytes: { Value: 6144 },
    PerformanceMode: "generalPurpose",
    Encrypted: fs.encrypted,
    KmsKeyId: fs.kmsKeyId,
    ThroughputMode: "elastic",
    Tags: fs.tags.map((t) => ({ ...t })),
  });
  const describeMt = (mt: SandboxMountTarget) => ({
    OwnerId: world.account,
    MountTargetId: mt.mountTargetId,
    FileSystemId: mt.fileSystemId,
    SubnetId: mt.subnetId,
    LifeCycleState: mt.state,
    AvailabilityZoneName: mt.availabilityZone,
  });
  const describeAp = (ap: SandboxAccessPoint) => ({
    ClientToken: ap.clientToken,
    AccessPointId: ap.accessPointId,
    AccessPointArn: ap.arn,
    FileSystemId: ap.fileSystemId,
    RootDirectory: { Path: ap.rootPath },
    Tags: ap.tags.map((t) => ({ ...t })),
    LifeCycleState: "available",
    OwnerId: world.account,
  });
  const tagsOf = (input: Input): Tag[] =>
    ((input.Tags as Tag[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));

  const model: EfsModel = {
    service: "EFS",
    fileSystems,
    mountTargets,
    accessPoints,
    deleted,
    policies,
    async createFileSystem(spec) {
      const fileSystemId = world.id("fs");
      const dir = join(options.root, fileSystemId);
      await world.clock.track(mkdir(dir, { recursive: true }));
      const fs: SandboxFileSystem = {
        fileSystemId,
        arn: world.arn("elasticfilesystem", `file-system/${fileSystemId}`),
        creationToken: spec.creationToken,
        creationTime: world.clock.now(),
        dir,
        encrypted: spec.encrypted ?? true,
        kmsKeyId: spec.kmsKeyId,
        tags: [...(spec.tags ?? [])],
      };
      fileSystems.set(fileSystemId, fs);
      return fs;
    },
    accessPointDir(accessPointId) {
      const ap = accessPoints.get(accessPointId);
      if (!ap) throw new Error(`no access point ${accessPointId}`);
      return join(fsOf(ap.fileSystemId).dir, ap.rootPath);
    },
    commands: {
      PutFileSystemPolicy(input) {
        const fs = fsOf(input.FileSystemId);
        const policy = String(input.Policy ?? "");
        try {
          JSON.parse(policy);
        } catch {
          throw awsError("InvalidPolicyException", "The policy is not valid JSON.");
        }
        policies.set(fs.fileSystemId, policy);
        return { FileSystemId: fs.fileSystemId, Policy: policy };
      },
      DescribeFileSystemPolicy(input) {
        const fs = fsOf(input.FileSystemId);
        const policy = policies.get(fs.fileSystemId);
        if (policy === undefined)
          throw awsError("PolicyNotFound", `File system policy for '${fs.fileSystemId}' does not exist.`, {
            status: 404,
          });
        return { FileSystemId: fs.fileSystemId, Policy: policy };
      },
      DeleteFileSystemPolicy(input) {
        policies.delete(fsOf(input.FileSystemId).fileSystemId);
        return {};
      },
      DescribeFileSystems(input) {
        let list = [...fileSystems.values()];
        if (input.FileSystemId) list = [fsOf(input.FileSystemId)];
        if (input.CreationToken) list = list.filter((fs) => fs.creationToken === input.CreationToken);
        return { FileSystems: list.map(describeFs) };
      },
      TagResource(input) {
        const fs = fsOf(String(input.ResourceId).split("/").pop());
        for (const tag of tagsOf(input)) fs.tags = [...fs.tags.filter((t) => t.Key !== tag.Key), tag];
        return {};
      },
      ListTagsForResource(input) {
        const id = String(input.ResourceId);
        const ap = accessPoints.get(id);
        return { Tags: ap ? ap.tags : fsOf(id.split("/").pop()).tags };
      },
      CreateMountTarget(input) {
        const fs = fsOf(input.FileSystemId);
        const subnetId = String(input.SubnetId ?? "");
        const availabilityZone = options.subnetZones?.[subnetId] ?? `${world.region}a`;
        const clash = [...mountTargets.values()].find(
          (m) => m.fileSystemId === fs.fileSystemId && m.availabilityZone === availabilityZone,
        );
        if (clash)
          throw awsError(
            "MountTargetConflict",
            `mount target already exists in this AZ: ${clash.mountTargetId}`,
            { status: 409 },
          );
        const mt: SandboxMountTarget = {
          mountTargetId: world.id("fsmt"),
          fileSystemId: fs.fileSystemId,
          subnetId,
          availabilityZone,
          state: "creating",
        };
        mountTargets.set(mt.mountTargetId, mt);
        world.clock.schedule(timings.mountTargetAvailableMs, () => {
          if (mt.state === "creating") mt.state = "available";
        });
        return describeMt(mt);
      },
      DescribeMountTargets(input) {
        if (input.MountTargetId) {
          const mt = mountTargets.get(String(input.MountTargetId));
          if (!mt)
            throw awsError(
              "MountTargetNotFound",
              `Mount target '${String(input.MountTargetId)}' does not exist.`,
              { status: 404 },
            );
          return { MountTargets: [describeMt(mt)] };
        }
        const fs = fsOf(input.FileSystemId);
        return {
          MountTargets: [...mountTargets.values()]
            .filter((m) => m.fileSystemId === fs.fileSystemId)
            .map(describeMt),
        };
      },
      DeleteMountTarget(input) {
        const mt = mountTargets.get(String(input.MountTargetId ?? ""));
        if (!mt)
          throw awsError(
            "MountTargetNotFound",
            `Mount target '${String(input.MountTargetId)}' does not exist.`,
            { status: 404 },
          );
        if (mt.state !== "deleting") {
          mt.state = "deleting";
          world.clock.schedule(timings.mountTargetDeletedMs, () => mountTargets.delete(mt.mountTargetId));
        }
        return {};
      },
      async CreateAccessPoint(input) {
        const fs = fsOf(input.FileSystemId);
        const clientToken = String(input.ClientToken ?? "");
        const same = [...accessPoints.values()].find(
          (ap) => ap.clientToken === clientToken && clientToken !== "",
        );
        if (same) return describeAp(same);
        const rootPath = String((input.RootDirectory as { Path?: string } | undefined)?.Path ?? "/");
        const accessPointId = world.id("fsap");
        const ap: SandboxAccessPoint = {
          accessPointId,
          arn: world.arn("elasticfilesystem", `access-point/${accessPointId}`),
          fileSystemId: fs.fileSystemId,
          rootPath,
          clientToken,
          tags: tagsOf(input),
        };
        accessPoints.set(accessPointId, ap);
        return describeAp(ap);
      },
      DescribeAccessPoints(input) {
        if (input.AccessPointId) {
          const ap = accessPoints.get(String(input.AccessPointId));
          if (!ap)
            throw awsError(
              "AccessPointNotFound",
              `Access point '${String(input.AccessPointId)}' does not exist.`,
              { status: 404 },
            );
          return { AccessPoints: [describeAp(ap)] };
        }
        const fs = fsOf(input.FileSystemId);
        return {
          AccessPoints: [...accessPoints.values()]
            .filter((a) => a.fileSystemId === fs.fileSystemId)
            .map(describeAp),
        };
      },
      DeleteAccessPoint(input) {
        if (!accessPoints.delete(String(input.AccessPointId ?? "")))
          throw awsError(
            "AccessPointNotFound",
            `Access point '${String(input.AccessPointId)}' does not exist.`,
            { status: 404 },
          );
        return {};
      },
      async DeleteFileSystem(input) {
        const fs = fsOf(input.FileSystemId);
        const inUse =
          [...mountTargets.values()].some((m) => m.fileSystemId === fs.fileSystemId) ||
          [...accessPoints.values()].some((a) => a.fileSystemId === fs.fileSystemId);
        if (inUse)
          throw awsError(
            "FileSystemInUse",
            `File system '${fs.fileSystemId}' has mount targets or access points and cannot be deleted.`,
            { status: 409 },
          );
        fileSystems.delete(fs.fileSystemId);
        policies.delete(fs.fileSystemId);
        deleted.push(fs.fileSystemId);
        await world.clock.track(rm(fs.dir, { recursive: true, force: true }));
        return {};
      },
    },
  };
  return model;
}

/**
 * How long Lambda takes to apply a configuration change (`LastUpdateStatus` InProgress → Successful). AWS's
 * UpdateFunctionConfiguration reference: "If your function connects to a VPC, this process can take a
 * minute. During this time, you can't modify the function" — the verifier is in the fleet's VPC.
 */
export const LAMBDA_VPC_UPDATE_MS = 60_000;

/**
 * Lambda's `FileSystemConfigs`, as far as EFS goes: UpdateFunctionConfiguration points the function's mount
 * (a symbolic link the verifier reads as its `/mnt/...`) at the access point's directory, after an update that
 * takes time (`LastUpdateStatus` InProgress → Successful, `ResourceConflictException` meanwhile), like
 * Lambda's. The link is `LocalMountPath` itself when that is a real local path (the sandbox's drills give
 * each verifier its own), else `mountPath` (a Lambda path such as `/mnt/drill`).
 */
export function lambdaMountModel(
  world: SandboxWorld,
  efs: EfsModel,
  options: { mountPath: string; updateMs?: number },
): ServiceModel {
  const functions = new Map<string, { status: string; configs: { Arn: string; LocalMountPath: string }[] }>();
  const stateOf = (name: string) => functions.get(name) ?? { status: "Successful", configs: [] };
  const linkOf = (config: { LocalMountPath: string }) =>
    isAbsolute(config.LocalMountPath) && !config.LocalMountPath.startsWith("/mnt/")
      ? config.LocalMountPath
      : options.mountPath;
  return {
    service: "Lambda",
    commands: {
      async UpdateFunctionConfiguration(input) {
        const name = String(input.FunctionName ?? "");
        const configs =
          (input.FileSystemConfigs as { Arn: string; LocalMountPath: string }[] | undefined) ?? [];
        if (stateOf(name).status === "InProgress")
          throw awsError(
            "ResourceConflictException",
            "The operation cannot be performed at this time. An update is in progress for resource",
            { status: 409 },
          );
        const previous = stateOf(name).configs[0];
        const entry = { status: "InProgress", configs };
        functions.set(name, entry);
        if (previous) await world.clock.track(unlink(linkOf(previous)).catch(() => undefined));
        const config = configs[0];
        if (config) {
          const target = efs.accessPointDir(String(config.Arn).split("/").pop() ?? "");
          await world.clock.track(unlink(linkOf(config)).catch(() => undefined));
          await world.clock.track(symlink(target, linkOf(config), "dir"));
        }
        world.clock.schedule(options.updateMs ?? LAMBDA_VPC_UPDATE_MS, () => {
          entry.status = "Successful";
        });
        return { FunctionName: name, LastUpdateStatus: "InProgress", FileSystemConfigs: configs };
      },
      GetFunctionConfiguration(input) {
        const name = String(input.FunctionName ?? "");
        const state = stateOf(name);
        return {
          FunctionName: name,
          State: "Active",
          LastUpdateStatus: state.status,
          FileSystemConfigs: state.configs,
        };
      },
    },
  };
}
