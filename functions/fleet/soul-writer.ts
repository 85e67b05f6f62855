import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  manifestOf,
  planSoulWrite,
  readSoulDocuments,
  requestedDocuments,
  SOUL_DOCUMENTS_RESOURCE_ID,
  SoulWriteRequestSchema,
} from "@clawops/core/fleet";
import { lambdaHandler } from "@clawops/core/handler";

/** Where the workspace access point is mounted in this function (Lambda requires a path under /mnt). */
export const WORKSPACE_MOUNT_PATH = "/mnt/workspace";

/**
 * Deploy-time custom resource: the only writer of the workspace. It makes the workspace at `root` hold exactly
 * the soul documents of the operator's git checkout, writing each changed file atomically (temp file + rename,
 * so an instance never reads half a document), and answers how many documents the workspace holds.
 */
export const soulWriter = (root: string) =>
  lambdaHandler({
    kind: "task",
    parse: (event) => SoulWriteRequestSchema.parse(event),
    handler: async (request, { logger }) => {
      const present = manifestOf(readSoulDocuments(root, { allowEmpty: true }));
      const plan = planSoulWrite(request, present);
      const documents = requestedDocuments(request);
      for (const path of plan.write) {
        const target = join(root, path);
        mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
        const temporary = join(dirname(target), `.${randomUUID()}.tmp`);
        writeFileSync(temporary, documents[path]!, { mode: 0o444 });
        renameSync(temporary, target);
      }
      for (const path of plan.remove) rmSync(join(root, path), { force: true });
      logger.info("soul documents written", { requestType: request.RequestType, ...plan });
      return {
        PhysicalResourceId: SOUL_DOCUMENTS_RESOURCE_ID,
        Data: { Documents: Object.keys(plan.manifest.files).length },
      };
    },
  });

/** The deployed handler, writing to the mounted workspace access point. */
export const handler = soulWriter(WORKSPACE_MOUNT_PATH);
