import { createHash } from "node:crypto";

/** Tag keys and values every resource a drill creates carries; the cleanup guard deletes nothing else. */
export const DrillTag = {
  DrillId: "clawops:drill-id",
  CreatedBy: "clawops:created-by",
  /** The deployment stage whose drill made it: one stage's cleanup and sweeper never touch another's. */
  Stage: "clawops:stage",
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

/** The tags a drill of `stage` puts on what it creates. */
export function drillTags(drillId: string, stage: string): ResourceTag[] {
  return [
    { Key: DrillTag.DrillId, Value: drillId },
    { Key: DrillTag.CreatedBy, Value: DRILL_CREATOR },
    { Key: DrillTag.Stage, Value: stage },
    { Key: "Name", Value: `clawops drill ${drillId}`.slice(0, 256) },
  ];
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The start of every CreationToken one stage's drills send: `clawops-drill-<stage>-`. A stage name longer than
 * 16 characters (or with characters other than letters, digits and `-`) is replaced by 16 hex characters of
 * its SHA-256, so a token stays within EFS's 64 characters.
 */
export function drillTokenPrefix(stage: string): string {
  const key = /^[A-Za-z0-9-]{1,16}$/.test(stage) ? stage : sha256(stage).slice(0, 16);
  return `${DRILL_TOKEN_PREFIX}${key}-`;
}

/**
 * The EFS CreationToken of one restore (≤ 64 characters, the same for a retried start, different per drill,
 * source and stage): `drillTokenPrefix(stage)` and 32 hex characters of SHA-256(drill id, source file system).
 * Without a stage (a restore no drill function made, such as the sandbox operator's), `clawops-drill-` and the
 * digest: no stage's sweeper takes it for its own.
 */
export function restoreCreationToken(
  drillId: string,
  sourceFileSystemId: string,
  stage: string | undefined,
): string {
  const digest = sha256(`${drillId}\n${sourceFileSystemId}`).slice(0, 32);
  return `${stage === undefined ? DRILL_TOKEN_PREFIX : drillTokenPrefix(stage)}${digest}`;
}

/**
 * True when `creationToken` is one this stage's drills send. Exact: stage `dev` does not claim the tokens of
 * stage `dev-2` (`clawops-drill-dev-2-…` starts with `clawops-drill-dev-`, but what follows is not the digest).
 */
export function isStageCreationToken(creationToken: string, stage: string): boolean {
  const prefix = drillTokenPrefix(stage);
  return creationToken.startsWith(prefix) && /^[0-9a-f]{32}$/.test(creationToken.slice(prefix.length));
}

/** Tags as a record (`undefined` → empty). */
export function tagRecord(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? "";
  return record;
}
