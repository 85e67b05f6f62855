import * as z from "zod/mini";
import { eventBridgeEventSchema } from "./envelope.js";
import { AwsDetailType, EventSource } from "./sources.js";

/** `OK` | `ALARM` | `INSUFFICIENT_DATA`. */
export const AlarmStateValueSchema = z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]);

/** An alarm's state value. */
export type AlarmStateValue = z.infer<typeof AlarmStateValueSchema>;

/**
 * One side of a transition. `reasonData` is a JSON document in a string: datapoints and threshold for
 * metric alarms, `triggeringAlarms` for composite alarms (read it with `alarmTriggeringAlarms`).
 */
export const AlarmStateSchema = z.looseObject({
  value: AlarmStateValueSchema,
  reason: z.optional(z.string()),
  reasonData: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  /** Composite alarms whose actions an actions-suppressor alarm held back. */
  actionsSuppressedBy: z.optional(z.string()),
  actionsSuppressedReason: z.optional(z.string()),
});

/** One side of an alarm transition. */
export type AlarmState = z.infer<typeof AlarmStateSchema>;

/** A metric an alarm query reads: namespace, name, dimensions, period and statistic. */
export const AlarmMetricStatSchema = z.looseObject({
  metric: z.looseObject({
    namespace: z.string(),
    name: z.string(),
    dimensions: z.optional(z.record(z.string(), z.string())),
  }),
  period: z.number(),
  stat: z.string(),
  unit: z.optional(z.string()),
});

/** A metric an alarm query reads. */
export type AlarmMetricStat = z.infer<typeof AlarmMetricStatSchema>;

/**
 * One query of an alarm: a `metricStat` (metric alarm, or an input of an expression), or an `expression`
 * (metric math; `ANOMALY_DETECTION_BAND(m1, 2)` for anomaly detection).
 */
export const AlarmMetricQuerySchema = z.looseObject({
  id: z.string(),
  metricStat: z.optional(AlarmMetricStatSchema),
  expression: z.optional(z.string()),
  label: z.optional(z.string()),
  returnData: z.optional(z.boolean()),
  period: z.optional(z.number()),
});

/** One query of an alarm. */
export type AlarmMetricQuery = z.infer<typeof AlarmMetricQuerySchema>;

/** The alarm's configuration: `metrics` for metric alarms, `alarmRule` for composite alarms. */
export const AlarmConfigurationSchema = z.looseObject({
  description: z.optional(z.string()),
  metrics: z.optional(z.array(AlarmMetricQuerySchema)),
  /** The id, among `metrics`, of the anomaly detection band the alarm compares against. */
  thresholdMetricId: z.optional(z.string()),
  alarmRule: z.optional(z.string()),
  actionsSuppressor: z.optional(z.string()),
  actionsSuppressorWaitPeriod: z.optional(z.number()),
  actionsSuppressorExtensionPeriod: z.optional(z.number()),
});

/** The alarm's configuration. */
export type AlarmConfiguration = z.infer<typeof AlarmConfigurationSchema>;

/** The `detail` of an alarm state change. */
export const AlarmStateChangeDetailSchema = z.looseObject({
  alarmName: z.string(),
  state: AlarmStateSchema,
  previousState: AlarmStateSchema,
  configuration: z.optional(AlarmConfigurationSchema),
});

/** The `detail` of an alarm state change. */
export type AlarmStateChangeDetail = z.infer<typeof AlarmStateChangeDetailSchema>;

/**
 * A CloudWatch alarm changed state. Covers metric, metric-math, anomaly-detection and composite alarms;
 * CloudWatch guarantees delivery of these events to EventBridge.
 *
 * @example
 * {
 *   "version": "0", "id": "c4c1c1c9-...", "detail-type": "CloudWatch Alarm State Change",
 *   "source": "aws.cloudwatch", "account": "123456789012", "time": "2026-03-02T12:04:40Z",
 *   "region": "us-east-1", "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:clawops-test-fleet-gateway-unhealthy"],
 *   "detail": {
 *     "alarmName": "clawops-test-fleet-gateway-unhealthy",
 *     "state": { "value": "ALARM", "reason": "Threshold Crossed: ...", "timestamp": "2026-03-02T12:04:40.985+0000" },
 *     "previousState": { "value": "OK", "timestamp": "2026-03-01T08:00:00.000+0000" },
 *     "configuration": { "metrics": [{ "id": "m1", "metricStat": { "metric": { "namespace": "Clawops",
 *       "name": "GatewayUnhealthy", "dimensions": { "AutoScalingGroupName": "clawops-test-fleet" } },
 *       "period": 60, "stat": "Maximum" }, "returnData": true }] }
 *   }
 * }
 */
export const AlarmStateChangeEventSchema = eventBridgeEventSchema(
  EventSource.CloudWatch,
  AwsDetailType.AlarmStateChange,
  AlarmStateChangeDetailSchema,
);

/** A CloudWatch alarm state change event. */
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeEventSchema>;

/** What kind of alarm an event is about; decides what a message can show (a graph, the rule...). */
export type AlarmKind = "metric" | "metric-math" | "anomaly-detection" | "composite";

/** Tells metric, metric-math, anomaly-detection and composite alarms apart from their configuration. */
export function alarmKind(detail: AlarmStateChangeDetail): AlarmKind {
  const configuration = detail.configuration;
  if (configuration?.alarmRule !== undefined) return "composite";
  const expressions = (configuration?.metrics ?? []).flatMap((query) => query.expression ?? []);
  if (expressions.some((expression) => /\bANOMALY_DETECTION_BAND\s*\(/i.test(expression)))
    return "anomaly-detection";
  if (configuration?.thresholdMetricId !== undefined) return "anomaly-detection";
  return expressions.length > 0 ? "metric-math" : "metric";
}

/** An alarm whose state change made a composite alarm change state. */
export interface TriggeringAlarm {
  readonly arn: string;
  readonly state?: { readonly value?: string; readonly timestamp?: string };
}

/**
 * The alarms that triggered a composite alarm's transition, read from `state.reasonData`. Returns an
 * empty list for metric alarms and for reason data that is not the JSON CloudWatch documents: the
 * message still goes out, without the list.
 */
export function alarmTriggeringAlarms(state: AlarmState): TriggeringAlarm[] {
  if (state.reasonData === undefined) return [];
  let data: unknown;
  try {
    data = JSON.parse(state.reasonData);
  } catch {
    return []; // Not JSON: CloudWatch wrote free text; there is nothing to list, and nothing to fix.
  }
  const list = (data as { triggeringAlarms?: unknown } | null)?.triggeringAlarms;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (item): item is TriggeringAlarm =>
      typeof item === "object" && item !== null && typeof item.arn === "string",
  );
}
