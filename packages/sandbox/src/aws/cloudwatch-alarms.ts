import type { Dimension, MetricStore } from "./cloudwatch-metrics.js";
import { statistic } from "./cloudwatch-metrics.js";
import { awsError } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissingData = "missing" | "ignore" | "breaching" | "notBreaching";

const COMPARISONS = {
  GreaterThanOrEqualToThreshold: {
    test: (v: number, t: number) => v >= t,
    words: "greater than or equal to",
  },
  GreaterThanThreshold: { test: (v: number, t: number) => v > t, words: "greater than" },
  LessThanThreshold: { test: (v: number, t: number) => v < t, words: "less than" },
  LessThanOrEqualToThreshold: { test: (v: number, t: number) => v <= t, words: "less than or equal to" },
} as const;
export type ComparisonOperator = keyof typeof COMPARISONS;

/** A metric alarm as DescribeAlarms returns it (dates as epoch ms internally). */
export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData: TreatMissingData;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmStateValue;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
}

/** Validates a PutMetricAlarm input into an alarm (new alarms start INSUFFICIENT_DATA; updates keep their state). */
export function alarmFromInput(
  world: SandboxWorld,
  input: Record<string, unknown>,
  previous?: MetricAlarm,
): MetricAlarm {
  if (input.Metrics) throw new Error("not simulated: CloudWatch.PutMetricAlarm with Metrics (metric math)");
  const name = String(input.AlarmName ?? "");
  const period = Number(input.Period);
  if (!(period === 10 || period === 30 || (period >= 60 && period % 60 === 0)))
    throw awsError("ValidationError", "Period must be 10, 30 or a multiple of 60");
  const evaluationPeriods = Number(input.EvaluationPeriods);
  const datapointsToAlarm = Number(input.DatapointsToAlarm ?? evaluationPeriods);
  if (!(evaluationPeriods >= 1) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)
    throw awsError("ValidationError", "DatapointsToAlarm must be between 1 and EvaluationPeriods");
  const comparison = String(input.ComparisonOperator) as ComparisonOperator;
  if (!(comparison in COMPARISONS)) throw new Error(`not simulated: CloudWatch comparison ${comparison}`);
  const stat = (input.Statistic ?? input.ExtendedStatistic) as string | undefined;
  if (!stat) throw awsError("ValidationError", "Statistic or ExtendedStatistic must be specified");
  const now = world.clock.now();
  return {
    AlarmName: name,
    AlarmArn: world.arn("cloudwatch", `alarm:${name}`),
    AlarmDescription: input.AlarmDescription as string | undefined,
    Namespace: String(input.Namespace),
    MetricName: String(input.MetricName),
    Dimensions: ((input.Dimensions as Dimension[] | undefined) ?? []).map((d) => ({
      Name: d.Name,
      Value: d.Value,
    })),
    Statistic: stat,
    Period: period,
    EvaluationPeriods: evaluationPeriods,
    DatapointsToAlarm: datapointsToAlarm,
    Threshold: Number(input.Threshold),
    ComparisonOperator: comparison,
    TreatMissingData: ((input.TreatMissingData as TreatMissingData | undefined) ??
      "missing") as TreatMissingData,
    ActionsEnabled: input.ActionsEnabled !== false,
    AlarmActions: (input.AlarmActions as string[] | undefined) ?? [],
    OKActions: (input.OKActions as string[] | undefined) ?? [],
    InsufficientDataActions: (input.InsufficientDataActions as string[] | undefined) ?? [],
    StateValue: previous?.StateValue ?? "INSUFFICIENT_DATA",
    StateReason: previous?.StateReason ?? "Unchecked: Initial alarm creation",
    StateReasonData: previous?.StateReasonData,
    StateUpdatedTimestamp: previous?.StateUpdatedTimestamp ?? now,
    AlarmConfigurationUpdatedTimestamp: now,
  };
}

