import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  combineVerifyResults,
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
 * (each of them, when the workspace and the runtime share the file system) against the manifest and the
 * recovery point's size. The recovery point's size is the whole file system's: it is compared with a runtime
 * tree only when that tree has the file system to itself.
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
    const bytes = point?.backupSizeBytes;
    const parts = [];
    for (const tree of trees) {
      const comparesBytes = trees.length === 1 && settings.compareRuntimeBytes && typeof bytes === "number";
      const runtime = tree.kind !== "runtime" ? undefined : comparesBytes ? { bytes } : expectations.runtime;
      const manifest = tree.kind === "workspace" ? expectations.manifest : undefined;
      const result = await verifyTree(
        join(mount, restoreRoot, tree.path),
        {
          sizeTolerancePercent: expectations.sizeTolerancePercent,
          ...(manifest ? { manifest } : {}),
          ...(runtime ? { runtime } : {}),
        },
        {
          onFile: (n) => {
            if (n % 1000 === 0) logger.info("verifying", { drillId, path: tree.path, filesVerified: n });
          },
        },
      );
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
