import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { drillNow, findRestoreRoot, verifierFor, verifyTree } from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";

/** At most this many mismatches travel in the state (Step Functions caps a state at 256 KB). */
const MAX_MISMATCHES = 200;

/**
 * The verifier (its own Lambda, in the fleet's VPC, mounted through the drill's access point): finds the one
 * `aws-backup-restore_*` directory AWS Backup restored into, and verifies the fleet's data directory inside it
 * against the manifest and the recovery point's size.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, fileSystem, expectations, point } = branch;
    const settings = settingsOf(env);
    const mount = verifierFor(settings, fileSystem.fileSystemId).mountPath;
    const restoreRoot = findRestoreRoot(await readdir(mount, { withFileTypes: true }));
    const root = join(mount, restoreRoot, fileSystem.path);
    const bytes = point?.backupSizeBytes;
    const runtime =
      fileSystem.kind === "runtime" && settings.compareRuntimeBytes && typeof bytes === "number"
        ? { bytes }
        : undefined;
    const result = await verifyTree(
      root,
      { ...expectations, ...(runtime ? { runtime } : {}) },
      {
        onFile: (n) => {
          if (n % 1000 === 0) logger.info("verifying", { drillId, filesVerified: n });
        },
      },
    );
    logger.info("verified", {
      drillId,
      restoreRoot,
      filesVerified: result.filesVerified,
      mismatches: result.mismatches.length,
    });
    const verification = {
      ...result,
      mismatches: result.mismatches.slice(0, MAX_MISMATCHES),
      mismatchCount: result.mismatches.length,
      unverified: result.unverified.slice(0, MAX_MISMATCHES),
      verifiedAt: new Date(drillNow()).toISOString(),
    };
    return { ...branch, verification };
  },
});
