import type { AreaSummary, CheckOutcome, CheckStatus, ReadinessReport } from "@clawops/core/readiness";
import { type Colors, plainColors } from "../output.js";
import { renderTable } from "./table.js";

/** The mark a status gets in tables: ✓ pass, ✗ fail, ? unknown, `attested` (a person's statement, not a pass). */
export const STATUS_MARK: Readonly<Record<CheckStatus, string>> = {
  pass: "✓",
  fail: "✗",
  unknown: "?",
  attested: "attested",
};

/** Area ids as people read them (`soul-documents` → `Soul documents`). */
export function areaTitle(area: string): string {
  const words = area.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function colorMark(status: CheckStatus, color: Colors): string {
  const mark = STATUS_MARK[status];
  if (status === "pass") return color.green(mark);
  if (status === "fail") return color.red(mark);
  return color.yellow(mark);
}

/** One row per area: its mark and the counts behind it. */
export function areaRows(areas: readonly AreaSummary[], color: Colors = plainColors): string[][] {
  return areas.map((a) => [
    areaTitle(a.area),
    colorMark(a.status, color),
    String(a.pass),
    String(a.fail),
    String(a.unknown),
    String(a.attested),
  ]);
}

/** Checks that failed, worst first (critical, high, then the rest), each with its remediation. */
export function failingChecks(report: ReadinessReport): CheckOutcome[] {
  const rank: Record<string, number> = { critical: 0, high: 1 };
  return report.checks
    .filter((c) => c.status === "fail")
    .sort((a, b) => (rank[a.severity] ?? 2) - (rank[b.severity] ?? 2) || a.id.localeCompare(b.id));
}

/** The readiness report as the terminal shows it: the eight-area table, then what fails and what to do. */
export function renderReadiness(report: ReadinessReport, color: Colors = plainColors): string[] {
  const lines = [
    `${color.bold("Readiness")} of ${report.fleet} (stage ${report.stage}), run ${report.runId} at ${report.at}`,
    renderTable(["area", "status", "pass", "fail", "unknown", "attested"], areaRows(report.areas, color)),
  ];
  const failing = failingChecks(report);
  if (failing.length > 0) {
    lines.push("", color.bold(`${failing.length} failing check(s):`));
    for (const check of failing) {
      lines.push(
        `${color.red(STATUS_MARK.fail)} ${check.id} [${check.severity}] ${check.title}`,
        `    ${check.explanation}`,
        ...(check.details ?? []).slice(0, 5).map((d) => `    - ${d}`),
        `    ${color.cyan("fix:")} ${check.remediation}`,
      );
    }
  }
  const unknown = report.checks.filter((c) => c.status === "unknown");
  if (unknown.length > 0) {
    lines.push("", color.bold(`${unknown.length} check(s) could not be verified:`));
    for (const check of unknown) {
      const details = (check.details ?? []).slice(0, 3).join(", ");
      lines.push(`${color.yellow("?")} ${check.id}: ${check.explanation}${details ? ` (${details})` : ""}`);
    }
  }
  const attested = report.checks.filter((c) => c.status === "attested");
  if (attested.length > 0) {
    lines.push("", color.bold(`${attested.length} item(s) rest on a person's attestation:`));
    for (const check of attested) lines.push(`  ${check.id}: ${check.explanation}`);
  }
  lines.push(
    "",
    report.passed
      ? color.green("No check fails.")
      : color.red(`${failing.length} check(s) fail: the fleet is not production-ready (exit code 1).`),
  );
  return lines;
}
