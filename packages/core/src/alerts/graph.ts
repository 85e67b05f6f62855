import { type AlarmMetricQuery, type AlarmStateChangeEvent, alarmKind } from "../events/alarm.js";
import { parseAwsTime } from "./format.js";

/** A CloudWatch metric widget definition, as `GetMetricWidgetImage` takes it (JSON). */
export interface MetricWidget {
  readonly metrics: unknown[];
  readonly start: string;
  readonly end: string;
  readonly period: number;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly timezone: "+0000";
  readonly annotations?: { horizontal: { value: number; label: string }[] };
}

function metricLine(query: AlarmMetricQuery, visible: boolean): unknown[] {
  const stat = query.metricStat;
  if (!stat) return [];
  const dims = Object.entries(stat.metric.dimensions ?? {}).flat();
  return [
    stat.metric.namespace,
    stat.metric.name,
    ...dims,
    { id: query.id, stat: stat.stat, period: stat.period, ...(visible ? {} : { visible: false }) },
  ];
}

/**
 * The graph of an alarm's metric around the transition: 20 periods before it and 5 after, the threshold
 * as a line; metric-math and anomaly alarms draw their expression with its inputs hidden. Composite alarms
 * have no metric: `undefined`.
 */
export function metricWidget(event: AlarmStateChangeEvent): MetricWidget | undefined {
  const { detail } = event;
  const kind = alarmKind(detail);
  const queries = detail.configuration?.metrics ?? [];
  if (kind === "composite" || queries.length === 0) return undefined;
  const period = queries.find((q) => q.metricStat)?.metricStat?.period ?? queries[0]?.period ?? 60;
  const at = parseAwsTime(detail.state.timestamp) ?? parseAwsTime(event.time) ?? 0;
  const expressions = queries.filter((q) => q.expression !== undefined);
  const metrics =
    expressions.length === 0
      ? queries.map((q) => metricLine(q, true))
      : [
          ...expressions.map((q) => [{ expression: q.expression, id: q.id, label: q.label ?? q.id }]),
          ...queries.filter((q) => q.metricStat).map((q) => metricLine(q, kind === "anomaly-detection")),
        ];
  let threshold: number | undefined;
  try {
    threshold = (JSON.parse(detail.state.reasonData ?? "{}") as { threshold?: number }).threshold;
  } catch {
    threshold = undefined; // No structured reason data: the graph is drawn without the threshold line.
  }
  return {
    metrics,
    start: new Date(at - 20 * period * 1000).toISOString(),
    end: new Date(at + 5 * period * 1000).toISOString(),
    period,
    title: detail.alarmName.slice(0, 200),
    width: 800,
    height: 300,
    timezone: "+0000",
    ...(typeof threshold === "number"
      ? { annotations: { horizontal: [{ value: threshold, label: "threshold" }] } }
      : {}),
  };
}
