import { DRILL_CREATOR, DrillTag, isStageCreationToken } from "./tags.js";

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
 * This stage's drill file systems older than `maxAgeHours` (left by a stopped execution or a `--keep`): tagged
 * by a drill of this stage, or untagged but made with this stage's drill CreationToken. Never a fleet file
 * system, never another stage's (the sweeper sees every file system of the account and region).
 */
export function sweepTargets(
  candidates: readonly SweepCandidate[],
  options: {
    readonly now: number;
    readonly maxAgeHours: number;
    readonly fleetFileSystemIds: readonly string[];
    /** The sweeper's own stage (`CLAWOPS_STAGE`). */
    readonly stage: string;
  },
): SweepTarget[] {
  const cutoff = options.now - options.maxAgeHours * 3_600_000;
  const targets: SweepTarget[] = [];
  for (const fs of candidates) {
    if (options.fleetFileSystemIds.includes(fs.fileSystemId)) continue;
    if (new Date(fs.creationTime).getTime() > cutoff) continue;
    const drillId = fs.tags[DrillTag.DrillId];
    const ours = fs.tags[DrillTag.CreatedBy] === DRILL_CREATOR && fs.tags[DrillTag.Stage] === options.stage;
    if (drillId !== undefined && ours)
      targets.push({ fileSystemId: fs.fileSystemId, drillId, needsTags: false });
    else if (drillId === undefined && isStageCreationToken(fs.creationToken, options.stage))
      targets.push({ fileSystemId: fs.fileSystemId, drillId: fs.creationToken, needsTags: true });
  }
  return targets;
}
