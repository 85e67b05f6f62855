import {
  AlertDeliveryError,
  type AlertEvent,
  type AlertRouterSettings,
  isAlarmEvent,
  renderAlarmMessage,
  renderClawopsMessage,
  replayNote,
  routeAlert,
  toAlert,
} from "@clawops/core/alerts";
import type { SlackMessage } from "@clawops/core/slack";
import { postMessage, type SlackDeliveryContext } from "./slack.js";

/** How re-sending one dead-lettered alert went. */
export type ReplayOutcome =
  | { readonly status: "replayed"; readonly channel: string; readonly ts: string }
  | { readonly status: "failed"; readonly channel?: string; readonly reason: string }
  | { readonly status: "skipped"; readonly reason: string }
  /**
   * Not posted, and done with: the event reached Slack already (see the router's replay), or the alarm's
   * thread has handled a newer transition since.
   */
  | { readonly status: "superseded"; readonly reason: string };

/**
 * The message and channel to re-send for a dead-lettered alert event, or undefined when routing skips it
 * now. The event is routed by the settings as deployed now (an operator who fixed a channel gets it there)
 * and rendered again, escaped: nothing but the event decides what is posted. It says it is a replay (and
 * when it first failed), and mentions no one: it is old news, not a page.
 */
export function replayTarget(
  event: AlertEvent,
  settings: AlertRouterSettings,
  tags: Readonly<Record<string, string>> = {},
  failedAt?: string,
): { channel: string; message: SlackMessage } | undefined {
  const decision = routeAlert(toAlert(event, tags), settings);
  if (decision.action === "skip") return undefined;
  const route = { channel: decision.channel, severity: decision.severity };
  const note = replayNote(failedAt);
  const message = isAlarmEvent(event)
    ? renderAlarmMessage(event, {
        route,
        note,
        ...(settings.fleetLogGroupName ? { logGroupName: settings.fleetLogGroupName } : {}),
      })
    : renderClawopsMessage(event, { route, note });
  return { channel: decision.channel, message };
}

/**
 * Posts a dead-lettered alert again as a message of its own (its thread, if any, is long gone or resolved).
 * What Slack still refuses is reported, not dead-lettered again: the record is still in the queue.
 */
export async function repostAlert(
  event: AlertEvent,
  settings: AlertRouterSettings,
  slack: SlackDeliveryContext,
  tags: Readonly<Record<string, string>> = {},
  failedAt?: string,
): Promise<ReplayOutcome> {
  const target = replayTarget(event, settings, tags, failedAt);
  if (!target) return { status: "skipped", reason: "the router's routing skips it now" };
  try {
    const posted = await postMessage(slack, target.channel, target.message);
    return { status: "replayed", ...posted };
  } catch (error) {
    if (!(error instanceof AlertDeliveryError)) throw error;
    return { status: "failed", channel: target.channel, reason: error.message };
  }
}
