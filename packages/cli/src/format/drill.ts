import { type DrillVerdict, drillSummaryRows, formatDuration } from "@clawops/core/drills";
import { type Colors, plainColors } from "../output.js";
import { renderTable } from "./table.js";

/** One past drill as `--history` lists it. */
export interface DrillHistoryEntry {
  readonly drillId: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly verdict: DrillVerdict;
}

const worst = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
};

/** The drill's summary table (per file system: recovery point, RPO, RTO, files, bytes, result) and its verdict. */
export function renderDrillSummary(verdict: DrillVerdict, color: Colors = plainColors): string[] {
  const [header = [], ...rows] = drillSummaryRows(verdict);
  const painted = rows.map((row) =>
    row.map((cell, i) =>
      i === row.length - 1 ? (cell === "PASS" ? color.green(cell) : color.red(cell)) : cell,
    ),
  );
  return [
    renderTable(header, painted),
    verdict.passed
      ? color.green(`Drill ${verdict.drillId} passed: every file system restored and verified.`)
      : color.red(`Drill ${verdict.drillId} FAILED: ${verdict.reason ?? "see the table"}`),
  ];
}

/** `--history`: one row per past drill, newest first, with its worst RPO and RTO. */
export function renderDrillHistory(
  entries: readonly DrillHistoryEntry[],
  color: Colors = plainColors,
): string[] {
  if (entries.length === 0) return ["No drill has run yet: start one with clawops drill."];
  return [
    renderTable(
      ["drill", "started", "result", "file systems", "worst RPO", "worst RTO", "reason"],
      entries.map((e) => [
        e.drillId,
        e.startedAt,
        e.passed ? color.green("PASS") : color.red("FAIL"),
        String(e.verdict.fileSystems?.length ?? 0),
        formatDuration(worst((e.verdict.fileSystems ?? []).map((f) => f.rpoSeconds))),
        formatDuration(worst((e.verdict.fileSystems ?? []).map((f) => f.rtoSeconds))),
        e.verdict.reason ?? "",
      ]),
    ),
  ];
}
