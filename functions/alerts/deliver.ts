import {
  type AlarmThread,
  type Alert,
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
    const ts = await postMessage(slack, route.channel, renderClawopsMessage(alert.event, { route }));
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
      const ts = await ensureStormRendered(window, position, state, slack);
      const ownOpen = thread?.ts !== undefined && !thread.resolved;
      const next: AlarmThread = ownOpen
        ? { ...thread, ...base }
        : transition.state === "ALARM"
          ? {
              ...base,
              channel: route.channel,
              ts,
              openedAt: transition.at,
              severity: route.severity,
              resolved: false,
              grouped: true,
            }
          : { ...base, channel: route.channel, severity: route.severity, resolved: true };
      await state.putThread(next);
      return { status: "grouped", channel: route.channel, ts };
    }
  }

  switch (decision.action) {
    case "open": {
      const message = renderAlarmMessage(event, {
        route,
        ...(deps.settings.fleetLogGroupName ? { logGroupName: deps.settings.fleetLogGroupName } : {}),
      });
      const ts = await postMessage(slack, route.channel, message);
      const opened: AlarmThread = {
        ...base,
        channel: route.channel,
        ts,
        openedAt: transition.at,
        severity: route.severity,
        resolved: false,
        ...(detail.state.reason ? { openReason: detail.state.reason.slice(0, 2000) } : {}),
      };
      await state.putThread(opened);
      await uploadGraph(event, route.channel, ts, deps);
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
      if (!open.grouped)
        await updateMessage(slack, open.channel, ts, renderResolvedParent(event, open, durationMs));
      await postMessage(slack, open.channel, renderThreadReply(event, durationMs), ts);
      await state.putThread({ ...open, ...base, resolved: true });
      return { status: "resolved", channel: open.channel, ts };
    }
    case "post": {
      const ts = await postMessage(slack, route.channel, renderAlarmMessage(event, { route }));
      await state.putThread({ ...base, channel: route.channel, severity: route.severity, resolved: true });
      return { status: "posted", channel: route.channel, ts };
    }
  }
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
