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
 * The manifest the restore of a recovery point created at `pointCreatedAt` must match: the version in force
 * then, the newest whose LastModifiedDate is not after it (ssm:GetParameterHistory), not the one deployed now
 * (a soul-document deploy between the backup and the drill changed the manifest, not the backup). `current`
 * is returned as it is when it is that old already, or when the history holds no version that old: the
 * verifier then reports the documents unverified instead of failing them as corrupt.
 */
export async function manifestInForceAt(
  name: string,
  current: DeployedManifest,
  pointCreatedAt: string,
): Promise<DeployedManifest> {
  const at = Date.parse(pointCreatedAt);
  if (!deployedAfter(current, pointCreatedAt)) return current;
  let newest: { Version?: number; LastModifiedDate?: Date; Value?: string } | undefined;
  let NextToken: string | undefined;
  do {
    const page = await client(SSMClient).send(
      new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken }),
    );
    for (const version of page.Parameters ?? []) {
      const modified = version.LastModifiedDate?.getTime();
      if (modified === undefined || modified > at) continue;
      if (!newest || (version.Version ?? 0) > (newest.Version ?? 0)) newest = version;
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return newest ? manifestOf(name, newest) : current;
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
