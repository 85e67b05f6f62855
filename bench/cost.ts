/**
 * Monthly cost of the clawops control plane (not the fleet's own EC2/EFS/NAT) for fleets of 3, 10 and 100
 * instances: the benchmarks' AWS call counts × schedules and assumptions below × AWS's public us-east-1 prices.
 * No free tier is subtracted (an account's free tier is shared with everything else in it).
 * Every assumption is a named constant; every price names the page it comes from.
 */
import { AREAS } from "@clawops/core/readiness";

// ---- Prices, us-east-1, on-demand (checked against the pages named; AWS may change them) ----
/** "AWS Lambda Pricing", Arm: per GB-second, first 6 billion GB-s a month. */
export const LAMBDA_ARM_GB_SECOND_USD = 0.0000133334;
/** "AWS Lambda Pricing": per request. */
export const LAMBDA_REQUEST_USD = 0.2 / 1e6;
/** "AWS Step Functions Pricing", Standard workflows: per state transition. */
export const SFN_TRANSITION_USD = 0.025 / 1000;
/** "Amazon CloudWatch Pricing", Metrics: per custom metric-month (first 10,000), prorated by the hour sent. */
export const CW_METRIC_MONTH_USD = 0.3;
/** "Amazon CloudWatch Pricing", Alarms: per standard-resolution alarm metric-month. */
export const CW_ALARM_MONTH_USD = 0.1;
/** "Amazon CloudWatch Pricing", Logs: per GB ingested (Standard); EMF metrics are ingested as logs, no PutMetricData. */
export const LOGS_INGEST_GB_USD = 0.5;
/** "Amazon CloudWatch Pricing", Logs: per GB-month archived (compressed). */
export const LOGS_STORAGE_GB_MONTH_USD = 0.03;
/** "Amazon DynamoDB Pricing", on-demand: per million write request units. */
export const DDB_WRITE_MILLION_USD = 0.625;
/** "Amazon DynamoDB Pricing", on-demand: per million read request units. */
export const DDB_READ_MILLION_USD = 0.125;
/** "AWS Secrets Manager Pricing": per secret-month. */
export const SECRET_MONTH_USD = 0.4;
/** "AWS Secrets Manager Pricing": per 10,000 API calls. */
export const SECRET_API_10K_USD = 0.05;
/** "AWS Systems Manager Pricing", Run Command: no additional charge. */
export const SSM_RUN_COMMAND_USD = 0;
/** "Amazon EventBridge Pricing": AWS service and scheduled events are free; custom events per event. */
export const EVENTBRIDGE_CUSTOM_EVENT_USD = 1 / 1e6;
/** "AWS Key Management Service Pricing": per customer managed key-month. */
export const KMS_KEY_MONTH_USD = 1;
/** "AWS X-Ray Pricing": per trace recorded (every function has active tracing). */
export const XRAY_TRACE_USD = 5 / 1e6;

// ---- Schedules (clawops.config.ts defaults) and assumptions ----
const MINUTES = 43_800; // 730 hours
const HOURS = 730;
const DRILLS_PER_MONTH = 4.35; // cron(0 3 ? * SUN *)
/** Lambda memory (MB) of the scheduled functions (stacks/index.ts and each stack). */
const MB = { default: 256, readiness: 512, verifier: 1024 } as const;
/** Seconds of one AWS call inside a Lambda (within a region). */
const CALL_SECONDS = 0.05;
/** The monitor and readiness runs wait for their bounded SSM probe script (probe timeout + 5 s; 45 + 2 s). */
const MONITOR_PROBE_WAIT_SECONDS = 10;
const READINESS_PROBE_WAIT_SECONDS = 47;
/** Instance launches (and terminations) a month, per instance: one replacement a month (patching, refresh). */
const LAUNCHES_PER_INSTANCE = 1;
/** State transitions of a launch gate and of a drain (a probe loop of ~3 states per probe, ~5 probes). */
const GATE_TRANSITIONS = 20;
const DRAIN_TRANSITIONS = 8;
/** A restore drill of two file systems: ~30 polls × 3 states plus setup, verify and cleanup. */
const DRILL_TRANSITIONS = 120;
const DRILL_LAMBDA_INVOCATIONS = 40;
/** Data the verifier hashes per drill (two file systems), and its speed (from the drills benchmark). */
const DRILL_VERIFY_MB = 2048;
/** Alarm state changes a month routed to Slack: a baseline plus two per instance. */
const alertsPerMonth = (n: number) => 20 + 2 * n;
/** Log bytes per invocation (Logger lines, EMF blob, START/END/REPORT), plus one EMF line per single metric. */
const LOG_BYTES_PER_INVOCATION = 2_000;
const LOG_BYTES_PER_SINGLE_METRIC = 400;
/** Stored compressed at about this ratio; storage shown at steady state after a year of 365-day retention. */
const LOGS_COMPRESSION = 0.15;
const LOGS_RETAINED_MONTHS = 12;

