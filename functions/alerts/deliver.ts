import {
  type AlarmThread,
  type AlarmTransition,
  type Alert,
  AlertDeliveryError,
  type AlertRoute,
  type AlertRouterSettings,
  alarmTransition,
  closeOnUndeliveredOk,
  decideStorm,
  decideThread,
  renderAlarmMessage,
  renderClawopsMessage,
  renderResolvedParent,
  renderThreadReply,
  type StormEntry,
  stormWindowStart,
} from "@clawops/core/alerts";
import type { AlarmStateChangeEvent } from "@clawops/core/events";
import type { SlackMessage } from "@clawops/core/slack";
import { type PostedMessage, postMessage, type SlackDeliveryContext, updateMessage } from "./slack.js";
import type { AlertState, JoinedRecord, PostedRecord } from "./state.js";
import { ensureStormRendered } from "./storm-group.js";

/** What delivering one alert did. */
export interface DeliveryOutcome {
  readonly status: "posted" | "opened" | "replied" | "resolved" | "grouped" | "skipped";
  /** The channel as routed for a new message; the thread's channel id for a reply or a resolution. */
  readonly channel?: string;
  readonly ts?: string;
  readonly reason?: string;
}

/** What delivery needs besides the alert. */
export interface DeliveryDeps {
  readonly settings: AlertRouterSettings;
  readonly state: AlertState;
  readonly slack: SlackDeliveryContext;
  /** The metric graph of an alarm (PNG), uploaded into a new thread; best effort. */
  readonly graph?: (event: AlarmStateChangeEvent) => Promise<Uint8Array | undefined>;
  readonly warn: (message: string, extra: Record<string, unknown>) => void;
  /** What an earlier try of this event got into Slack before a later step failed: it is not posted again. */
  readonly posted?: PostedRecord;
  /** Records each message Slack accepted for this event, before any other state is written. */
  readonly notePosted?: (posted: PostedRecord) => Promise<void>;
  /** The storm window position an earlier try of this event took: it is not taken again. */
  readonly joined?: JoinedRecord;
  /** Records on the event's claim the storm window position it took. */
  readonly noteJoined?: (joined: JoinedRecord) => Promise<void>;
}

