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
import { releaseVerifier } from "./verifier-lock.js";

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
 * with its drill id (the execution name) by this stage. A drill started with `--keep` (or a restore-testing
 * validation, whose file system is AWS's) keeps its file systems, as its own cleanup would: only their access
 * points and mount targets go. Mount targets take a while to go, so it asks Lambda to retry until the file
 * systems to delete are gone; what still remains, the sweeper removes.
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
    if (env.stateTable)
      for (const { functionName } of allVerifiers(settings))
        await releaseVerifier(env.stateTable, functionName, drill, async () => undefined);
    const waiting: string[] = [];
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
    if (waiting.length > 0) throw new RetryableError(`mount targets of ${waiting.join(", ")} still deleting`);
    return { drillId: drill.drillId, keepFileSystem, waiting };
  },
});
