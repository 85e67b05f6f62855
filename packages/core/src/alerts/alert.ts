import * as z from "zod/mini";
import type { Severity } from "../config/index.js";
// The event modules, not the events barrel: the barrel would bring every other event's zod schemas (built at
// import time) into the router's bundle.
import { type AlarmStateChangeEvent, AlarmStateChangeEventSchema } from "../events/alarm.js";
import { type ClawopsEvent, ClawopsEventSchema } from "../events/clawops.js";
import { parseEvent } from "../events/parse-event.js";

/**
 * One thing to tell Slack about: a CloudWatch alarm state change (with the alarm's tags, which the router
 * looks up) or one of clawops' own events.
 */
export type Alert =
  | {
      readonly kind: "alarm";
      readonly event: AlarmStateChangeEvent;
      readonly tags: Readonly<Record<string, string>>;
    }
  | { readonly kind: "clawops"; readonly event: ClawopsEvent };

/** Either event the router accepts. */
export const AlertEventSchema = z.union([AlarmStateChangeEventSchema, ClawopsEventSchema]);

/** An event the router accepts. */
export type AlertEvent = AlarmStateChangeEvent | ClawopsEvent;

/**
 * Parses an EventBridge event for the router; throws `EventValidationError` naming the bad fields. The
 * schema is chosen by `source` first: a broken alarm event is judged as an alarm event (its own bad fields),
 * not as the union's closest alternative (which could be a clawops event and name only its `detail-type`).
 */
export function parseAlertEvent(input: unknown): AlertEvent {
  const source = (input as { source?: unknown } | null)?.source;
  if (source === "aws.cloudwatch") return parseEvent(AlarmStateChangeEventSchema, input);
  if (source === "clawops") return parseEvent(ClawopsEventSchema, input);
  return parseEvent(AlertEventSchema, input) as AlertEvent;
}

/** True for a CloudWatch alarm state change. */
export function isAlarmEvent(event: AlertEvent): event is AlarmStateChangeEvent {
  return event.source === "aws.cloudwatch";
}

/** The alert for an event; `tags` are the alarm's tags (empty for clawops events). */
export function toAlert(event: AlertEvent, tags: Readonly<Record<string, string>> = {}): Alert {
  return isAlarmEvent(event) ? { kind: "alarm", event, tags } : { kind: "clawops", event };
}

/**
 * The idempotency key: EventBridge's event id, which stays the same when EventBridge (or Lambda's async
 * retry) delivers the same event twice.
 */
export function dedupKey(alert: Alert): string {
  return alert.event.id;
}

/** A human-readable key naming what the alert is about (used in AlertDeliveryFailed and logs). */
export function alertSubject(alert: Alert): string {
  if (alert.kind === "alarm") {
    const { detail } = alert.event;
    return `alarm:${detail.alarmName}:${detail.state.timestamp ?? alert.event.time}`;
  }
  return `${alert.event["detail-type"]}:${alert.event.id}`;
}

/** Where an alert goes, with what severity, and whom it mentions. */
export interface AlertRoute {
  readonly channel: string;
  readonly severity: Severity;
  /** Configured mention (`<!subteam^S0123>`), set only for problems, never for recoveries. */
  readonly mention?: string;
}
