/** The fields of a recovery point (as `ListRecoveryPointsByResource` returns it) a drill reads. */
export interface RecoveryPointSummary {
  readonly RecoveryPointArn?: string;
  readonly CreationDate?: Date | string;
  readonly Status?: string;
  readonly BackupSizeBytes?: number;
  readonly BackupVaultName?: string;
}

/** The recovery point a drill restores. */
export interface ChosenRecoveryPoint {
  readonly recoveryPointArn: string;
  /** ISO 8601. */
  readonly creationDate: string;
  readonly backupSizeBytes: number | undefined;
}

/**
 * The newest COMPLETED recovery point in the fleet's vault, or `undefined`. `ListRecoveryPointsByResource`
 * lists the resource's points in every vault (copies in other vaults too, which the drill's restore role and
 * key may not reach), in no promised order, with PARTIAL, EXPIRED and in-progress points: this keeps the
 * vault's COMPLETED ones and sorts by `CreationDate` itself.
 */
export function pickRecoveryPoint(
  points: readonly RecoveryPointSummary[],
  options: { readonly vaultName: string },
): ChosenRecoveryPoint | undefined {
  let best: { arn: string; at: number; size: number | undefined } | undefined;
  for (const point of points) {
    if (point.BackupVaultName !== options.vaultName) continue;
    if (point.Status !== "COMPLETED" || !point.RecoveryPointArn || point.CreationDate === undefined) continue;
    const at = new Date(point.CreationDate).getTime();
    if (Number.isNaN(at)) continue;
    if (!best || at > best.at) best = { arn: point.RecoveryPointArn, at, size: point.BackupSizeBytes };
  }
  if (!best) return undefined;
  return {
    recoveryPointArn: best.arn,
    creationDate: new Date(best.at).toISOString(),
    backupSizeBytes: best.size,
  };
}