/** CloudWatch's timestamp format in reasons: `2026-03-02T12:04:40.985+0000`. */
const stamp = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");
/** And in the reason text: `02/03/26 12:03:00`. */
function shortDate(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(2, 4)} ${d.slice(11, 19)}`;
}
const num = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

/** The verdict of one evaluation: the new state and AWS-style reason. */
export interface Evaluation {
  readonly state: AlarmStateValue;
  readonly reason: string;
  readonly reasonData: string;
}

/**
 * Evaluates an alarm at `now` as CloudWatch does: the last EvaluationPeriods complete periods, the statistic
 * per period, "M out of N" breaching datapoints for ALARM, and TreatMissingData for empty periods
 * (missing: all empty → INSUFFICIENT_DATA; ignore: all empty → state kept; breaching / notBreaching: counted so).
 */
export function evaluateAlarm(alarm: MetricAlarm, store: MetricStore, now: number): Evaluation | undefined {
  const period = alarm.Period * 1000;
  const end = Math.floor(now / period) * period;
  const start = end - alarm.EvaluationPeriods * period;
  const id = { namespace: alarm.Namespace, name: alarm.MetricName, dimensions: alarm.Dimensions };
  const points: { at: number; value: number | undefined }[] = [];
  for (let at = start; at < end; at += period)
    points.push({ at, value: statistic(store.samples(id, at, at + period), alarm.Statistic) });
  const comparison = COMPARISONS[alarm.ComparisonOperator];
  const present = points.filter((p): p is { at: number; value: number } => p.value !== undefined);
  const missing = points.length - present.length;
  const breaching =
    present.filter((p) => comparison.test(p.value, alarm.Threshold)).length +
    (alarm.TreatMissingData === "breaching" ? missing : 0);
  const reasonData = JSON.stringify({
    version: "1.0",
    queryDate: stamp(now),
    startDate: stamp(present[0]?.at ?? start),
    statistic: alarm.Statistic,
    period: alarm.Period,
    recentDatapoints: present.map((p) => p.value),
    threshold: alarm.Threshold,
  });
  if (breaching < alarm.DatapointsToAlarm && present.length === 0) {
    if (alarm.TreatMissingData === "ignore") return undefined;
    if (alarm.TreatMissingData === "missing")
      return {
        state: "INSUFFICIENT_DATA",
        reason: `Insufficient Data: ${points.length} datapoint${points.length === 1 ? " was" : "s were"} unknown.`,
        reasonData,
      };
  }
  const state: AlarmStateValue = breaching >= alarm.DatapointsToAlarm ? "ALARM" : "OK";
  const shown = present.map((p) => `${num(p.value)} (${shortDate(p.at)})`).join(", ");
  const verb = state === "ALARM" ? "was" : "was not";
  const counted = state === "ALARM" ? breaching : present.length;
  const reason =
    `Threshold Crossed: ${counted} out of the last ${alarm.EvaluationPeriods} datapoints [${shown}] ${verb} ${comparison.words} ` +
    `the threshold (${num(alarm.Threshold)}) (minimum ${alarm.DatapointsToAlarm} datapoint${alarm.DatapointsToAlarm === 1 ? "" : "s"} for ` +
    `${state === "ALARM" ? "OK -> ALARM" : "ALARM -> OK"} transition).`;
  return { state, reason, reasonData };
}

/** The `CloudWatch Alarm State Change` event for a transition, in AWS's shape. */
export function alarmStateChangeEvent(
  alarm: MetricAlarm,
  previous: { value: AlarmStateValue; reason: string; reasonData?: string; timestamp: number },
) {
  return {
    source: "aws.cloudwatch",
    "detail-type": "CloudWatch Alarm State Change",
    resources: [alarm.AlarmArn],
    detail: {
      alarmName: alarm.AlarmName,
      configuration: {
        ...(alarm.AlarmDescription ? { description: alarm.AlarmDescription } : {}),
        metrics: [
          {
            id: "m1",
            metricStat: {
              metric: {
                namespace: alarm.Namespace,
                name: alarm.MetricName,
                dimensions: Object.fromEntries(alarm.Dimensions.map((d) => [d.Name, d.Value])),
              },
              period: alarm.Period,
              stat: alarm.Statistic,
            },
            returnData: true,
          },
        ],
      },
      previousState: {
        reason: previous.reason,
        ...(previous.reasonData ? { reasonData: previous.reasonData } : {}),
        timestamp: stamp(previous.timestamp),
        value: previous.value,
      },
      state: {
        reason: alarm.StateReason,
        ...(alarm.StateReasonData ? { reasonData: alarm.StateReasonData } : {}),
        timestamp: stamp(alarm.StateUpdatedTimestamp),
        value: alarm.StateValue,
      },
    },
  } as const;
}
