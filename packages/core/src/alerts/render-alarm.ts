import {
  type AlarmMetricQuery,
  type AlarmStateChangeEvent,
  alarmKind,
  alarmTriggeringAlarms,
} from "../events/alarm.js";
import {
  bold,
  code,
  codeBlock,
  context,
  fitMessage,
  header,
  joinMrkdwn,
  link,
  type Mrkdwn,
  md,
  mention,
  plain,
  type SlackBlock,
  type SlackMessage,
  section,
} from "../slack/index.js";
import type { AlertRoute } from "./alert.js";
import { formatTime, STATE_STYLE } from "./format.js";
import { alarmConsoleUrl, alarmNameFromArn, linkedUrls, logGroupConsoleUrl } from "./links.js";

/** What an alarm message shows besides the event: where it was routed and what to link. */
export interface AlarmRenderContext {
  readonly route: Pick<AlertRoute, "severity" | "mention">;
  /** The fleet's gateway log group, linked from the message. */
  readonly logGroupName?: string;
  /** A line shown under the title, about this message rather than the alarm (a replay, say); escaped. */
  readonly note?: string;
}

interface ReasonData {
  readonly threshold?: number;
  readonly recentDatapoints?: readonly number[];
  readonly recentUpperThresholds?: readonly number[];
  readonly recentLowerThresholds?: readonly number[];
}

function reasonData(text: string | undefined): ReasonData {
  if (!text) return {};
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === "object" && data !== null ? (data as ReasonData) : {};
  } catch {
    return {}; // CloudWatch wrote free text: the reason itself is still shown.
  }
}

function describeMetric(query: AlarmMetricQuery): Mrkdwn {
  const stat = query.metricStat;
  if (!stat) return code(query.expression ?? query.id);
  const dimensions = Object.entries(stat.metric.dimensions ?? {}).map(([k, v]) => `${k}=${v}`);
  return md`${code(`${stat.metric.namespace} / ${stat.metric.name}`)} ${dimensions.length ? code(dimensions.join(", ")) : ""} (${stat.stat}, ${stat.period} s)`;
}

function numbers(values: readonly number[] | undefined): string {
  return values && values.length > 0 ? values.join(", ") : "none";
}

/** The "what is measured" part, by alarm kind: metric + threshold, expression, band, or composite rule. */
function metricBlocks(event: AlarmStateChangeEvent): SlackBlock[] {
  const { detail } = event;
  const metrics = detail.configuration?.metrics ?? [];
  const data = reasonData(detail.state.reasonData);
  switch (alarmKind(detail)) {
    case "composite": {
      const children = alarmTriggeringAlarms(detail.state).map(
        (child) =>
          md`• ${link(alarmConsoleUrl(event.region, alarmNameFromArn(child.arn)), alarmNameFromArn(child.arn))} ${child.state?.value ?? ""}`,
      );
      return [
        section(md`${bold("Rule")}\n${codeBlock(detail.configuration?.alarmRule ?? "")}`),
        ...(children.length ? [section(md`${bold("Triggered by")}\n${joinMrkdwn(children, "\n")}`)] : []),
      ];
    }
    case "metric-math": {
      const expressions = metrics
        .filter((query) => query.expression !== undefined)
        .map(
          (query) =>
            md`${code(query.id)} = ${code(query.expression)}${query.label ? md` (${query.label})` : ""}`,
        );
      const inputs = metrics
        .filter((query) => query.metricStat)
        .map((query) => md`• ${code(query.id)}: ${describeMetric(query)}`);
      return [
        section(
          md`${bold("Expression")}\n${joinMrkdwn(expressions, "\n")}\n${bold("Inputs")}\n${joinMrkdwn(inputs, "\n")}\n${bold("Threshold")} ${data.threshold ?? "see alarm"} · ${bold("Recent")} ${numbers(data.recentDatapoints)}`,
        ),
      ];
    }
    case "anomaly-detection": {
      const band = metrics.find((query) => query.expression !== undefined);
      const input = metrics.find((query) => query.metricStat);
      return [
        section(
          md`${bold("Metric")} ${input ? describeMetric(input) : ""}\n${bold("Band")} ${code(band?.expression)}\n${bold("Recent")} ${numbers(data.recentDatapoints)} · ${bold("Upper")} ${numbers(data.recentUpperThresholds)} · ${bold("Lower")} ${numbers(data.recentLowerThresholds)}`,
        ),
      ];
    }
    case "metric": {
      const query = metrics[0];
      return [
        section(
          md`${bold("Metric")} ${query ? describeMetric(query) : "unknown"}\n${bold("Threshold")} ${data.threshold ?? "see alarm"} · ${bold("Recent")} ${numbers(data.recentDatapoints)}`,
        ),
      ];
    }
  }
}