/** AWS calls per run measured by the benchmarks, by fleet size (10/100/1000 instances). */
export interface CostInputs {
  readonly monitorCalls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  readonly readinessCalls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  readonly ssmCallsPerGate: number;
  readonly verifierMBps: number;
  /** Deployed resources that bill by the month (counted from the stacks). */
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly secrets: number;
}

/** One line of the bill. */
export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

/** The bill for one fleet size, as built today and with the metric fixes the report proposes. */
export interface CostEstimate {
  readonly instances: number;
  readonly lines: CostLine[];
  readonly totalUsd: number;
  /**
   * Same, with per-area readiness as structured logs, no 10 s wait in the monitor, and
   * one KMS key for the whole control plane.
   */
  readonly withFixesUsd: number;
}

/** Calls grow with SSM batches of 50: 3 and 10 instances are one batch; interpolate per batch above. */
function callsAt(measured: CostInputs["monitorCalls"], n: number): number {
  if (n <= 10) return measured["10"];
  if (n <= 100) return measured["100"];
  return measured["1000"];
}

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** The control plane's monthly bill for a fleet of `n` instances. */
export function estimate(inputs: CostInputs, n: number): CostEstimate {
  const monitorCalls = callsAt(inputs.monitorCalls, n);
  const readinessCalls = callsAt(inputs.readinessCalls, n);
  const launches = LAUNCHES_PER_INSTANCE * n;
  const drillVerifySeconds = DRILL_VERIFY_MB / Math.max(inputs.verifierMBps, 1);
  const gb = (mb: number) => mb / 1024;

  // Lambda: invocations and GB-seconds per function family.
  const families = [
    {
      name: "monitor (1/min)",
      count: MINUTES,
      seconds: MONITOR_PROBE_WAIT_SECONDS + monitorCalls * CALL_SECONDS,
      mb: MB.default,
    },
    { name: "reconciler (5 min)", count: MINUTES / 5, seconds: 1, mb: MB.default },
    {
      name: "readiness run (1/h)",
      count: HOURS,
      seconds: READINESS_PROBE_WAIT_SECONDS + readinessCalls * CALL_SECONDS,
      mb: MB.readiness,
    },
    { name: "drill sweeper (1/h)", count: HOURS, seconds: 0.5, mb: MB.default },
    { name: "drill tasks", count: DRILLS_PER_MONTH * DRILL_LAMBDA_INVOCATIONS, seconds: 1, mb: MB.default },
    { name: "drill verifier", count: DRILLS_PER_MONTH, seconds: drillVerifySeconds, mb: MB.verifier },
    {
      name: "gate + drain tasks",
      count: (launches * (GATE_TRANSITIONS + DRAIN_TRANSITIONS)) / 2,
      seconds: 0.5,
      mb: MB.default,
    },
    { name: "alert router", count: alertsPerMonth(n), seconds: 1, mb: MB.default },
  ];
  const invocations = families.reduce((s, f) => s + f.count, 0);
  const lines: CostLine[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, price: number) =>
    lines.push({
      service,
      item,
      quantity: Math.round(quantity * 100) / 100,
      unit,
      usd: round(quantity * price),
    });

  for (const f of families)
    add("Lambda", `${f.name}: compute`, f.count * f.seconds * gb(f.mb), "GB-s", LAMBDA_ARM_GB_SECOND_USD);
  add("Lambda", "requests (all functions)", invocations, "requests", LAMBDA_REQUEST_USD);
  add(
    "Step Functions",
    "launch gates and drains",
    launches * (GATE_TRANSITIONS + DRAIN_TRANSITIONS),
    "transitions",
    SFN_TRANSITION_USD,
  );
  add(
    "Step Functions",
    "restore drills",
    DRILLS_PER_MONTH * DRILL_TRANSITIONS,
    "transitions",
    SFN_TRANSITION_USD,
  );

  // CloudWatch metrics: metric-months, prorated by the hours each metric is sent.
  const monitorFleetMetrics = 2; // HealthyGateways, UnhealthyGateways
  const readinessMetrics = AREAS.length * 2 + 1; // ReadinessFailing/Unknown per area + total
  const drillMetricMonths = (7 * DRILLS_PER_MONTH) / HOURS; // a few metrics, one hour a week
  // Per-instance gateway health is an EMF property of the monitor's line (searchable, no metric): no line item.
  add(
    "CloudWatch",
    "metrics: fleet health (monitor)",
    monitorFleetMetrics,
    "metric-months",
    CW_METRIC_MONTH_USD,
  );
  add(
    "CloudWatch",
    "metrics: readiness per area + total",
    readinessMetrics,
    "metric-months",
    CW_METRIC_MONTH_USD,
  );
  add("CloudWatch", "metrics: drills (hours sent)", drillMetricMonths, "metric-months", CW_METRIC_MONTH_USD);
  // No ColdStart metric: lambdaHandler no longer publishes one per function (cold_start is in every log line).
  add("CloudWatch", "alarms", inputs.alarms, "alarm-months", CW_ALARM_MONTH_USD);

  const singleMetricLines = MINUTES * n + HOURS * AREAS.length * 2;
  const ingestGb =
    (invocations * LOG_BYTES_PER_INVOCATION + singleMetricLines * LOG_BYTES_PER_SINGLE_METRIC) / 1024 ** 3;
  add("CloudWatch Logs", "ingestion (logs + EMF)", ingestGb, "GB", LOGS_INGEST_GB_USD);
  add(
    "CloudWatch Logs",
    "storage after a year (compressed)",
    ingestGb * LOGS_COMPRESSION * LOGS_RETAINED_MONTHS,
    "GB-months",
    LOGS_STORAGE_GB_MONTH_USD,
  );

  // DynamoDB: monitor histories (1 read + 1 write a run), router dedup/thread state (2 + 2), drills, gates.
  const reads = MINUTES + alertsPerMonth(n) * 2 + HOURS + launches * 2;
  const writes = MINUTES + alertsPerMonth(n) * 2 + HOURS + launches * 2 + DRILLS_PER_MONTH * 4;
  add("DynamoDB", "on-demand reads", reads, "RRU", DDB_READ_MILLION_USD / 1e6);
  add("DynamoDB", "on-demand writes", writes, "WRU", DDB_WRITE_MILLION_USD / 1e6);

  add("Secrets Manager", "Slack token secret", inputs.secrets, "secret-months", SECRET_MONTH_USD);
  add(
    "Secrets Manager",
    "GetSecretValue (router, worst case one per alert)",
    alertsPerMonth(n),
    "calls",
    SECRET_API_10K_USD / 10_000,
  );
  const ssmCalls = MINUTES * monitorCalls + HOURS * readinessCalls + launches * inputs.ssmCallsPerGate;
  add("SSM", "Run Command and API calls (no charge)", ssmCalls, "calls", SSM_RUN_COMMAND_USD);
  add(
    "EventBridge",
    "clawops custom events (drift, drill, lifecycle)",
    HOURS * 0.1 + DRILLS_PER_MONTH + launches * 2,
    "events",
    EVENTBRIDGE_CUSTOM_EVENT_USD,
  );
  add("KMS", "customer managed keys", inputs.kmsKeys, "key-months", KMS_KEY_MONTH_USD);
  add("X-Ray", "traces (active tracing, all sampled at this rate)", invocations, "traces", XRAY_TRACE_USD);

  const totalUsd = round(lines.reduce((s, l) => s + l.usd, 0));
  // Per-area readiness as structured log fields instead of metrics (the alarms use the
  // fleet totals), and the monitor collecting the probe's results on its next run instead of waiting 10 s.
  // And one customer managed key (Core's) for every stack's encrypted logs instead of one per stack.
  const metricFixSavings = AREAS.length * 2 * CW_METRIC_MONTH_USD;
  const keyFixSavings = Math.max(inputs.kmsKeys - 1, 0) * KMS_KEY_MONTH_USD;
  const waitFixSavings = MINUTES * MONITOR_PROBE_WAIT_SECONDS * gb(MB.default) * LAMBDA_ARM_GB_SECOND_USD;
  return {
    instances: n,
    lines,
    totalUsd,
    withFixesUsd: round(totalUsd - metricFixSavings - waitFixSavings - keyFixSavings),
  };
}

/** The bills for 3, 10 and 100 instances. */
export function costModel(inputs: CostInputs): {
  "3": CostEstimate;
  "10": CostEstimate;
  "100": CostEstimate;
} {
  return { "3": estimate(inputs, 3), "10": estimate(inputs, 10), "100": estimate(inputs, 100) };
}
