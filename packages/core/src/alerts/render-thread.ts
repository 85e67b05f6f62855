import type { AlarmStateChangeEvent } from "../events/index.js";
import {
  bold,
  code,
  context,
  fitMessage,
  header,
  joinMrkdwn,
  link,
  md,
  type SlackMessage,
  section,
} from "../slack/index.js";
import { formatDuration, formatTime, STATE_STYLE } from "./format.js";
import { alarmConsoleUrl } from "./links.js";
import type { StormEntry } from "./storm.js";
import type { AlarmThread } from "./thread.js";

/**
 * The thread's parent once the alarm is OK again: resolved, how long it lasted, and the reason it fired.
 * Replaces the ALARM message with `chat.update`.
 */
export function renderResolvedParent(
  event: AlarmStateChangeEvent,
  thread: AlarmThread,
  durationMs: number,
): SlackMessage {
  const { detail } = event;
  const style = STATE_STYLE.RESOLVED;
  return fitMessage({
    text: md`Resolved after ${formatDuration(durationMs)}: ${detail.alarmName}`.text,
    color: style.color,
    blocks: [
      header(`${style.emoji} ${style.label}: ${detail.alarmName}`),
      section(md`${bold("Resolved")} after ${bold(formatDuration(durationMs))}`, [
        md`${bold("Severity")}\n${thread.severity ?? "unknown"}`,
        md`${bold("Fired")}\n${formatTime(thread.openedAt)}`,
        md`${bold("Resolved")}\n${formatTime(detail.state.timestamp ?? event.time)}`,
        md`${bold("Where")}\n${event.region} · ${event.account}`,
      ]),
      ...(thread.openReason ? [section(md`${bold("It fired because")}\n${thread.openReason}`)] : []),
      context(link(alarmConsoleUrl(event.region, detail.alarmName), "Alarm in CloudWatch")),
    ],
  });
}

/** A reply in an alarm's thread: the new state and AWS's reason (and the duration when it resolves). */
export function renderThreadReply(event: AlarmStateChangeEvent, durationMs?: number): SlackMessage {
  const { detail } = event;
  const style = STATE_STYLE[detail.state.value];
  const after = durationMs === undefined ? md`` : md` after ${bold(formatDuration(durationMs))}`;
  const line = md`${style.emoji} ${bold(detail.alarmName)} is ${bold(style.label)}${after} (${formatTime(detail.state.timestamp ?? event.time)})`;
  return fitMessage({
    text: line.text,
    color: style.color,
    blocks: [section(md`${line}\n${detail.state.reason ?? ""}`)],
  });
}

/** How a storm's group message is framed. */
export interface StormRenderContext {
  readonly windowStart: number;
  readonly windowSeconds: number;
  /** Transitions in the window so far, the individually posted ones included. */
  readonly total: number;
  /** 0 for the group message, n for the n-th continuation in its thread. */
  readonly page: number;
  readonly pages: number;
  readonly region: string;
}

/**
 * One page of a storm's group message: counts by state, then one line per alarm with its latest state. The
 * names are listed compactly (a line each) so hundreds fit within Slack's limits.
 */
export function renderStormPage(entries: readonly StormEntry[], ctx: StormRenderContext): SlackMessage {
  const counts = { ALARM: 0, OK: 0, INSUFFICIENT_DATA: 0 };
  for (const entry of entries) counts[entry.state] += 1;
  const lines = entries.map(
    (entry) =>
      md`${STATE_STYLE[entry.state].emoji} ${code(entry.alarmName)} ${STATE_STYLE[entry.state].label}`,
  );
  const chunks: (typeof lines)[] = [];
  for (let i = 0; i < lines.length; i += 40) chunks.push(lines.slice(i, i + 40));
  const window = `${formatTime(ctx.windowStart)} + ${ctx.windowSeconds} s`;
  const title =
    ctx.page === 0
      ? `:thunder_cloud_and_rain: Alert storm: ${ctx.total} alarm changes (${window})`
      : `Alert storm, continued (${ctx.page + 1}/${ctx.pages})`;
  return fitMessage({
    text: md`${title}`.text,
    color: "#d93f0b",
    blocks: [
      ...(ctx.page === 0 ? [header(title)] : [section(md`${bold(title)}`)]),
      section(
        md`${counts.ALARM} ALARM · ${counts.OK} OK · ${counts.INSUFFICIENT_DATA} INSUFFICIENT DATA on this page`,
      ),
      ...chunks.map((chunk) => section(joinMrkdwn(chunk, "\n"))),
      ...(ctx.page === 0
        ? [
            context(
              md`Grouped so the channel stays readable; each alarm's own page is linked from CloudWatch.`,
            ),
          ]
        : []),
    ],
  });
}
