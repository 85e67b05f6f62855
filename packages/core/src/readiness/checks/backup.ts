import { attestationFor, judgeAttestation, reviewAttestation } from "../attestation.js";
import { available, type BackupSelectionEvidence } from "../evidence.js";
import { arnMatches, wildcardMatch } from "../policy.js";
import { tuning } from "../settings.js";
import type { ReadinessCheck } from "../types.js";
import { recentBackup, restoreDrillVerdict } from "./recovery.js";
import { fail, pass } from "./result.js";

/**
 * True for a schedule that runs at least once a day, every day: a cron (minutes hours day-of-month month
 * day-of-week year) whose day, month and year fields are all wildcards (`cron(0 5 ? * * 2025)` stops after 2025).
 */
export function isDailySchedule(expression: string): boolean {
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const [, , dom, month, dow, year] = cron[1]!.trim().split(/\s+/);
    return (
      (dom === "*" || dom === "?") &&
      (dow === "*" || dow === "?") &&
      month === "*" &&
      (year === undefined || year === "*")
    );
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!rate) return false;
  const hours =
    Number(rate[1]) * (rate[2]!.startsWith("minute") ? 1 / 60 : rate[2]!.startsWith("hour") ? 1 : 24);
  return hours <= 24;
}

/**
 * True when a backup selection resource (`*`, or an ARN whose components may hold wildcards) covers the file
 * system's ARN: service, region, account and resource must all match.
 */
export function selectionCovers(selected: string, fileSystemArn: string): boolean {
  return selected === "*" || arnMatches(selected, fileSystemArn);
}

/** True when the tags satisfy one Conditions entry (operators as AWS Backup defines them, case sensitive). */
function tagConditionHolds(
  condition: BackupSelectionEvidence["conditions"][number],
  tags: Readonly<Record<string, string>>,
): boolean {
  const actual = tags[condition.tagKey];
  switch (condition.operator) {
    case "StringEquals":
      return actual === condition.value;
    case "StringNotEquals":
      return actual !== condition.value;
    case "StringLike":
      return actual !== undefined && wildcardMatch(condition.value, actual, false);
    case "StringNotLike":
      return actual === undefined || !wildcardMatch(condition.value, actual, false);
    default:
      return false;
  }
}

/**
 * Why a selection does not assign the file system, or `undefined` when it does: excluded by NotResources, or
 * neither matched by Resources with every tag condition nor tagged with one of ListOfTags.
 */
export function whySelectionMisses(
  selection: BackupSelectionEvidence,
  fileSystemArn: string,
  tags: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (selection.notResources.some((r) => selectionCovers(r, fileSystemArn)))
    return `${selection.name} excludes it (NotResources)`;
  const byArn = selection.resources.some((r) => selectionCovers(r, fileSystemArn));
  const byTag = selection.listOfTags.some((t) => tags?.[t.tagKey] === t.value);
  const byResource =
    byArn && selection.conditions.every((c) => tags !== undefined && tagConditionHolds(c, tags));
  if (byTag || byResource) return undefined;
  if (byArn) return `${selection.name} matches it by ARN but its tag conditions do not hold`;
  return undefined === tags && selection.listOfTags.length > 0
    ? `${selection.name}: its tags could not be read`
    : `${selection.name} does not match it`;
}

