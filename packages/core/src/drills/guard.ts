import { CleanupRefusedError } from "./errors.js";
import { DRILL_CREATOR, DrillTag } from "./tags.js";

/** Kinds of resources a drill creates and may delete. */
export type DrillResourceKind = "file-system" | "mount-target" | "access-point";

/**
 * A resource the cleanup wants to delete. `fileSystemId` is the file system it is (or belongs to). Mount
 * targets cannot carry tags in EFS, so for a mount target `tags` are its file system's tags.
 */
export interface DeletableResource {
  readonly kind: DrillResourceKind;
  readonly id: string;
  readonly fileSystemId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The drill doing the cleanup, the stage it runs in, and the fleet file systems that must never be deleted
 * whatever their tags.
 */
export interface DrillIdentity {
  readonly drillId: string;
  readonly stage: string;
  readonly fleetFileSystemIds: readonly string[];
}

/**
 * THE cleanup guard: every delete a drill makes passes through here first. It throws `CleanupRefusedError`
 * for a fleet file system (or anything on one) whatever its tags, and for anything that does not carry
 * `clawops:drill-id` = this drill, `clawops:created-by` = `clawops-drill` and `clawops:stage` = this stage (two
 * stages of one account may run drills with the same id: neither deletes the other's).
 */
export function assertDeletable(resource: DeletableResource, drill: DrillIdentity): void {
  const refuse = (why: string): never => {
    throw new CleanupRefusedError(`refusing to delete ${resource.kind} ${resource.id}: ${why}`, {
      drillId: drill.drillId,
      resourceId: resource.id,
    });
  };
  if (drill.drillId.length === 0) refuse("the drill has no id");
  if (
    drill.fleetFileSystemIds.includes(resource.fileSystemId) ||
    drill.fleetFileSystemIds.includes(resource.id)
  )
    refuse(`${resource.fileSystemId} is one of the fleet's own file systems`);
  const owner = resource.tags[DrillTag.DrillId];
  if (owner === undefined) refuse(`it has no ${DrillTag.DrillId} tag`);
  if (owner !== drill.drillId) refuse(`it belongs to drill ${owner}, not ${drill.drillId}`);
  if (resource.tags[DrillTag.CreatedBy] !== DRILL_CREATOR)
    refuse(`its ${DrillTag.CreatedBy} tag is not ${DRILL_CREATOR}`);
  const stage = resource.tags[DrillTag.Stage];
  if (stage === undefined) refuse(`it has no ${DrillTag.Stage} tag`);
  if (stage !== drill.stage) refuse(`it belongs to stage ${stage}, not ${drill.stage}`);
}

/** The same verdict as a value: `undefined` when deletable, the refusal otherwise. */
export function cleanupRefusal(
  resource: DeletableResource,
  drill: DrillIdentity,
): CleanupRefusedError | undefined {
  try {
    assertDeletable(resource, drill);
    return undefined;
  } catch (error) {
    if (error instanceof CleanupRefusedError) return error;
    throw error;
  }
}
