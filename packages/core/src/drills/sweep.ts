import { DRILL_CREATOR, DRILL_TOKEN_PREFIX, DrillTag } from "./tags.js";

/** A file system as the sweeper sees it (`DescribeFileSystems`, tags as a record). */
export interface SweepCandidate {
  readonly fileSystemId: string;
  readonly creationToken: string;
  readonly creationTime: string | Date;
  readonly tags: Readonly<Record<string, string>>;
}

/** A file system the sweeper will clean up, and the drill id it is cleaned up as. */
export interface SweepTarget {
  readonly fileSystemId: string;
  readonly drillId: string;
  /** True when the file system carries no drill tag yet (a restore that finished after its drill gave up). */
  readonly needsTags: boolean;
}

/**
 * Drill file systems older than `maxAgeHours` (left by a stopped execution or a `--keep`): tagged by a
 * drill, or untagged but made with a drill's CreationToken. Never a fleet file system.
 */
export function sweepTargets(
  candidates: readonly SweepCandidate[],
  options: {
    readonly now: number;
    readonly maxAgeHours: number;
    readonly fleetFileSystemIds: readonly string[];
  },
): SweepTarget[] {
  const cutoff = options.now - options.maxAgeHours * 3_600_000;
  const targets: SweepTarget[] = [];
  for (const fs of candidates) {
    if (options.fleetFileSystemIds.includes(fs.fileSystemId)) continue;
    if (new Date(fs.creationTime).getTime() > cutoff) continue;
    const drillId = fs.tags[DrillTag.DrillId];
    if (drillId !== undefined && fs.tags[DrillTag.CreatedBy] === DRILL_CREATOR)
      targets.push({ fileSystemId: fs.fileSystemId, drillId, needsTags: false });
    else if (drillId === undefined && fs.creationToken.startsWith(DRILL_TOKEN_PREFIX))
      targets.push({ fileSystemId: fs.fileSystemId, drillId: fs.creationToken, needsTags: true });
  }
  return targets;
}
