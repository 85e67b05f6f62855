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
 * Seconds to wait before polling a restore job again: 15 s, doubling to at most 60 s. DescribeRestoreJob is
 * free and a poll costs four state transitions, while every second between the job's end and the next poll
 * adds to the measured RTO: a short cap keeps that overshoot under a minute.
 */
export function restorePollDelaySeconds(attempt: number): number {
  return Math.min(60, 15 * 2 ** Math.max(0, Math.min(attempt, 10)));
}

/** `PercentDone` as a number: AWS sends a string ("42.50"), sometimes nothing. */
export function percentDone(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : undefined;
}
