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

/** The last restore drill passed, recently, and (when given) covered the file system. */
export function restoreDrillVerdict(
  drill: RestoreDrillRecord | null,
  settings: ReadinessSettings,
  now: Date,
  fileSystemId?: string,
): CheckResult {
  if (!drill) return fail("No restore drill has ever run: run `clawops drill`.");
  const age = ageDays(drill.at, now);
  const maxDays = settings.drillMaxDaysWithoutPass;
  if (!drill.passed)
    return fail(
      `The last restore drill (${drill.drillId}, ${drill.at}) failed: ${drill.reason ?? "files did not verify"}.`,
      drill.fileSystems.flatMap((f) => f.mismatches.map((m) => `${f.fileSystemId}: ${m.path}: ${m.reason}`)),
    );
  if (age > maxDays) return fail(`The last passing restore drill is ${age} days old (more than ${maxDays}).`);
  const covered = fileSystemId ? drill.fileSystems.find((f) => f.fileSystemId === fileSystemId) : undefined;
  if (fileSystemId && !covered) return fail(`The last restore drill did not cover ${fileSystemId}.`);
  const measured = drill.fileSystems.map(
    (f) => `${f.fileSystemId}: RPO ${f.rpoSeconds ?? "?"} s, RTO ${f.rtoSeconds ?? "?"} s`,
  );
  return pass(
    `Restore drill ${drill.drillId} passed ${age} day(s) ago and the restored files matched.`,
    measured,
  );
}
