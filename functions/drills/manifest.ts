import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import {
  type DeployedManifest,
  deployedAfter,
  InvalidManifestError,
  type SoulManifest,
} from "@clawops/core/drills";
import { ManifestFormatError, parseManifest } from "@clawops/core/fleet";

/**
 * The deployed soul manifest, parsed as strictly as readiness parses it. A parameter that is not a manifest
 * (no `files`, a flat path → hash map, a hash that is not SHA-256) or lists no file would give the verifier
 * nothing to compare: `InvalidManifestError`. The parameter is a plain String (readiness reads it without
 * decryption too).
 */
export async function readManifest(name: string): Promise<DeployedManifest> {
  const { Parameter } = await client(SSMClient).send(new GetParameterCommand({ Name: name }));
  return manifestOf(name, Parameter ?? {});
}

/**
 * A deploy writes the soul documents before it updates the manifest parameter: a version written this long
 * after the backup completed may describe documents the backup read.
 */
export const MANIFEST_WRITE_MARGIN_MS = 5 * 60_000;

/** The manifests the restore of a recovery point is checked against. */
export interface ManifestsOfPoint {
  /** The version in force when the backup started (the point's CreationDate). */
  readonly manifest: DeployedManifest;
  /** Versions written while the backup read the files (a document matching any of them passes). */
  readonly manifestsDuringBackup: DeployedManifest[];
}

/**
 * The manifests the restore of a recovery point must match: the version in force when its backup started, the
 * newest whose LastModifiedDate is not after the point's CreationDate (ssm:GetParameterHistory), not the one
 * deployed now (a soul-document deploy between the backup and the drill changed the manifest, not the backup);
 * and every version written after that until `MANIFEST_WRITE_MARGIN_MS` after the backup completed, since an
 * EFS backup reads the files over that span and a deploy overlapping it leaves documents of either side.
 * `current` is the version in force when it is that old already, or when the history holds no version that old:
 * the verifier then reports the documents unverified instead of failing them as corrupt.
 */
export async function manifestsOfPoint(
  name: string,
  current: DeployedManifest,
  backup: { readonly creationDate: string; readonly completionDate?: string | null },
): Promise<ManifestsOfPoint> {
  if (!deployedAfter(current, backup.creationDate)) return { manifest: current, manifestsDuringBackup: [] };
  const started = Date.parse(backup.creationDate);
  const ended = Date.parse(backup.completionDate ?? backup.creationDate) + MANIFEST_WRITE_MARGIN_MS;
  type Version = { Version?: number; LastModifiedDate?: Date; Value?: string };
  let inForce: Version | undefined;
  const during: Version[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client(SSMClient).send(
      new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken }),
    );
    for (const version of page.Parameters ?? []) {
      const modified = version.LastModifiedDate?.getTime();
      if (modified === undefined || modified > ended) continue;
      if (modified > started) during.push(version);
      else if (!inForce || (version.Version ?? 0) > (inForce.Version ?? 0)) inForce = version;
    }
    NextToken = page.NextToken;
  } while (NextToken);
  if (!inForce) return { manifest: current, manifestsDuringBackup: [] };
  const manifest = manifestOf(name, inForce);
  const sameFiles = (a: DeployedManifest, b: DeployedManifest) =>
    JSON.stringify(Object.entries(a.files).sort()) === JSON.stringify(Object.entries(b.files).sort());
  const manifestsDuringBackup: DeployedManifest[] = [];
  for (const version of during.sort((a, b) => (a.Version ?? 0) - (b.Version ?? 0))) {
    const next = manifestOf(name, version);
    // Only distinct file lists travel in the state (Step Functions caps it at 256 KB).
    if (![manifest, ...manifestsDuringBackup].some((known) => sameFiles(known, next)))
      manifestsDuringBackup.push(next);
  }
  return { manifest, manifestsDuringBackup };
}

function manifestOf(
  name: string,
  parameter: { Value?: string; Version?: number; LastModifiedDate?: Date },
): DeployedManifest {
  const which = parameter.Version === undefined ? name : `${name} (version ${parameter.Version})`;
  let manifest: SoulManifest;
  try {
    manifest = parseManifest(parameter.Value ?? "");
  } catch (error) {
    if (!(error instanceof ManifestFormatError)) throw error;
    throw new InvalidManifestError(`the soul manifest ${which} is invalid: ${error.message}`, {
      cause: error,
    });
  }
  if (Object.keys(manifest.files).length === 0)
    throw new InvalidManifestError(
      `the soul manifest ${which} lists no file: the workspace's restore would be checked against nothing`,
    );
  return {
    files: manifest.files,
    ...(parameter.Version !== undefined ? { version: parameter.Version } : {}),
    ...(parameter.LastModifiedDate ? { deployedAt: parameter.LastModifiedDate.toISOString() } : {}),
  };
}
