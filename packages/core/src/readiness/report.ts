import type { CheckOutcome, CheckStatus, ReadinessReport } from "./types.js";

/** The statuses of a run, by check id: what the next run compares against. */
export type RunStatuses = Readonly<Record<string, CheckStatus>>;

/** What changed between two runs. */
export interface ReadinessDrift {
  /** Checks failing now that did not fail in the previous run (all failing checks on the first run). */
  readonly newlyFailing: readonly CheckOutcome[];
  /** Checks that failed in the previous run and now pass or are attested. */
  readonly cleared: readonly CheckOutcome[];
  readonly changed: boolean;
}

/** The statuses of a report. */
export function statusesOf(report: ReadinessReport): Record<string, CheckStatus> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

/**
 * Compares a run with the previous one. A check moving between `unknown` and anything else is not drift
 * (nothing was verified either way); fail → unknown is not "cleared" either.
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
