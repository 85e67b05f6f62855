/** Seconds between two instants (ISO strings, Dates or epoch ms), never negative, rounded to the second. */
function secondsBetween(from: string | Date | number, to: string | Date | number): number {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (Number.isNaN(ms))
    throw new RangeError(`not a date: ${String(Number.isNaN(new Date(from).getTime()) ? from : to)}`);
  return Math.max(0, Math.round(ms / 1000));
}

/** RPO: how old the recovery point was when the drill chose it (what a restore at that moment would lose). */
export function rpoSeconds(
  recoveryPointCreationDate: string | Date,
  chosenAt: string | Date | number,
): number {
  return secondsBetween(recoveryPointCreationDate, chosenAt);
}

/** RTO: from the restore job's start to the moment the restored data verified. */
export function rtoSeconds(
  restoreStartedAt: string | Date | number,
  verifiedAt: string | Date | number,
): number {
  return secondsBetween(restoreStartedAt, verifiedAt);
}

/**
 * Seconds to wait before polling a restore job again (`attempt` polls so far): every 15 s for the first 10
 * minutes, every 30 s for the next 20, then every minute. Every second between the job's end and the poll that
 * sees it adds to the drill's time and to the measured RTO; DescribeRestoreJob is free and a poll costs three
 * state transitions ($0.000075), so a restore of a few minutes is seen within 15 s and one of hours costs a
 * poll a minute.
 */
export function restorePollDelaySeconds(attempt: number): number {
  if (attempt < 40) return 15;
  if (attempt < 80) return 30;
  return 60;
}

/** What PrepareVerification is waiting for. */
export type PreparePhase = "mount-targets" | "verifier";

/**
 * Seconds to wait before checking the verification's preparation again. Mount targets take about 60–90 s to
 * become available (EFS publishes no figure): the first check comes a minute after they were created, then
 * every 10 s. Lambda applies the verifier's new mount in seconds to about a minute (its UpdateFunctionConfiguration
 * reference: "If your function connects to a VPC, this process can take a minute"): checked every 10 s.
 */
export function prepareWaitSeconds(phase: PreparePhase, attempt: number): number {
  return phase === "mount-targets" && attempt === 0 ? 60 : 10;
}

/** `PercentDone` as a number: AWS sends a string ("42.50"), sometimes nothing. */
export function percentDone(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : undefined;
}
