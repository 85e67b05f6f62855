import { rtoSeconds } from "./measure.js";
import type { VerifyMismatch, VerifyResult } from "./verify.js";

/** What one file system's branch of the drill state machine ends with (the Map's item output). */
export interface FileSystemDrillOutcome {
  readonly sourceFileSystemId: string;
  readonly recoveryPointArn?: string;
  readonly rpoSeconds?: number;
  /** ISO: when StartRestoreJob was called. */
  readonly restoreStartedAt?: string;
  /** ISO: when the verifier finished. */
  readonly verifiedAt?: string;
  readonly verification?: Pick<VerifyResult, "filesVerified" | "bytesVerified" | "mismatches"> & {
    /** Checks the verifier could not run (absent in outcomes recorded before it was carried). */
    readonly unverified?: VerifyMismatch[];
  };
  /** The error the branch was caught with (Step Functions' `{ Error, Cause }`). */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** One file system's line of the drill report (the `DrillCompleted`/`DrillFailed` event's shape). */
export interface FileSystemDrillResult {
  readonly fileSystemId: string;
  readonly recoveryPointArn: string;
  readonly rpoSeconds: number | null;
  readonly rtoSeconds: number | null;
  readonly filesVerified: number;
  readonly bytesVerified: number;
  readonly mismatches: VerifyMismatch[];
  /**
   * Files the verifier could not check (a JSON file over 64 MiB, SQLite on a runtime without `node:sqlite`),
   * by path and why. Never counted as verified: a file system with any does not pass. The judge always sets
   * it; drill records stored before it was carried have none.
   */
  readonly unverified?: VerifyMismatch[];
  readonly passed: boolean;
  /** Why the branch could not finish, when it could not. */
  readonly failure?: string;
}

/** The verdict on a whole drill. `failed` = some branch could not run to verification (a `DrillFailed`). */
export interface DrillVerdict {
  readonly drillId: string;
  readonly passed: boolean;
  readonly failed: boolean;
  readonly reason: string | undefined;
  readonly fileSystems: FileSystemDrillResult[];
}

/**
 * Judges a drill from its branches: it passes only when every file system restored and verified with no
 * mismatch and nothing left unverified; a branch that was caught (restore FAILED, timeout, verifier crash)
 * makes the drill `failed`.
 */
export function judgeDrill(drillId: string, outcomes: readonly FileSystemDrillOutcome[]): DrillVerdict {
  const fileSystems = outcomes.map(judgeFileSystem);
  const failures = fileSystems.filter((fs) => fs.failure !== undefined);
  const mismatched = fileSystems.filter((fs) => fs.failure === undefined && !fs.passed);
  const passed = fileSystems.length > 0 && fileSystems.every((fs) => fs.passed);
  let reason: string | undefined;
  if (fileSystems.length === 0) reason = "no file system to drill";
  else if (failures.length > 0) reason = failures.map((fs) => `${fs.fileSystemId}: ${fs.failure}`).join("; ");
  else if (mismatched.length > 0) reason = mismatched.map(notVerifiedReason).join("; ");
  return { drillId, passed, failed: failures.length > 0 || fileSystems.length === 0, reason, fileSystems };
}

/**
 * The verdict on a drill that failed before its file systems could be judged (Plan failed, or the Map of
 * branches failed as a whole): `failed`, with Step Functions' error as the reason and no file system.
 */
export function failedDrillVerdict(
  drillId: string,
  error: { readonly Error?: string; readonly Cause?: string },
): DrillVerdict {
  return { drillId, passed: false, failed: true, reason: describeError(error), fileSystems: [] };
}

function notVerifiedReason(fs: FileSystemDrillResult): string {
  const parts = [
    ...(fs.mismatches.length > 0 ? [`${fs.mismatches.length} file(s) differ`] : []),
    ...(fs.unverified?.length ? [`${fs.unverified.length} file(s) could not be verified`] : []),
  ];
  return `${fs.fileSystemId}: ${parts.join(", ")}`;
}

function judgeFileSystem(outcome: FileSystemDrillOutcome): FileSystemDrillResult {
  const verification = outcome.verification;
  const verified = verification !== undefined && outcome.error === undefined;
  const failure = verified ? undefined : describeError(outcome.error);
  return {
    fileSystemId: outcome.sourceFileSystemId,
    recoveryPointArn: outcome.recoveryPointArn ?? "",
    rpoSeconds: outcome.rpoSeconds ?? null,
    rtoSeconds:
      verified && outcome.restoreStartedAt && outcome.verifiedAt
        ? rtoSeconds(outcome.restoreStartedAt, outcome.verifiedAt)
        : null,
    filesVerified: verification?.filesVerified ?? 0,
    bytesVerified: verification?.bytesVerified ?? 0,
    mismatches: verification?.mismatches ?? [],
    unverified: verification?.unverified ?? [],
    passed: verified && verification.mismatches.length === 0 && (verification.unverified ?? []).length === 0,
    ...(failure === undefined ? {} : { failure }),
  };
}

function describeError(error: FileSystemDrillOutcome["error"]): string {
  if (!error) return "the branch ended without verifying";
  let cause = error.Cause ?? "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // Step Functions' own errors (States.Timeout) carry a plain-text cause: keep it as is.
  }
  return [error.Error, cause].filter((part) => part && part.length > 0).join(": ") || "unknown error";
}

/** A duration for people: `42s`, `15m 12s`, `3h 04m`, `2d 03h`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  if (seconds < 86400)
    return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(seconds / 86400)}d ${String(Math.floor((seconds % 86400) / 3600)).padStart(2, "0")}h`;
}

/** Bytes for people: `512 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function notVerifiedCounts(fs: FileSystemDrillResult): string {
  const unverified = fs.unverified?.length ?? 0;
  return [
    ...(fs.mismatches.length > 0 || unverified === 0 ? [`${fs.mismatches.length} mismatches`] : []),
    ...(unverified > 0 ? [`${unverified} unverified`] : []),
  ].join(", ");
}

/** The summary table `clawops drill` ends with: a header row, then one row per file system. */
export function drillSummaryRows(verdict: DrillVerdict): string[][] {
  const header = ["file system", "recovery point", "RPO", "RTO", "files", "bytes", "result"];
  const rows = verdict.fileSystems.map((fs) => [
    fs.fileSystemId,
    fs.recoveryPointArn.split(":").pop() || "—",
    formatDuration(fs.rpoSeconds),
    formatDuration(fs.rtoSeconds),
    String(fs.filesVerified),
    formatBytes(fs.bytesVerified),
    fs.passed ? "PASS" : fs.failure ? `FAIL (${fs.failure})` : `FAIL (${notVerifiedCounts(fs)})`,
  ]);
  return [header, ...rows];
}
