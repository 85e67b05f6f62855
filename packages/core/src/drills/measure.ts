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
 * Seconds to wait before polling a restore job again: 30 s, doubling to at most 300 s. AWS's restore
 * events arrive about every five minutes, so polling faster than that only matters early on.
 */
export function restorePollDelaySeconds(attempt: number): number {
  return Math.min(300, 30 * 2 ** Math.max(0, Math.min(attempt, 10)));
}

/** `PercentDone` as a number: AWS sends a string ("42.50"), sometimes nothing. */
export function percentDone(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : undefined;
}
