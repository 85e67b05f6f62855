import type { CheckOutcome, CheckStatus, ReadinessReport } from "./types.js";

/** Statuses by check id: a run's own, or each check's last known one (what the next run compares against). */
export type RunStatuses = Readonly<Record<string, CheckStatus>>;

/** What changed between two runs. */
export interface ReadinessDrift {
  /** Checks failing now whose last known status was not a failure (all failing checks on the first run). */
  readonly newlyFailing: readonly CheckOutcome[];
  /** Checks whose last known status was a failure and that now pass or are attested. */
  readonly cleared: readonly CheckOutcome[];
  readonly changed: boolean;
}

/** The statuses of a report. */
export function statusesOf(report: ReadinessReport): Record<string, CheckStatus> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

/**
 * Each check's last known status after this run: its own, or for a check that is `unknown` now, the status it
 * last had before (`unknown` when it never had one). Stored with the run for the next drift comparison.
 */
export function knownStatuses(
  current: ReadinessReport,
  previous: RunStatuses | undefined,
): Record<string, CheckStatus> {
  return Object.fromEntries(
    current.checks.map((c) => [c.id, c.status === "unknown" ? (previous?.[c.id] ?? "unknown") : c.status]),
  );
}

/**
 * Compares a run with each check's last known status (`knownStatuses` of the runs before). A run where a check
 * is `unknown` verifies nothing either way, so it is skipped: fail → unknown → fail is not a new failure, and
 * fail → unknown → pass clears it.
 */
export function detectDrift(current: ReadinessReport, previous: RunStatuses | undefined): ReadinessDrift {
  const before = previous ?? {};
  const newlyFailing = current.checks.filter((c) => c.status === "fail" && before[c.id] !== "fail");
  const cleared = current.checks.filter(
    (c) => before[c.id] === "fail" && (c.status === "pass" || c.status === "attested"),
  );
  return { newlyFailing, cleared, changed: newlyFailing.length + cleared.length > 0 };
}

/** A check as it appears in a drift event (`ReadinessDriftFound` / `ReadinessDriftCleared`). */
export interface DriftCheck {
  readonly id: string;
  readonly area: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly severity: string;
  readonly explanation: string;
  readonly remediation: string;
}

/** The detail of a drift event. */
export interface DriftEventDetail {
  readonly runId: string;
  readonly stage: string;
  readonly fleet: string;
  readonly checks: readonly DriftCheck[];
}

/** The events a drift produces: none when nothing changed. */
export function driftEvents(
  report: ReadinessReport,
  drift: ReadinessDrift,
): { detailType: "ReadinessDriftFound" | "ReadinessDriftCleared"; detail: DriftEventDetail }[] {
  const detail = (checks: readonly CheckOutcome[]): DriftEventDetail => ({
    runId: report.runId,
    stage: report.stage,
    fleet: report.fleet,
    checks: checks.map((c) => ({
      id: c.id,
      area: c.area,
      title: c.title,
      status: c.status,
      severity: c.severity,
      explanation: c.explanation,
      remediation: c.remediation,
    })),
  });
  return [
    ...(drift.newlyFailing.length > 0
      ? [{ detailType: "ReadinessDriftFound" as const, detail: detail(drift.newlyFailing) }]
      : []),
    ...(drift.cleared.length > 0
      ? [{ detailType: "ReadinessDriftCleared" as const, detail: detail(drift.cleared) }]
      : []),
  ];
}
