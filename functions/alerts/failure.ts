import { type ClawopsEnvironment, RetryableError } from "@clawops/core";
import { type Alert, type AlertDeliveryError, alertSubject } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import { ClawopsDetailType, clawopsEventEntry, refusedEntries } from "@clawops/core/events";
import { type DeadLetterRecord, sendToDeadLetterQueue } from "@clawops/core/handler";
import type { DeadLetteredRecord } from "./state.js";

/** What the DLQ record of an undelivered alert carries besides the event: enough to re-send it. */
export interface AlertDeadLetterExtra extends Record<string, unknown> {
  readonly kind: "alert";
  readonly alertKey: string;
  readonly channel: string;
  /** The rendered Slack message (text, blocks, colour) that did not get through. */
  readonly message?: unknown;
  readonly permanent: boolean;
}

/**
 * An alert that Slack would not take goes to the dead-letter queue with its reason, the channel and the
 * rendered message, and clawops publishes `AlertDeliveryFailed` so the failure is itself announced (and
 * the DLQ depth alarm reaches the fallback topic). An `AlertDeliveryFailed` that fails is only
 * dead-lettered: announcing it would loop. An announcement PutEvents refuses throws `RetryableError`, and
 * Lambda retries the event: the record is sent once per event (`claim` says whether an earlier try sent
 * it, `noteDeadLettered` records that this one did, with the failure to announce), so a replay posts the
 * alert once.
 */
export async function reportDeliveryFailure(
  alert: Alert,
  error: AlertDeliveryError,
  functionName: string,
  env: ClawopsEnvironment,
  claim: {
    readonly deadLettered?: boolean;
    readonly noteDeadLettered?: (failure: DeadLetteredRecord) => Promise<void>;
  } = {},
): Promise<DeadLetterRecord> {
  const alertKey = alertSubject(alert);
  const extra: AlertDeadLetterExtra = {
    kind: "alert",
    alertKey,
    channel: error.channel,
    permanent: error.permanent,
    ...(error.rendered ? { message: error.rendered } : {}),
  };
  const record: DeadLetterRecord = {
    reason: `${error.name}: ${error.reason}`,
    errorName: error.name,
    functionName,
    failedAt: new Date().toISOString(),
    event: alert.event,
    extra,
  };
  if (!claim.deadLettered) {
    await sendToDeadLetterQueue(record, env);
    await claim.noteDeadLettered?.({ channel: error.channel, reason: error.reason });
  }
  await announceDeliveryFailure(alert, { channel: error.channel, reason: error.reason }, env);
  return record;
}

/**
 * Publishes `AlertDeliveryFailed` for an alert whose record is in the dead-letter queue (not for an
 * `AlertDeliveryFailed` itself: that would loop). Throws `RetryableError` when PutEvents refuses it.
 */
export async function announceDeliveryFailure(
  alert: Alert,
  failure: DeadLetteredRecord,
  env: ClawopsEnvironment,
): Promise<void> {
  if (alert.kind === "clawops" && alert.event["detail-type"] === "AlertDeliveryFailed") return;
  const { EventBridgeClient, PutEventsCommand } = await import("./eventbridge.js");
  const refused = refusedEntries(
    await client(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: [
          clawopsEventEntry(env, ClawopsDetailType.AlertDeliveryFailed, {
            alertKey: alertSubject(alert),
            channel: failure.channel,
            reason: failure.reason,
          }),
        ],
      }),
    ),
  );
  // PutEvents answers 200 with the entry refused (throttled, AWS-side failure): the announcement would be lost
  // without a trace. Lambda's retry of the event tries the delivery, and its announcement, again (the
  // record already in the queue is not sent again).
  if (refused)
    throw new RetryableError(`PutEvents refused ${ClawopsDetailType.AlertDeliveryFailed}: ${refused}`);
}
