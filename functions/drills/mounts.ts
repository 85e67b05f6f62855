import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  CreateMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  type MountTargetDescription,
} from "@aws-sdk/client-efs";
import { client } from "@clawops/core/aws";
import { drillTags, restoreCreationToken } from "@clawops/core/drills";

/**
 * The restored file system's mount targets, creating the missing ones: one in each of the verifier's subnets
 * (one per AZ: a second subnet in a covered AZ is already served, `MountTargetConflict`). Returns them as
 * EFS described them before any was created (a new one is `creating` anyway).
 */
export async function ensureMountTargets(
  fileSystemId: string,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
): Promise<MountTargetDescription[]> {
  const efs = client(EFSClient);
  const { MountTargets = [] } = await efs.send(
    new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
  );
  const mounted = new Set(MountTargets.map((mt) => mt.SubnetId));
  for (const subnetId of subnetIds.filter((s) => !mounted.has(s))) {
    try {
      await efs.send(
        new CreateMountTargetCommand({
          FileSystemId: fileSystemId,
          SubnetId: subnetId,
          SecurityGroups: [...securityGroupIds],
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "MountTargetConflict") throw error;
    }
  }
  return MountTargets;
}

/** The drill's access point on the restored file system (tagged as this stage's drill's), creating it once. */
export async function ensureAccessPoint(
  fileSystemId: string,
  drill: { readonly drillId: string; readonly stage: string },
  sourceFileSystemId: string,
): Promise<AccessPointDescription> {
  const { drillId, stage } = drill;
  const efs = client(EFSClient);
  const { AccessPoints = [] } = await efs.send(
    new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
  );
  return (
    AccessPoints[0] ??
    (await efs.send(
      new CreateAccessPointCommand({
        ClientToken: `${restoreCreationToken(drillId, sourceFileSystemId, stage)}-ap`.slice(0, 64),
        FileSystemId: fileSystemId,
        // Root identity so the verifier can read every restored file whatever its owner and mode.
        PosixUser: { Uid: 0, Gid: 0 },
        RootDirectory: { Path: "/" },
        Tags: drillTags(drillId, stage),
      }),
    ))
  );
}
