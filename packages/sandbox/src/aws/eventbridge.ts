import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Entry = Record<string, unknown>;

/**
 * EventBridge PutEvents onto the local bus. Entries are checked the way EventBridge checks them: an entry
 * with no Source, DetailType or Detail, or a Detail that is not a JSON object, fails on its own
 * (`FailedEntryCount`), the others are delivered.
 */
export function eventBridgeModel(world: SandboxWorld): ServiceModel {
  return {
    service: "EventBridge",
    commands: {
      PutEvents(input) {
        const entries = (input.Entries as Entry[] | undefined) ?? [];
        if (entries.length === 0 || entries.length > 10)
          throw awsError(
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
          );
        let failed = 0;
        const results = entries.map((entry) => {
          const detail = parseDetail(entry.Detail);
          if (!entry.Source || !entry.DetailType || !detail) {
            failed += 1;
            return detail
              ? {
                  ErrorCode: "InvalidArgument",
                  ErrorMessage: "Parameter(s) Source or DetailType is not valid.",
                }
              : { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
          }
          const event = world.publish({
            source: String(entry.Source),
            "detail-type": String(entry.DetailType),
            detail,
            resources: (entry.Resources as string[] | undefined) ?? [],
            ...(entry.Time instanceof Date ? { time: `${entry.Time.toISOString().slice(0, 19)}Z` } : {}),
          });
          return { EventId: event.id };
        });
        return { FailedEntryCount: failed, Entries: results };
      },
    },
  };
}

function parseDetail(detail: unknown): Record<string, unknown> | undefined {
  if (typeof detail !== "string") return undefined;
  try {
    const parsed = JSON.parse(detail) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
