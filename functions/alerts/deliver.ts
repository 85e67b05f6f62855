import {
  type AlarmThread,
  type AlarmTransition,
  type Alert,
  AlertDeliveryError,
  type AlertRoute,
  type AlertRouterSettings,
  alarmTransition,
  decideStorm,
  decideThread,
  renderAlarmMessage,
  renderClawopsMessage,
  renderResolvedParent,
  renderThreadReply,
  stormWindowStart,
} from "@clawops/core/alerts";
import type { AlarmStateChangeEvent } from "@clawops/core/events";
import { postMessage, type SlackDeliveryContext, updateMessage } from "./slack.js";
import type { AlertState } from "./state.js";
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
}

/** Carries out the thread, storm and rendering decisions for one routed alert. */
export async function deliverAlert(
  alert: Alert,
  route: AlertRoute,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const { slack, state } = deps;
  if (alert.kind === "clawops") {
    const { ts } = await postMessage(slack, route.channel, renderClawopsMessage(alert.event, { route }));
    return { status: "posted", channel: route.channel, ts };
  }
  const event = alert.event;
  const { detail } = event;
  const transition = alarmTransition(detail.state, detail.previousState, event.time);
  const thread = await state.getThread(detail.alarmName);
  const decision = decideThread(transition, thread);
  if (decision.action === "skip") return { status: "skipped", reason: decision.reason };

  const base = { alarmName: detail.alarmName, lastState: transition.state, lastStateAt: transition.at };
  if (decision.action !== "resolve") {
    const { stormWindowSeconds: windowSeconds, stormThreshold: threshold } = deps.settings.alerts;
    const windowStart = stormWindowStart(transition.at, windowSeconds);
    const entry = { alarmName: detail.alarmName, state: transition.state, at: transition.at };
    const position = await state.joinStorm(route.channel, windowStart, entry);
    if (decideStorm(position, threshold) === "grouped") {
      const window = { channel: route.channel, windowStart, windowSeconds, threshold, region: event.region };
      const group = await ensureStormRendered(window, position, state, slack);
      const ownOpen = thread?.ts !== undefined && !thread.resolved;
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
              stormWindow: { channel: route.channel, windowStart },
            }
          : { ...base, channel: group.channel, severity: route.severity, resolved: true };
      await state.putThread(next);
      return { status: "grouped", channel: route.channel, ts: group.ts };
    }
  }

  switch (decision.action) {
    case "open": {
      const message = renderAlarmMessage(event, {
        route,
        ...(deps.settings.fleetLogGroupName ? { logGroupName: deps.settings.fleetLogGroupName } : {}),
      });
      const { ts, channel } = await postMessage(slack, route.channel, message);
      const opened: AlarmThread = {
        ...base,
        channel,
        ts,
        openedAt: transition.at,
        severity: route.severity,
        resolved: false,
        ...(detail.state.reason ? { openReason: detail.state.reason.slice(0, 2000) } : {}),
      };
      await state.putThread(opened);
      await uploadGraph(event, channel, ts, deps);
      return { status: "opened", channel: route.channel, ts };
    }
    case "reply": {
      const { channel, ts } = decision.thread;
      await postMessage(slack, channel, renderThreadReply(event), ts);
      await state.putThread({ ...decision.thread, ...base });
      return { status: "replied", channel, ...(ts ? { ts } : {}) };
    }
    case "resolve": {
      const { thread: open, durationMs } = decision;
      const ts = open.ts as string;
      if (open.grouped) await showInStormGroup(open, transition, event.region, deps);
      else {
        try {
          await updateMessage(slack, open.channel, ts, renderResolvedParent(event, open, durationMs));
        } catch (error) {
          if (!threadGone(error)) throw error;
          // The ALARM message is gone (deleted, or its channel archived): the thread is closed anyway, so
          // later ALARMs open a new one, and the OK is posted on its own (dead-lettered if that fails too).
          await state.putThread({ ...open, ...base, resolved: true });
          const posted = await postMessage(slack, route.channel, renderAlarmMessage(event, { route }));
          return { status: "posted", channel: route.channel, ts: posted.ts };
        }
      }
      await postMessage(slack, open.channel, renderThreadReply(event, durationMs), ts);
      await state.putThread({ ...open, ...base, resolved: true });
      return { status: "resolved", channel: open.channel, ts };
    }
    case "post": {
      const posted = await postMessage(slack, route.channel, renderAlarmMessage(event, { route }));
      await state.putThread({ ...base, channel: posted.channel, severity: route.severity, resolved: true });
      return { status: "posted", channel: route.channel, ts: posted.ts };
    }
  }
}

/** Slack's answers to `chat.update` of a message that no longer can be reached. */
const GONE_THREAD_ERRORS = new Set(["message_not_found", "channel_not_found", "is_archived"]);

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
): Promise<void> {
  if (!thread.stormWindow) return; // Saved before threads named their window: only the reply says it.
  const { channel, windowStart } = thread.stormWindow;
  // The window's records ran out of TTL (the thread lives longer): a render from what is left would wipe
  // the lines of the group message, or post a new one. Only the thread reply says it then.
  if (!(await deps.state.stormStored(channel, windowStart))) return;
  const { stormWindowSeconds: windowSeconds, stormThreshold: threshold } = deps.settings.alerts;
  const entry = { alarmName: thread.alarmName, state: transition.state, at: transition.at };
  const position = await deps.state.joinStorm(channel, windowStart, entry);
  const window = { channel, windowStart, windowSeconds, threshold, region };
  await ensureStormRendered(window, position, deps.state, deps.slack);
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
