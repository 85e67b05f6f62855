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
import { client } from "@clawops/core/aws";
import {
  assertDeletable,
  type DrillIdentity,
  DrillTag,
  drillTags,
  FileSystemTakenError,
  NotReadyError,
  restoreCreationToken,
  tagRecord,
} from "@clawops/core/drills";

const efs = () => client(EFSClient);

/** One file system, or `undefined` when EFS no longer has it. */
export async function describeFileSystem(fileSystemId: string): Promise<FileSystemDescription | undefined> {
  try {
    const { FileSystems = [] } = await efs().send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    return FileSystems[0];
  } catch (error) {
    if ((error as Error).name === "FileSystemNotFound") return undefined;
    throw error;
  }
}

/** Every file system of the account and region (DescribeFileSystems pages with Marker). */
export async function listFileSystems(): Promise<FileSystemDescription[]> {
  const all: FileSystemDescription[] = [];
  let Marker: string | undefined;
  do {
    const page = await efs().send(new DescribeFileSystemsCommand({ Marker }));
    all.push(...(page.FileSystems ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return all;
}

/**
 * This drill's file systems: those tagged with its id by this stage, and those its restores made but no branch
 * tagged yet (a drill stopped while restoring), found by the CreationToken the drill gave each source's restore
 * and tagged as the drill's first. Another stage's drill of the same id is not this one.
 */
export async function drillFileSystems(
  drill: Pick<DrillIdentity, "drillId" | "stage">,
  sourceFileSystemIds: readonly string[],
): Promise<FileSystemDescription[]> {
  const { drillId, stage } = drill;
  const all = await listFileSystems();
  const found = all.filter((fs) => {
    const tags = tagRecord(fs.Tags);
    return tags[DrillTag.DrillId] === drillId && tags[DrillTag.Stage] === stage;
  });
  for (const source of new Set(sourceFileSystemIds)) {
    const token = restoreCreationToken(drillId, source, stage);
    const restored = all.find((fs) => fs.CreationToken === token);
    if (!restored || found.some((fs) => fs.FileSystemId === restored.FileSystemId)) continue;
    if (tagRecord(restored.Tags)[DrillTag.Stage] === stage) continue; // another drill's of this stage
    await tagAsDrill(restored, drill);
    found.push(restored);
  }
  return found;
}

/**
 * Tags a restored file system as this stage's drill's. Only a file system whose CreationToken is the one the
 * drill sent (or, for a restore-testing job, the one AWS reported it created) gets here: tags are what the
 * guard trusts. A file system another drill of this stage already tagged is left to it (`FileSystemTakenError`):
 * re-tagging would hand its mounts to this drill's cleanup, and back again.
 */
export async function tagAsDrill(
  fs: FileSystemDescription,
  drill: Pick<DrillIdentity, "drillId" | "stage">,
): Promise<void> {
  const tags = tagRecord(fs.Tags);
  const owner = tags[DrillTag.Stage] === drill.stage ? tags[DrillTag.DrillId] : undefined;
  if (owner === drill.drillId) return;
  if (owner)
    throw new FileSystemTakenError(`${fs.FileSystemId} is already the file system of the drill ${owner}`, {
      drillId: drill.drillId,
      fileSystemId: fs.FileSystemId ?? "",
    });
  await efs().send(
    new TagResourceCommand({ ResourceId: fs.FileSystemId, Tags: drillTags(drill.drillId, drill.stage) }),
  );
}

/** The file system a restore made with this CreationToken (EFS filters by it), if it exists yet. */
export async function fileSystemByToken(creationToken: string): Promise<FileSystemDescription | undefined> {
  const { FileSystems = [] } = await efs().send(
    new DescribeFileSystemsCommand({ CreationToken: creationToken }),
  );
  return FileSystems[0];
}

/** What the cleanup did to one file system. */
export interface CleanupReport {
  readonly fileSystemId: string;
  readonly accessPointsDeleted: string[];
  readonly mountTargetsDeleted: string[];
  readonly fileSystemDeleted: boolean;
  /** Mount targets were still deleting and the caller did not wait: the file system is still there. */
  readonly pending?: boolean;
}

/**
 * Removes a drill file system's access points and mount targets, then (unless `keepFileSystem`) the file
 * system: every delete passes the guard first. EFS refuses to delete a file system while a mount target is
 * still deleting, so this throws `NotReadyError` until they are gone (the state machine retries), or, with
 * `waitForDeletion: false`, reports the file system `pending` (the deletes are under way; a later call ends it).
 * A kept file system is left without the drill's mount targets too.
 */
export async function cleanUpFileSystem(
  fileSystemId: string,
  drill: DrillIdentity,
  options: { keepFileSystem: boolean; waitForDeletion?: boolean },
): Promise<CleanupReport> {
  const fs = await describeFileSystem(fileSystemId);
  const report = {
    fileSystemId,
    accessPointsDeleted: [] as string[],
    mountTargetsDeleted: [] as string[],
    fileSystemDeleted: false,
  };
  if (!fs) return report;
  const tags = tagRecord(fs.Tags);
  assertDeletable({ kind: "file-system", id: fileSystemId, fileSystemId, tags }, drill);
  const { AccessPoints = [] } = await efs().send(
    new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
  );
  for (const ap of AccessPoints) {
    const id = ap.AccessPointId ?? "";
    assertDeletable({ kind: "access-point", id, fileSystemId, tags: tagRecord(ap.Tags) }, drill);
    await efs().send(new DeleteAccessPointCommand({ AccessPointId: id }));
    report.accessPointsDeleted.push(id);
  }
  const { MountTargets = [] } = await efs().send(
    new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
  );
  for (const mt of MountTargets) {
    const id = mt.MountTargetId ?? "";
    // Mount targets carry no tags in EFS: the guard judges them by their file system's.
    assertDeletable({ kind: "mount-target", id, fileSystemId, tags }, drill);
    if (mt.LifeCycleState !== "deleting")
      await efs().send(new DeleteMountTargetCommand({ MountTargetId: id }));
    report.mountTargetsDeleted.push(id);
  }
  if (MountTargets.length > 0 && options.waitForDeletion === false) return { ...report, pending: true };
  if (MountTargets.length > 0)
    throw new NotReadyError(
      `${fileSystemId}: waiting for ${MountTargets.length} mount target(s) to be deleted`,
      { drillId: drill.drillId },
    );
  if (options.keepFileSystem) return report;
  assertDeletable({ kind: "file-system", id: fileSystemId, fileSystemId, tags }, drill);
  await efs().send(new DeleteFileSystemCommand({ FileSystemId: fileSystemId }));
  return { ...report, fileSystemDeleted: true };
}
