import type { AlarmStateValue } from "../events/index.js";
import { parseAwsTime } from "./format.js";

/**
 * What the state table remembers about one alarm: its last handled transition and, while a problem is
 * open, the Slack thread (channel + parent `ts`) that its later transitions reply in.
 */
export interface AlarmThread {
  readonly alarmName: string;
  /** The channel id Slack answered for the parent (`chat.update` and uploads take ids, not names). */
  readonly channel: string;
  /** Parent message of the thread; absent when the alarm was never posted as a thread. */
  readonly ts?: string;
  /** When the ALARM that opened the thread started (ms). */
  readonly openedAt?: number;
  /** AWS's reason for the ALARM that opened the thread (shown again on the resolved parent). */
  readonly openReason?: string;
  readonly severity?: string;
  readonly lastState: AlarmStateValue;
  /** State timestamp of the last handled transition (ms): older transitions are stale. */
  readonly lastStateAt: number;
  readonly resolved: boolean;
  /** The thread is a storm's group message, not this alarm's own: do not rewrite its parent. */
  readonly grouped?: boolean;
  /**
   * The storm window whose group message lists the alarm (`channel` as routed: the window's key), so its
   * recovery updates the alarm's line there.
   */
  readonly stormWindow?: { readonly channel: string; readonly windowStart: number };
}

/** One alarm transition as the thread decision sees it. */
export interface AlarmTransition {
  readonly state: AlarmStateValue;
  readonly previous: AlarmStateValue;
  /** State timestamp (ms). */
  readonly at: number;
}

/** What to do in Slack for a transition. */
export type ThreadDecision =
  | { readonly action: "open" }
  | { readonly action: "reply"; readonly thread: AlarmThread }
  | { readonly action: "resolve"; readonly thread: AlarmThread; readonly durationMs: number }
  | { readonly action: "post" }
  /** Its line in the storm group message that lists it (with no thread of its own) shows the new state. */
  | { readonly action: "show-in-group"; readonly thread: AlarmThread }
  | { readonly action: "skip"; readonly reason: string };

/** The transition of an alarm event (`time` of the event when the state has no timestamp). */
export function alarmTransition(
  state: { value: AlarmStateValue; timestamp?: string },
  previous: { value: AlarmStateValue },
  eventTime: string,
): AlarmTransition {
  return {
    state: state.value,
    previous: previous.value,
    at: parseAwsTime(state.timestamp) ?? parseAwsTime(eventTime) ?? 0,
  };
}

function isOpen(thread: AlarmThread | undefined): thread is AlarmThread & { ts: string } {
  return thread?.ts !== undefined && !thread.resolved;
}

/**
 * Thread rules: ALARM opens a thread (or replies in the open one); INSUFFICIENT_DATA replies in an open
 * thread, else posts on its own; OK resolves an open thread (the parent is updated with the duration and a
 * reply says so), posts on its own when it follows an ALARM whose thread is gone, updates the line of a
 * storm's group message that lists the alarm without a thread when it follows that grouped
 * INSUFFICIENT_DATA (its previous state is the last one handled), and is skipped otherwise.
 * A transition older than (or as old as) the last one handled is stale: EventBridge does not keep order.
 */
export function decideThread(transition: AlarmTransition, thread: AlarmThread | undefined): ThreadDecision {
  if (thread && transition.at <= thread.lastStateAt) {
    return { action: "skip", reason: "stale: a newer transition of this alarm was already handled" };
  }
  switch (transition.state) {
    case "ALARM":
      return isOpen(thread) ? { action: "reply", thread } : { action: "open" };
    case "INSUFFICIENT_DATA":
      return isOpen(thread) ? { action: "reply", thread } : { action: "post" };
    case "OK":
      if (isOpen(thread)) {
        return { action: "resolve", thread, durationMs: transition.at - (thread.openedAt ?? transition.at) };
      }
      // Only when the group's line is the alarm's latest word: an ALARM handled (or lost) since is not there.
      if (
        thread?.stormWindow &&
        thread.lastState === "INSUFFICIENT_DATA" &&
        transition.previous === thread.lastState
      )
        return { action: "show-in-group", thread };
      return transition.previous === "ALARM"
        ? { action: "post" }
        : { action: "skip", reason: "nothing to resolve: the alarm was not in ALARM" };
  }
}

/**
 * The thread record once an OK that would resolve the open thread is not delivered (dead-lettered because
 * Slack refused the update of the ALARM message, or replayed as a message of its own): closed, with the OK
 * as the alarm's latest transition. The alarm is OK now, so its next ALARM is a new incident: it must open
 * a new thread (with the route's mention), not reply quietly under a parent that still says ALARM; and an
 * older transition arriving late is stale. Undefined when there is nothing to close: not an OK, no open
 * thread, or a newer transition handled already.
 */
export function closeOnUndeliveredOk(
  transition: AlarmTransition,
  thread: AlarmThread | undefined,
): AlarmThread | undefined {
  if (transition.state !== "OK" || !isOpen(thread) || transition.at <= thread.lastStateAt) return undefined;
  return { ...thread, lastState: "OK", lastStateAt: transition.at, resolved: true };
}