/** Section 6 of the checklist: plan, recent jobs, restore drill, recovery procedure. */
export const backupChecks: readonly ReadinessCheck[] = [
  {
    id: "backup.daily-plan",
    area: "backup",
    title: "Daily backup plan covers the file systems",
    checklistItem:
      "Verify that AWS Backup jobs are configured; backups are retained according to a defined policy.",
    severity: "high",
    evidence: ["backup"],
    method:
      "GetBackupPlan + ListBackupSelections (every page)/GetBackupSelection: one rule that is daily (every day of every month and year: `cron(0 5 ? * * 2025)` is not), into the fleet's vault and has a retention (DeleteAfterDays), and a selection that assigns each file system as AWS Backup does: not in NotResources, and matched by Resources (the file system's ARN in the fleet's region and account, wildcards per ARN component) with every tag Condition holding, or by one of ListOfTags (tags read from EFS).",
    evaluate: (evidence, settings) => {
      const backup = available(evidence.backup);
      if (!backup.plan) return fail(`Backup plan ${settings.fleet.backupPlanId} not found.`);
      const { backupVaultName } = settings.fleet;
      const daily = backup.plan.rules.filter((r) => isDailySchedule(r.schedule));
      const intoVault = daily.filter((r) => r.vaultName === backupVaultName);
      // One rule must be all three: a daily rule into another vault does not back up into this one, and a
      // retention on that rule does not expire this vault's recovery points.
      const rule = intoVault.find((r) => r.deleteAfterDays !== undefined);
      const problems: string[] = [];
      if (daily.length === 0)
        problems.push(`no daily rule (${backup.plan.rules.map((r) => r.schedule).join(", ") || "no rules"})`);
      else if (intoVault.length === 0) problems.push(`no daily rule targets vault ${backupVaultName}`);
      else if (!rule)
        problems.push(`the daily rule into vault ${backupVaultName} has no retention (DeleteAfterDays)`);
      const [, partition, , , account] = settings.fleet.instanceRoleArn.split(":");
      for (const id of new Set([
        settings.fleet.workspace.fileSystemId,
        settings.fleet.runtime.fileSystemId,
      ])) {
        const fileSystemArn = `arn:${partition}:elasticfilesystem:${settings.region}:${account}:file-system/${id}`;
        const misses = backup.selections.map((sel) =>
          whySelectionMisses(sel, fileSystemArn, backup.fileSystemTags?.[id]),
        );
        if (!misses.some((why) => why === undefined))
          problems.push(
            `${id} is not selected${misses.length > 0 ? ` (${misses.join("; ")})` : " (the plan has no selection)"}`,
          );
      }
      if (problems.length > 0 || !rule)
        return fail(`Backup plan ${backup.plan.name} does not meet the policy.`, problems);
      return pass(
        `Plan ${backup.plan.name}: ${rule.schedule} into ${backupVaultName}, kept ${rule.deleteAfterDays} days, covers both file systems.`,
      );
    },
    remediation: "Add a daily rule with a retention to the plan and select both EFS file systems.",
  },
  {
    id: "backup.recent-jobs",
    area: "backup",
    title: "Recent completed backup jobs",
    checklistItem: "Check the backup vault for recent completed jobs.",
    severity: "high",
    evidence: ["backup"],
    method:
      "ListBackupJobs in the vault (created since the max age): a COMPLETED job for each file system within readiness.backupMaxAgeHours.",
    evaluate: (evidence, settings, now) =>
      recentBackup(
        available(evidence.backup),
        [settings.fleet.workspace.fileSystemId, settings.fleet.runtime.fileSystemId],
        tuning(settings).backupMaxAgeHours,
        now,
      ),
    remediation:
      "Look at the failed jobs' StatusMessage; check the backup role and the vault's access policy.",
  },
  {
    id: "backup.restore-drill",
    area: "backup",
    title: "Test restore matches the source",
    checklistItem:
      "Perform a test restore to a separate EFS volume and verify that the restored files match the source.",
    severity: "critical",
    evidence: ["restoreDrills"],
    method:
      "For each fleet file system, the newest restore drill record that covered it (a `clawops drill` covers all, a restore-testing validation one): restored to a new file system, verified hash for hash (soul documents) and file by file for integrity (runtime), passed, within drills.maxDaysWithoutPass days; RTO/RPO shown.",
    evaluate: (evidence, settings, now) =>
      restoreDrillVerdict(available(evidence.restoreDrills), settings, now, [
        settings.fleet.workspace.fileSystemId,
        settings.fleet.runtime.fileSystemId,
      ]),
    remediation: "Run `clawops drill`; fix the differences it lists.",
  },
  {
    id: "backup.recovery-procedure",
    area: "backup",
    title: "Recovery procedure documented and reviewed",
    checklistItem:
      "Document the recovery procedure and confirm it can be executed by someone other than the person who set up the deployment.",
    severity: "high",
    evidence: [],
    method:
      "Attestation: readiness.recoveryProcedure (path, reviewedAt, reviewedBy) within readiness.recoveryReviewMaxAgeDays, or an attestation with id backup.recovery-procedure.",
    evaluate: (_e, settings, now) => {
      const r = settings.readiness;
      const review = reviewAttestation(
        { at: r.recoveryProcedure.reviewedAt, by: r.recoveryProcedure.reviewedBy },
        r.recoveryReviewMaxAgeDays,
      );
      const attestation = [review, attestationFor(settings, "backup.recovery-procedure")]
        .filter((a) => a !== undefined)
        .sort((a, b) => b.at.localeCompare(a.at))[0];
      return judgeAttestation(
        attestation,
        `the recovery procedure (${r.recoveryProcedure.path}) was executed by someone other than its author`,
        now,
      );
    },
    remediation:
      "Have a second person follow the procedure, then set readiness.recoveryProcedure.reviewedAt/reviewedBy.",
  },
];
