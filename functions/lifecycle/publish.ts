import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { RetryableError } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { ClawopsDetailType, EventSource } from "@clawops/core/events";
import { lambdaHandler } from "@clawops/core/handler";
import { abandonReason, drainFailedDetail, lifecycleAbandonedDetail } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { PublishInputSchema } from "./task-input.js";

/**
 * Publish task: the clawops event a lifecycle flow ends with when it could not do its job: `LifecycleAbandoned`
 * (launch gate, with the last probe: the gate ABANDONed the launch, or the hook expired under it) or
 * `DrainFailed` (terminate drain). The alerts path posts them.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(PublishInputSchema, event),
  handler: async ({ action, gate, drain, error }, { env, logger }) => {
    const caught = error ? `${error.Error}: ${error.Cause ?? ""}`.trim() : undefined;
    const entry =
      action.transition === "launch"
        ? {
            DetailType: ClawopsDetailType.LifecycleAbandoned,
            Detail: lifecycleAbandonedDetail(action, gate, abandonReason(error, gate)),
          }
        : {
            DetailType: ClawopsDetailType.DrainFailed,
            Detail: drainFailedDetail(action, caught ?? drain?.reason ?? "drain failed", drain?.commandId),
          };
    const { FailedEntryCount, Entries } = await client(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EventSource.Clawops,
            EventBusName: env.eventBusName,
            DetailType: entry.DetailType,
            Detail: JSON.stringify(entry.Detail),
          },
        ],
      }),
    );
    if (FailedEntryCount)
      throw new RetryableError(`PutEvents refused ${entry.DetailType}: ${Entries?.[0]?.ErrorCode}`);
    logger.info("lifecycle event published", { detailType: entry.DetailType, instanceId: action.instanceId });
    return { published: entry.DetailType };
  },
});
