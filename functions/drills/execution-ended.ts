import { RetryableError } from "@clawops/core";
import {
  allVerifiers,
  CleanupRefusedError,
  executionRequest,
  keepsFileSystems,
  NotReadyError,
} from "@clawops/core/drills";
import { parseEvent } from "@clawops/core/events";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { cleanUpFileSystem, drillFileSystems } from "./file-systems.js";
import { fleetFileSystemIds, settingsOf } from "./settings.js";
import { detachVerifier, releaseVerifier } from "./verifier-lock.js";

const ExecutionEndedSchema = z.looseObject({
  detail: z.looseObject({
    name: z.string(),
    status: z.string(),
    executionArn: z.optional(z.string()),
    /** The execution input as a JSON string; AWS leaves it out (or null) when it is over 256 KB. */
    input: z.optional(z.nullable(z.string())),
  }),
});

/**
 * A drill execution ended without its own cleanup (stopped, timed out, failed): cleans up everything tagged
 * with its drill id (the execution name) by this stage: first detaches the verifiers its branches hold and
 * releases their locks, then removes its file systems. A drill started with `--keep` (or a restore-testing
 * validation, whose file system is AWS's) keeps its file systems, as its own cleanup would: only their access
 * points and mount targets go. Mount targets take a while to go, and a verifier still applying the drill's
 * mount cannot be detached yet, so it asks Lambda to retry until both are done; file systems that still remain,
 * the sweeper removes, and a verifier lock still held expires for the next drill, whose attach replaces the mount.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: (event) => parseEvent(ExecutionEndedSchema, event),
  handler: async ({ detail }, { env, logger }) => {
    const settings = settingsOf(env);
    const drill = {
      drillId: detail.name,
      stage: env.stage,
      fleetFileSystemIds: fleetFileSystemIds(settings),
    };
    const started = executionRequest(detail.input);
    if (started.unreadable)
      logger.warn("drill request unreadable: its file systems are not kept", {
        drillId: drill.drillId,
        reason: started.unreadable,
      });
    const keepFileSystem = keepsFileSystems(started.request);
    const waiting: string[] = [];
    if (env.stateTable)
      for (const { functionName } of allVerifiers(settings)) {
        try {
          await releaseVerifier(env.stateTable, functionName, drill, () => detachVerifier(functionName));
        } catch (error) {
          if (!(error instanceof NotReadyError)) throw error;
          waiting.push(functionName);
        }
      }
    for (const fs of await drillFileSystems(drill, drill.fleetFileSystemIds)) {
      try {
        // A kept file system needs no wait: its mount targets' deletion is under way.
        await cleanUpFileSystem(fs.FileSystemId ?? "", drill, {
          keepFileSystem,
          waitForDeletion: !keepFileSystem,
        });
      } catch (error) {
        if (error instanceof CleanupRefusedError) throw error;
        if (!(error instanceof NotReadyError)) throw error;
        waiting.push(fs.FileSystemId ?? "");
      }
    }
    logger.info("ended drill cleaned up", {
      drillId: drill.drillId,
      status: detail.status,
      keepFileSystem,
      waiting,
    });
    if (waiting.length > 0)
      throw new RetryableError(`${waiting.join(", ")} still being detached or deleted; retrying`);
    return { drillId: drill.drillId, keepFileSystem, waiting };
  },
});