/** Carries out the thread, storm and rendering decisions for one routed alert. */
export async function deliverAlert(
  alert: Alert,
  route: AlertRoute,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const { state } = deps;
  if (alert.kind === "clawops") {
    const { ts } = await post(deps, route.channel, renderClawopsMessage(alert.event, { route }));
    return { status: "posted", channel: route.channel, ts };
  }
  const event = alert.event;
  const { detail } = event;
  const transition = alarmTransition(detail.state, detail.previousState, event.time);
  const thread = await state.getThread(detail.alarmName);
  const decision = decideThread(transition, thread);
  if (decision.action === "skip") return { status: "skipped", reason: decision.reason };

  const base = { alarmName: detail.alarmName, lastState: transition.state, lastStateAt: transition.at };
  // An earlier try of this event got its own message into Slack, so it was not grouped: the retry resumes
  // from that message, and does not join the storm window again (that would count the transition twice).
  if (decision.action !== "resolve" && decision.action !== "show-in-group" && !deps.posted) {
    const { stormWindowSeconds: windowSeconds, stormThreshold: threshold } = deps.settings.alerts;
    const windowStart = stormWindowStart(transition.at, windowSeconds);
    const entry = { alarmName: detail.alarmName, state: transition.state, at: transition.at };
    const position = await joinStormOnce(deps, route.channel, windowStart, entry);
    if (decideStorm(position, threshold) === "grouped") {
      const window = { channel: route.channel, windowStart, windowSeconds, threshold, region: event.region };
      const group = await ensureStormRendered(window, position, state, deps.slack);
      const ownOpen = thread?.ts !== undefined && !thread.resolved;
      const stormWindow = { channel: route.channel, windowStart };
      const next: AlarmThread = ownOpen
        ? { ...thread, ...base }
        : transition.state === "ALARM"
          ? {
              ...base,
              channel: group.channel,
              ts: group.ts,
              openedAt: transition.at,
              severity: route.severity,
              resolved: false,
              grouped: true,
              stormWindow,
            }
          : // Listed with no thread of its own: its recovery is shown on its line (see decideThread).
            { ...base, channel: group.channel, severity: route.severity, resolved: true, stormWindow };
      await state.putThread(next);
      return { status: "grouped", channel: route.channel, ts: group.ts };
    }
  }

  switch (decision.action) {
    case "open":
      return openThread(event, route, base, deps);
    case "reply": {
      const { channel, ts } = decision.thread;
      // An earlier try of this event posted a message that is not this reply: its reply found the thread
      // gone, and it went on as below. The retry resumes there (the message is not posted again).
      let gone = deps.posted !== undefined && deps.posted.threadTs !== ts;
      if (!gone) {
        try {
          await post(deps, channel, renderThreadReply(event), ts);
        } catch (error) {
          if (!threadGone(error)) throw error;
          gone = true;
        }
      }
      if (gone) {
        // The thread's channel is archived or deleted, or the bot was removed from it: every later reply
        // would fail the same way. The transition is delivered as if there were no thread, on the route's
        // channel as configured now (an ALARM opens a new thread there); the thread record that this writes
        // replaces the gone one. Written once: a retry of the event must not find its own transition handled.
        return transition.state === "ALARM"
          ? openThread(event, route, base, deps)
          : postAlone(event, route, base, deps);
      }
      await state.putThread({ ...decision.thread, ...base });
      return { status: "replied", channel, ...(ts ? { ts } : {}) };
    }
    case "resolve": {
      const { thread: open, durationMs } = decision;
      const ts = open.ts as string;
      if (open.grouped) {
        // The group message's line of the alarm now says OK: that is its recovery. A reply of its own in
        // the group's thread would cost one post per alarm when a storm recovers at once (Slack allows about
        // one a second per channel). Only when the window's records are gone does the reply say it.
        const group = await showInStormGroup(open, transition, event.region, deps);
        if (group) {
          await state.putThread({ ...open, ...base, resolved: true });
          return { status: "resolved", channel: open.channel, ts };
        }
      } else {
        try {
          await updateMessage(deps.slack, open.channel, ts, renderResolvedParent(event, open, durationMs));
        } catch (error) {
          if (!threadGone(error)) throw error;
          // The ALARM message is gone (deleted, or its channel archived): the thread is closed anyway, so
          // later ALARMs open a new one, and the OK is posted on its own (dead-lettered if that fails too).
          await state.putThread({ ...open, ...base, resolved: true });
          const posted = await post(deps, route.channel, renderAlarmMessage(event, { route }));
          return { status: "posted", channel: route.channel, ts: posted.ts };
        }
      }
      // The parent says RESOLVED now: the thread is closed before the reply, so a reply that fails
      // (dead-lettered) cannot leave later ALARMs replying under a green parent.
      await state.putThread({ ...open, ...base, resolved: true });
      await post(deps, open.channel, renderThreadReply(event, durationMs), ts);
      return { status: "resolved", channel: open.channel, ts };
    }
    case "show-in-group": {
      const group = await showInStormGroup(decision.thread, transition, event.region, deps);
      await state.putThread({ ...decision.thread, ...base, resolved: true });
      if (!group) return { status: "skipped", reason: "the storm window that listed the alarm has expired" };
      return { status: "grouped", channel: group.channel, ts: group.ts };
    }
    case "post":
      return postAlone(event, route, base, deps);
  }
}

type ThreadBase = Pick<AlarmThread, "alarmName" | "lastState" | "lastStateAt">;

/**
 * Closes the open thread of an alarm whose OK was not delivered (dead-lettered, or replayed as a message of
 * its own; see {@link closeOnUndeliveredOk}), so its next ALARM opens a new thread and pages.
 */
export async function closeThreadOfUndeliveredOk(event: AlarmStateChangeEvent, state: AlertState) {
  const { detail } = event;
  const transition = alarmTransition(detail.state, detail.previousState, event.time);
  if (transition.state !== "OK") return;
  const closed = closeOnUndeliveredOk(transition, await state.getThread(detail.alarmName));
  if (closed) await state.putThread(closed);
}

/** Posts the alarm as the parent of a new thread, records the thread, and uploads the metric graph into it. */
async function openThread(
  event: AlarmStateChangeEvent,
  route: AlertRoute,
  base: ThreadBase,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const message = renderAlarmMessage(event, {
    route,
    ...(deps.settings.fleetLogGroupName ? { logGroupName: deps.settings.fleetLogGroupName } : {}),
  });
  const { ts, channel } = await post(deps, route.channel, message);
  const reason = event.detail.state.reason;
  const opened: AlarmThread = {
    ...base,
    channel,
    ts,
    openedAt: base.lastStateAt,
    severity: route.severity,
    resolved: false,
    ...(reason ? { openReason: reason.slice(0, 2000) } : {}),
  };
  await deps.state.putThread(opened);
  await uploadGraph(event, channel, ts, deps);
  return { status: "opened", channel: route.channel, ts };
}

