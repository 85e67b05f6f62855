import { type AlertEvent, isAlarmEvent, parseAlertEvent } from "./alert.js";
import { formatTime } from "./format.js";
import { type AlarmThread, alarmTransition } from "./thread.js";

/**
 * What `clawops alerts replay` asks the router to do: post one dead-lettered alert again. The CLI reads
 * the dead-letter queue and invokes the router with this; the router renders and posts with its own token,
 * which no other principal may read (the secret's resource policy).
 * @example { "replay": { "event": { "source": "aws.cloudwatch", ... }, "reason": "AlertDeliveryError: invalid_auth" } }
 */
export interface AlertReplayRequest {
  readonly replay: {
    readonly event: AlertEvent;
    /** Why it was dead-lettered (logged with the replay). */
    readonly reason?: string;
    /** When its delivery first failed (ISO 8601), shown on the replayed message. */
    readonly failedAt?: string;
  };
}

/**
 * True for the router's input from `clawops alerts replay` (an EventBridge event has no `replay` key). It
 * looks at the shape only: `parseRouterInput` validates.
 */
export function isAlertReplayRequest(input: unknown): input is AlertReplayRequest {
  return typeof input === "object" && input !== null && "replay" in input && !("source" in input);
}

/** Parses the router's input: an EventBridge alert event, or a replay request of one. */
export function parseRouterInput(input: unknown): AlertEvent | AlertReplayRequest {
  if (!isAlertReplayRequest(input)) return parseAlertEvent(input);
  const { event, reason, failedAt } = ((input as { replay?: unknown }).replay ?? {}) as {
    event?: unknown;
    reason?: unknown;
    failedAt?: unknown;
  };
  return {
    replay: {
      event: parseAlertEvent(event),
      ...(typeof reason === "string" ? { reason } : {}),
      ...(typeof failedAt === "string" ? { failedAt } : {}),
    },
  };
}

/** One message of the dead-letter queue as received: its body and its message attributes. */
export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, { readonly StringValue?: string } | undefined>>;
  /** SQS's `SentTimestamp` system attribute (epoch ms, as a string): when the message was dead-lettered. */
  readonly sentTimestamp?: string;
}

/**
 * The alert a dead-letter queue message carries, or undefined when it is not an alert (another flow's).
 * Two writers use the queue: clawops' own records (`DeadLetterRecord`: the event under `event`, the reason
 * under `reason`), and Lambda itself, which after its async retries puts the invocation's event there as it
 * was, with the error in the `ErrorMessage` message attribute.
 */
export function deadLetteredAlert(message: DeadLetterMessage): AlertReplayRequest["replay"] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return undefined; // Not JSON: nothing clawops wrote or Lambda forwarded from EventBridge.
  }
  const record = body as { event?: unknown; reason?: unknown } | null;
  const enveloped = typeof record === "object" && record !== null && "event" in record && "reason" in record;
  const reason = enveloped ? record.reason : message.attributes?.ErrorMessage?.StringValue;
  const failedAt = enveloped
    ? (record as { failedAt?: unknown }).failedAt
    : message.sentTimestamp && new Date(Number(message.sentTimestamp)).toISOString();
  try {
    const event = parseAlertEvent(enveloped ? record.event : body);
    return {
      event,
      ...(typeof reason === "string" ? { reason } : {}),
      ...(typeof failedAt === "string" && failedAt ? { failedAt } : {}),
    };
  } catch {
    return undefined; // Not an alert event (another flow's failure): not ours to replay.
  }
}

/**
 * True for an `AlertDeliveryFailed` announcement: replay drops it unposted. It announced an alert that the
 * same replay delivers (or that is gone from the queue): posting it would page about a problem just fixed.
 */
export function isDeliveryFailedAnnouncement(event: AlertEvent): boolean {
  return !isAlarmEvent(event) && event["detail-type"] === "AlertDeliveryFailed";
}

/**
 * True when replaying an alarm transition would post stale news: the alarm's thread state has handled a
 * newer transition since (its OK, say), so the replayed ALARM would be the channel's latest word on it.
 */
export function isSupersededReplay(event: AlertEvent, thread: AlarmThread | undefined): boolean {
  if (!isAlarmEvent(event) || !thread) return false;
  const { detail } = event;
  return alarmTransition(detail.state, detail.previousState, event.time).at < thread.lastStateAt;
}

/** The line a replayed alert carries, so no one takes it for news: when its delivery first failed. */
export function replayNote(failedAt: string | undefined): string {
  return failedAt
    ? `Replayed from the dead-letter queue; first failed at ${formatTime(failedAt)}.`
    : "Replayed from the dead-letter queue.";
}
