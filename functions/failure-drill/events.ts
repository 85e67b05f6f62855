import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { RetryableError } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { type ClawopsDetailType, EventSource } from "@clawops/core/events";

/** Puts one clawops event on the bus (the alerts path posts it); a refused entry is retryable. */
export async function putClawopsEvent(
  bus: string,
  detailType: ClawopsDetailType,
  detail: unknown,
): Promise<void> {
  const { FailedEntryCount, Entries } = await client(EventBridgeClient).send(
    new PutEventsCommand({
      Entries: [
        {
          Source: EventSource.Clawops,
          EventBusName: bus,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (FailedEntryCount)
    throw new RetryableError(`PutEvents refused ${detailType}: ${Entries?.[0]?.ErrorCode}`);
}