/** Posts the transition as a message of its own (no thread to open or reply in). */
async function postAlone(
  event: AlarmStateChangeEvent,
  route: AlertRoute,
  base: ThreadBase,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const posted = await post(deps, route.channel, renderAlarmMessage(event, { route }));
  await deps.state.putThread({ ...base, channel: posted.channel, severity: route.severity, resolved: true });
  return { status: "posted", channel: route.channel, ts: posted.ts };
}

/**
 * `chat.postMessage`, once per event: Slack's `ts` is recorded on the event's claim before anything else
 * is written, so when a later write fails (DynamoDB throttled past the SDK's retries) and Lambda retries
 * the event, the retry resumes from the message already posted instead of posting it a second time.
 */
async function post(
  deps: DeliveryDeps,
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<PostedMessage> {
  const earlier = deps.posted;
  if (earlier && earlier.threadTs === threadTs) return { ts: earlier.ts, channel: earlier.channel };
  const posted = await postMessage(deps.slack, channel, message, threadTs);
  await deps.notePosted?.({ ...posted, ...(threadTs ? { threadTs } : {}) });
  return posted;
}

/**
 * Adds the transition to a storm window once per event: its position is noted on the event's claim, and a
 * retry of the event (a later write failed) takes that position again instead of being listed twice.
 */
async function joinStormOnce(
  deps: DeliveryDeps,
  channel: string,
  windowStart: number,
  entry: StormEntry,
): Promise<number> {
  const earlier = deps.joined;
  if (earlier && earlier.channel === channel && earlier.windowStart === windowStart) return earlier.position;
  const position = await deps.state.joinStorm(channel, windowStart, entry);
  await deps.noteJoined?.({ channel, windowStart, position });
  return position;
}

/**
 * Slack's answers, to `chat.update` of the ALARM message or `chat.postMessage` of a reply in its thread,
 * when the thread can no longer be reached: the message was deleted, its channel archived or deleted, or
 * the bot removed from the channel.
 */
const GONE_THREAD_ERRORS = new Set([
  "message_not_found",
  "channel_not_found",
  "is_archived",
  "not_in_channel",
]);

function threadGone(error: unknown): boolean {
  return error instanceof AlertDeliveryError && GONE_THREAD_ERRORS.has(error.reason);
}

/**
 * A grouped alarm's new state (its recovery) goes into the group message of the storm window that listed
 * it, whose line then shows the latest state, as the window's other alarms do, while the window's records
 * are stored.
 */
async function showInStormGroup(
  thread: AlarmThread,
  transition: AlarmTransition,
  region: string,
  deps: DeliveryDeps,
): Promise<PostedMessage | undefined> {
  if (!thread.stormWindow) return undefined; // Saved before threads named their window: only the reply says it.
  const { channel, windowStart } = thread.stormWindow;
  // The window's records ran out of TTL (the thread lives longer): a render from what is left would wipe
  // the lines of the group message, or post a new one. Only the thread reply says it then.
  if (!(await deps.state.stormStored(channel, windowStart))) return undefined;
  const { stormWindowSeconds: windowSeconds, stormThreshold: threshold } = deps.settings.alerts;
  const entry = { alarmName: thread.alarmName, state: transition.state, at: transition.at };
  const position = await joinStormOnce(deps, channel, windowStart, entry);
  const window = { channel, windowStart, windowSeconds, threshold, region };
  return ensureStormRendered(window, position, deps.state, deps.slack);
}

/** The graph is a courtesy: a failure to draw or upload it is logged, never turned into a lost alert. */
async function uploadGraph(event: AlarmStateChangeEvent, channel: string, ts: string, deps: DeliveryDeps) {
  if (!deps.graph || !deps.settings.slack.metricGraphs) return;
  try {
    const png = await deps.graph(event);
    if (!png) return;
    await deps.slack.client.filesUploadV2({
      channel_id: channel,
      thread_ts: ts,
      file: Buffer.from(png),
      filename: `${event.detail.alarmName.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100)}.png`,
      title: `${event.detail.alarmName} around the transition`,
    });
  } catch (error) {
    deps.warn("metric graph not uploaded", { error, alarmName: event.detail.alarmName });
  }
}
