import {
  CreateAccessPointCommand,
  CreateMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from "@aws-sdk/client-efs";
import { client } from "@clawops/core/aws";
import { DrillTimeoutError, drillNow, drillTags, restoreCreationToken } from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";
import { acquireVerifier, attachVerifier } from "./verifier-lock.js";

/**
 * PrepareVerification task, called until it answers `ready`: a restored file system has no mount targets, so
 * it creates one in each of the verifier's subnets and an access point (tagged as the drill's), waits for
 * them to be available, takes the verifier's lock and points the verifier's mount at the access point.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, restore, fileSystem, deadline, verifySeconds } = branch;
    const settings = settingsOf(env);
    const fileSystemId = restore?.restoredFileSystemId;
    if (!fileSystemId) throw new Error("PrepareVerification needs the restored file system");
    if (drillNow() > Date.parse(deadline))
      throw new DrillTimeoutError(`mount targets not ready by ${deadline}`, { drillId });
    const efs = client(EFSClient);
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    const mounted = new Set(MountTargets.map((mt) => mt.SubnetId));
    for (const subnetId of settings.verifier.subnetIds.filter((s) => !mounted.has(s))) {
      try {
        await efs.send(
          new CreateMountTargetCommand({
            FileSystemId: fileSystemId,
            SubnetId: subnetId,
            SecurityGroups: settings.verifier.mountTargetSecurityGroupIds,
          }),
        );
      } catch (error) {
        // One mount target per AZ: a second subnet in a covered AZ is already served.
        if ((error as Error).name !== "MountTargetConflict") throw error;
      }
    }
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
    );
    const accessPoint =
      AccessPoints[0] ??
      (await efs.send(
        new CreateAccessPointCommand({
          ClientToken: `${restoreCreationToken(drillId, fileSystem.fileSystemId)}-ap`.slice(0, 64),
          FileSystemId: fileSystemId,
          // Root identity so the verifier can read every restored file whatever its owner and mode.
          PosixUser: { Uid: 0, Gid: 0 },
          RootDirectory: { Path: "/" },
          Tags: drillTags(drillId),
        }),
      ));
    const accessPointArn = accessPoint.AccessPointArn ?? "";
    const available =
      MountTargets.length > 0 && MountTargets.every((mt) => mt.LifeCycleState === "available");
    let ready = false;
    if (available && accessPoint.LifeCycleState === "available") {
      if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
      await acquireVerifier(env.stateTable, drillId, verifySeconds + 900);
      ready = await attachVerifier(
        settings.verifier.functionName,
        accessPointArn,
        settings.verifier.mountPath,
      );
    }
    logger.info("verification prepared", { drillId, fileSystemId, mountTargets: MountTargets.length, ready });
    return {
      ...branch,
      mount: { ready, accessPointId: accessPoint.AccessPointId, accessPointArn, waitSeconds: 15 },
    };
  },
});
