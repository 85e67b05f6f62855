import type { AlarmStateChangeEvent } from "../events/index.js";
import {
  bold,
  code,
  context,
  fitMessage,
  header,
  joinMrkdwn,
  link,
  type Mrkdwn,
  md,
  SLACK_LIMITS,
  type SlackMessage,
  section,
} from "../slack/index.js";
import { formatDuration, formatTime, STATE_STYLE } from "./format.js";
import { alarmConsoleUrl, linkedUrls } from "./links.js";
import { packByBudget, type StormEntry, stormPages } from "./storm.js";
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
      ...(thread.openReason
        ? [section(md`${bold("It fired because")}\n${linkedUrls(thread.openReason)}`)]
        : []),
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
    blocks: [section(md`${line}\n${linkedUrls(detail.state.reason ?? "")}`)],
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

/** One line of a storm page: the alarm's latest state. */
function stormLine(entry: StormEntry): Mrkdwn {
  const style = STATE_STYLE[entry.state];
  return md`${style.emoji} ${code(entry.alarmName)} ${style.label}`;
}

/**
 * Characters of alarm lines a storm page carries: Slack's 40,000 characters of block text a message, less
 * room for the title, the counts and the note (each well under 1,000).
 */
export const STORM_PAGE_CHARS = 36_000;

/** Characters a line takes in its section (its text and the newline that joins it to the next). */
const lineChars = (line: Mrkdwn): number => line.text.length + 1;

/**
 * The pages of a storm's group message: each alarm's latest state, cut by the rendered lines' length (not
 * by a count), so every alarm a page lists is visible whatever the length of the alarms' names.
 */
export function paginateStorm(entries: readonly StormEntry[]): StormEntry[][] {
  return stormPages(entries, (entry) => lineChars(stormLine(entry)), STORM_PAGE_CHARS);
}

/**
 * One page of a storm's group message (a page of {@link paginateStorm}): counts by state, then one line per
 * alarm with its latest state, in sections of at most Slack's 3,000 characters, so no line is cut.
 */
export function renderStormPage(entries: readonly StormEntry[], ctx: StormRenderContext): SlackMessage {
  const counts = { ALARM: 0, OK: 0, INSUFFICIENT_DATA: 0 };
  for (const entry of entries) counts[entry.state] += 1;
  const chunks = packByBudget(entries.map(stormLine), lineChars, SLACK_LIMITS.sectionText);
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