/**
 * The line of a composite alarm whose actions its actions suppressor holds back (CloudWatch's own words).
 * `Alarm`: the suppressor is in ALARM, and no one is mentioned. `WaitPeriod` and `ExtensionPeriod`: CloudWatch
 * waits, at most that period, for the suppressor to go into ALARM (or after it left ALARM), and performs the
 * actions after it unless the suppressor is in ALARM; no event says so then, so the route's mention stays.
 */
function suppressionLine(event: AlarmStateChangeEvent): Mrkdwn | undefined {
  const { state, configuration } = event.detail;
  if (!state.actionsSuppressedBy) return undefined;
  const suppressor = configuration?.actionsSuppressor;
  const by = suppressor ? md`its actions suppressor ${code(suppressor)}` : md`its actions suppressor`;
  const reason = state.actionsSuppressedReason ? md`: ${linkedUrls(state.actionsSuppressedReason)}` : md``;
  if (state.actionsSuppressedBy === "Alarm") {
    return md`:zipper_mouth_face: Actions held back by ${by} (Alarm)${reason}; no one is mentioned.`;
  }
  const waiting =
    state.actionsSuppressedBy === "WaitPeriod"
      ? md`CloudWatch waits for ${by} to go into ALARM`
      : state.actionsSuppressedBy === "ExtensionPeriod"
        ? md`CloudWatch waits after ${by} left ALARM`
        : by;
  return md`:hourglass_flowing_sand: Actions may be held back: ${waiting} (${state.actionsSuppressedBy})${reason}; unless it is in ALARM by then, they run when the period ends.`;
}

/**
 * The Block Kit message for a CloudWatch alarm state change: state (emoji, colour), alarm name, severity,
 * AWS's reason, the metric and threshold (or expression, band, composite rule and the children that
 * triggered it), when it started, region/account, console links to the alarm and the fleet's logs, and
 * whether its actions suppressor holds its actions back.
 * Every string from the event is escaped; the result fits Slack's limits.
 */
export function renderAlarmMessage(event: AlarmStateChangeEvent, ctx: AlarmRenderContext): SlackMessage {
  const { detail } = event;
  const style = STATE_STYLE[detail.state.value];
  const previous = STATE_STYLE[detail.previousState.value];
  const ping = ctx.route.mention ? md`${mention(ctx.route.mention)} ` : md``;
  const links = [link(alarmConsoleUrl(event.region, detail.alarmName), "Alarm in CloudWatch")];
  const suppression = suppressionLine(event);
  const description = detail.configuration?.description?.trim();
  if (ctx.logGroupName) links.push(link(logGroupConsoleUrl(event.region, ctx.logGroupName), "Fleet logs"));
  const blocks: SlackBlock[] = [
    header(`${style.emoji} ${style.label}: ${detail.alarmName}`),
    ...(ctx.note ? [context(plain(ctx.note))] : []),
    ...(suppression ? [context(suppression)] : []),
    // A description that is empty or blank shows the name: Slack refuses an empty text object (invalid_blocks).
    section(md`${ping}${description ? linkedUrls(description) : bold(detail.alarmName)}`, [
      md`${bold("Severity")}\n${ctx.route.severity}`,
      md`${bold("State")}\n${previous.label} → ${style.label}`,
      md`${bold("Since")}\n${formatTime(detail.state.timestamp ?? event.time)}`,
      md`${bold("Where")}\n${event.region} · ${event.account}`,
    ]),
    section(md`${bold("Reason")}\n${linkedUrls(detail.state.reason ?? "CloudWatch gave no reason")}`),
    ...metricBlocks(event),
    context(joinMrkdwn(links, " · ")),
  ];
  return fitMessage({
    text: md`${ping}${style.label}: ${detail.alarmName} (${ctx.route.severity})`.text,
    blocks,
    color: style.color,
  });
}
