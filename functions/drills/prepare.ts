import {
  DrillTimeoutError,
  drillNow,
  type PreparePhase,
  prepareWaitSeconds,
  VerifierBusyError,
  verifierFor,
} from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { ensureAccessPoint, ensureMountTargets } from "./mounts.js";
import { settingsOf } from "./settings.js";
import { parseBranch } from "./task-input.js";
import { acquireVerifier, attachVerifier } from "./verifier-lock.js";

/**
 * PrepareVerification task, called until it answers `ready`: a restored file system has no mount targets, so
 * it creates one in each of the verifier's subnets and an access point (tagged as the drill's), waits for
 * them to be available (Lambda refuses a file system whose mount targets are not), takes the lock of this
 * file system's verifier and points the verifier's mount at the access point. `waitSeconds` says when to
 * look again (`prepareWaitSeconds`). It also runs while the restore is still RUNNING (PrepareWhileRestoring, once
 * PollRestore has found the new file system), so that all of this overlaps the restore; the lock is then
 * taken only if free, and is taken again (its lease renewed) once the restore has completed.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: parseBranch,
  handler: async (branch, { env, logger }) => {
    const { drillId, restore, fileSystem, deadline, verifySeconds, mount } = branch;
    const settings = settingsOf(env);
    const verifier = verifierFor(settings, fileSystem.fileSystemId);
    const fileSystemId = restore?.restoredFileSystemId;
    if (!fileSystemId) throw new Error("PrepareVerification needs the restored file system");
    const restoring = restore?.status !== "COMPLETED";
    if (drillNow() > Date.parse(deadline))
      throw new DrillTimeoutError(`mount targets not ready by ${deadline}`, { drillId });
    const mountTargets = await ensureMountTargets(
      fileSystemId,
      settings.verifier.subnetIds,
      settings.verifier.mountTargetSecurityGroupIds,
    );
    const accessPoint = await ensureAccessPoint(
      fileSystemId,
      { drillId, stage: env.stage },
      fileSystem.fileSystemId,
    );
    const accessPointArn = accessPoint.AccessPointArn ?? "";
    const available =
      mountTargets.length > 0 && mountTargets.every((mt) => mt.LifeCycleState === "available");
    const phase: PreparePhase =
      available && accessPoint.LifeCycleState === "available" ? "verifier" : "mount-targets";
    let ready = false;
    if (phase === "verifier") {
      if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
      try {
        await acquireVerifier(
          env.stateTable,
          verifier.functionName,
          { drillId, sourceFileSystemId: fileSystem.fileSystemId },
          verifySeconds + 900,
        );
        ready = await attachVerifier(verifier.functionName, accessPointArn, verifier.mountPath, drillId);
      } catch (error) {
        // While the restore runs, a verifier another drill holds is not waited for: the poll goes on, and
        // PrepareVerification takes it (or waits for it) once the restore has completed.
        if (!(restoring && error instanceof VerifierBusyError)) throw error;
      }
    }
    const attempt = mount?.phase === phase ? (mount.attempt ?? 0) + 1 : 0;
    logger.info("verification prepared", {
      drillId,
      fileSystemId,
      mountTargets: mountTargets.length,
      phase,
      ready,
    });
    return {
      ...branch,
      mount: {
        ready,
        accessPointId: accessPoint.AccessPointId,
        accessPointArn,
        phase,
        attempt,
        waitSeconds: prepareWaitSeconds(phase, attempt),
      },
    };
  },
});
