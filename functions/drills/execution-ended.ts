import { RetryableError } from "@clawops/core";
import { allVerifiers, CleanupRefusedError, NotReadyError } from "@clawops/core/drills";
import { parseEvent } from "@clawops/core/events";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { cleanUpFileSystem, drillFileSystems } from "./file-systems.js";
import { fleetFileSystemIds, settingsOf } from "./settings.js";
import { releaseVerifier } from "./verifier-lock.js";

const ExecutionEndedSchema = z.looseObject({
  detail: z.looseObject({ name: z.string(), status: z.string(), executionArn: z.optional(z.string()) }),
});

/**
 * A drill execution ended without its own cleanup (stopped, timed out): cleans up everything tagged with its
 * drill id (the execution name). Mount targets take a while to go, so it asks Lambda to retry until the file
 * systems are gone; what still remains, the sweeper removes.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: (event) => parseEvent(ExecutionEndedSchema, event),
  handler: async ({ detail }, { env, logger }) => {
    const settings = settingsOf(env);
    const drill = { drillId: detail.name, fleetFileSystemIds: fleetFileSystemIds(settings) };
    if (env.stateTable)
      for (const { functionName } of allVerifiers(settings))
        await releaseVerifier(env.stateTable, functionName, drill, async () => undefined);
    const waiting: string[] = [];
    for (const fs of await drillFileSystems(drill.drillId, drill.fleetFileSystemIds)) {
      try {
        await cleanUpFileSystem(fs.FileSystemId ?? "", drill, { keepFileSystem: false });
      } catch (error) {
        if (error instanceof CleanupRefusedError) throw error;
        if (!(error instanceof NotReadyError)) throw error;
        waiting.push(fs.FileSystemId ?? "");
      }
    }
    logger.info("ended drill cleaned up", { drillId: drill.drillId, status: detail.status, waiting });
    if (waiting.length > 0) throw new RetryableError(`mount targets of ${waiting.join(", ")} still deleting`);
    return { drillId: drill.drillId, waiting };
  },
});
