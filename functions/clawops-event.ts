import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { RetryableError } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { type ClawopsDetailType, clawopsEventEntry, refusedEntries } from "@clawops/core/events";

/**
 * Puts one clawops event on the bus (the alerts path posts it). PutEvents answers 200 with an entry refused
 * (throttled, an AWS-side failure): that is a RetryableError, retried by the caller's workflow or Lambda.
 */
export async function putClawopsEvent(
  where: { readonly stage: string; readonly eventBusName: string },
  detailType: ClawopsDetailType,
  detail: object,
): Promise<void> {
  const refused = refusedEntries(
    await client(EventBridgeClient).send(
      new PutEventsCommand({ Entries: [clawopsEventEntry(where, detailType, detail)] }),
    ),
  );
  if (refused) throw new RetryableError(`PutEvents refused ${detailType}: ${refused}`);
}
