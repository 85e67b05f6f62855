import type { BackupEvidence, RestoreDrillRecord } from "../evidence.js";
import type { ReadinessSettings } from "../settings.js";
import type { CheckResult } from "../types.js";
import { ageDays, fail, pass } from "./result.js";

const fileSystemOf = (arn: string) => arn.split("/").pop() ?? arn;

/** Every listed file system has a COMPLETED backup job younger than `maxAgeHours`. */
export function recentBackup(
  backup: BackupEvidence,
  fileSystemIds: readonly string[],
  maxAgeHours: number,
  now: Date,
): CheckResult {
  const problems: string[] = [];
  const found: string[] = [];
  for (const id of new Set(fileSystemIds)) {
    const jobs = backup.jobs.filter((j) => fileSystemOf(j.resourceArn) === id);
    const completed = jobs
      .filter((j) => j.state === "COMPLETED" && j.completedAt)
      .sort((a, b) => b.completedAt!.localeCompare(a.completedAt!))[0];
    const hours = completed ? (now.getTime() - Date.parse(completed.completedAt!)) / 3_600_000 : undefined;
    if (hours === undefined || hours > maxAgeHours) {
      const failed = jobs.filter((j) => ["FAILED", "ABORTED", "EXPIRED"].includes(j.state)).length;
      problems.push(
        `${id}: ${completed ? `last completed backup ${Math.round(hours!)} h ago` : "no completed backup"}${failed ? `, ${failed} failed job(s)` : ""}`,
      );
    } else found.push(`${id}: completed ${completed!.completedAt}`);
  }
  if (problems.length > 0) return fail(`No completed backup within ${maxAgeHours} h.`, problems);
  return pass(`Every file system has a completed backup within ${maxAgeHours} h.`, found);
}

/** True when the record speaks for the file system (a record without any failed before it reached one). */
const covers = (drill: RestoreDrillRecord, fileSystemId: string) =>
  drill.fileSystems.length === 0 || drill.fileSystems.some((f) => f.fileSystemId === fileSystemId);

/**
 * For every listed file system, the newest drill that covered it passed for it, recently: a restore-testing
 * validation covers one file system, so the newest record alone would judge only that one.
 */
export function restoreDrillVerdict(
  drills: readonly RestoreDrillRecord[],
  settings: ReadinessSettings,
  now: Date,
  fileSystemIds: readonly string[],
): CheckResult {
  if (drills.length === 0) return fail("No restore drill has ever run: run `clawops drill`.");
  const maxDays = settings.drillMaxDaysWithoutPass;
  const problems: string[] = [];
  const measured: string[] = [];
  for (const id of new Set(fileSystemIds)) {
    const drill = [...drills].sort((a, b) => b.at.localeCompare(a.at)).find((d) => covers(d, id));
    if (!drill) {
      problems.push(`${id}: no restore drill covered it`);
      continue;
    }
    const result = drill.fileSystems.find((f) => f.fileSystemId === id);
    const age = ageDays(drill.at, now);
    if (!(result?.passed ?? drill.passed)) {
      const why = result?.failure ?? (result?.mismatches.length ? undefined : drill.reason);
      problems.push(
        `${id}: the last restore drill (${drill.drillId}, ${drill.at}) failed: ${why ?? "files did not verify"}`,
        ...(result?.mismatches ?? []).map((m) => `${id}: ${m.path}: ${m.reason}`),
      );
    } else if (age > maxDays)
      problems.push(
        `${id}: the last passing restore drill (${drill.drillId}) is ${age} days old (more than ${maxDays})`,
      );
    else
      measured.push(
        `${id}: ${drill.drillId} passed ${age} day(s) ago, RPO ${result?.rpoSeconds ?? "?"} s, RTO ${result?.rtoSeconds ?? "?"} s`,
      );
  }
  if (problems.length > 0)
    return fail("The last restore drill of a file system failed, is too old or never covered it.", problems);
  return pass(
    `The last restore drill of every file system passed within ${maxDays} days and the restored files matched.`,
    measured,
  );
}
