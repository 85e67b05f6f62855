import { createHash } from "node:crypto";

/** Tag keys and values every resource a drill creates carries; the cleanup guard deletes nothing else. */
export const DrillTag = {
  DrillId: "clawops:drill-id",
  CreatedBy: "clawops:created-by",
} as const;

/** The `clawops:created-by` value of drill resources. */
export const DRILL_CREATOR = "clawops-drill";

/** Prefix of every CreationToken a drill sends, so a restored file system is recognisable even untagged. */
export const DRILL_TOKEN_PREFIX = "clawops-drill-";

/** A tag as EFS returns it. */
export interface ResourceTag {
  readonly Key: string;
  readonly Value: string;
}

/** The tags a drill puts on what it creates. */
export function drillTags(drillId: string): ResourceTag[] {
  return [
    { Key: DrillTag.DrillId, Value: drillId },
    { Key: DrillTag.CreatedBy, Value: DRILL_CREATOR },
    { Key: "Name", Value: `clawops drill ${drillId}`.slice(0, 256) },
  ];
}

/**
 * The EFS CreationToken of one restore (≤ 64 characters, the same for a retried start, different per drill
 * and source): `clawops-drill-` and 32 hex characters of SHA-256(drill id, source file system).
 */
export function restoreCreationToken(drillId: string, sourceFileSystemId: string): string {
  const digest = createHash("sha256").update(`${drillId}\n${sourceFileSystemId}`).digest("hex");
  return `${DRILL_TOKEN_PREFIX}${digest.slice(0, 32)}`;
}

/** Tags as a record (`undefined` → empty). */
export function tagRecord(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? "";
  return record;
}
