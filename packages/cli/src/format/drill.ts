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

/** A restored file system `--keep` left in place, and the command that removes it. */
export interface KeptFileSystem {
  readonly fileSystemId: string;
  readonly howToRemove: string;
}

/** How many unverified files a file system's line names before it says "and N more". */
const UNVERIFIED_SHOWN = 10;

/** A file the verifier could not check, as records of any age carry it (`{ path, reason }` or a path). */
function describeUnverified(entry: unknown): string {
  if (typeof entry === "string") return entry;
  const { path, reason } = (entry ?? {}) as { path?: unknown; reason?: unknown };
  return reason ? `${String(path)} (${String(reason)})` : String(path);
}

/** One line per file system whose verifier could not check some files: they were not verified, not matched. */
function unverifiedLines(verdict: DrillVerdict): string[] {
  return verdict.fileSystems.flatMap((fs) => {
    const unverified = (fs as { unverified?: unknown }).unverified;
    if (!Array.isArray(unverified) || unverified.length === 0) return [];
    const shown = unverified.slice(0, UNVERIFIED_SHOWN).map(describeUnverified);
    const more = unverified.length - shown.length;
    return [
      `${fs.fileSystemId}: ${unverified.length} file(s) could not be verified: ${shown.join(", ")}${more > 0 ? `, and ${more} more` : ""}`,
    ];
  });
}

/**
 * The drill's summary table (per file system: recovery point, RPO, RTO, files, bytes, result), the files that
 * could not be verified, its verdict, and with `--keep` the file systems left in place and how to remove them.
 */
export function renderDrillSummary(
  verdict: DrillVerdict,
  color: Colors = plainColors,
  kept?: readonly KeptFileSystem[],
): string[] {
  const [header = [], ...rows] = drillSummaryRows(verdict);
  const painted = rows.map((row) =>
    row.map((cell, i) =>
      i === row.length - 1 ? (cell === "PASS" ? color.green(cell) : color.red(cell)) : cell,
    ),
  );
  const keptLines =
    kept === undefined
      ? []
      : kept.length === 0
        ? ["No restored file system was kept."]
        : [
            `Kept for inspection (${kept.length}); remove each when done:`,
            ...kept.map((k) => `  ${k.fileSystemId}: ${k.howToRemove}`),
          ];
  return [
    renderTable(header, painted),
    ...unverifiedLines(verdict).map((line) => color.red(line)),
    verdict.passed
      ? color.green(`Drill ${verdict.drillId} passed: every file system restored and verified.`)
      : color.red(`Drill ${verdict.drillId} FAILED: ${verdict.reason ?? "see the table"}`),
    ...keptLines,
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
