import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  combineVerifyResults,
  deployedAfter,
  drillNow,
  findRestoreRoot,
  verifierFor,
  verifyTree,
} from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";

/** At most this many mismatches travel in the state (Step Functions caps a state at 256 KB). */
const MAX_MISMATCHES = 200;

/**
 * The verifier (its own Lambda, in the fleet's VPC, mounted through the drill's access point): finds the one
 * `aws-backup-restore_*` directory AWS Backup restored into, and verifies the fleet's data directory inside it
 * (each of them, when the workspace and the runtime share the file system) against the manifest. The runtime's
 * file count and bytes are reported as figures, never compared with the recovery point's BackupSizeBytes: for
 * EFS that is the delta its incremental backup transferred, not the file system's size.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, fileSystem, expectations, point } = branch;
    const settings = settingsOf(env);
    const mount = verifierFor(settings, fileSystem.fileSystemId).mountPath;
    const restoreRoot = findRestoreRoot(await readdir(mount, { withFileTypes: true }));
    const trees = branch.trees ?? [fileSystem];
    const parts = [];
    for (const tree of trees) {
      const runtime = tree.kind === "runtime" ? expectations.runtime : undefined;
      const manifest = tree.kind === "workspace" ? expectations.manifest : undefined;
      // A manifest deployed after the point lists documents the backup cannot hold: not compared, and said so.
      const tooNew = manifest && point && deployedAfter(manifest, point.creationDate);
      const checked = await verifyTree(
        join(mount, restoreRoot, tree.path),
        {
          sizeTolerancePercent: expectations.sizeTolerancePercent,
          ...(manifest && !tooNew
            ? { manifest, manifestsDuringBackup: expectations.manifestsDuringBackup ?? [] }
            : {}),
          ...(runtime ? { runtime } : {}),
        },
        {
          directory: tree.path,
          onFile: (n) => {
            if (n % 1000 === 0) logger.info("verifying", { drillId, path: tree.path, filesVerified: n });
          },
        },
      );
      const result =
        manifest && point && tooNew
          ? {
              ...checked,
              unverified: [
                ...checked.unverified,
                {
                  path: ".",
                  reason: `soul documents not compared: the manifest ${settings.manifestParameterName} (version ${manifest.version ?? "?"}) was deployed at ${manifest.deployedAt}, after the recovery point was created (${point.creationDate}), and its history holds no version in force then`,
                },
              ],
            }
          : checked;
      parts.push({ directory: tree.path, result });
    }
    const result = combineVerifyResults(parts);
    logger.info("verified", {
      drillId,
      restoreRoot,
      filesVerified: result.filesVerified,
      mismatches: result.mismatches.length,
      unverified: result.unverified.length,
    });
    const verification = {
      ...result,
      mismatches: result.mismatches.slice(0, MAX_MISMATCHES),
      mismatchCount: result.mismatches.length,
      unverified: result.unverified.slice(0, MAX_MISMATCHES),
      unverifiedCount: result.unverified.length,
      verifiedAt: new Date(drillNow()).toISOString(),
    };
    return { ...branch, verification };
  },
});
