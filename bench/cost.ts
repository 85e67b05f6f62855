/**
 * Monthly cost of the clawops control plane (not the fleet's own EC2/EFS/NAT) for fleets of 3, 10 and 100
 * instances: the benchmarks' AWS call counts, what the synthesized stacks deploy (keys, alarms, secrets, each
 * function's memory, tracing and schedule: bench/cost-inventory.ts), the metrics the code publishes (named
 * lists its tests pin to the EMF output) and the assumptions below, × AWS's public us-east-1 prices.
 * No free tier is subtracted (an account's free tier is shared with everything else in it).
 * Every assumption is a named constant; every price names the page it comes from.
 */
import { MONITOR_METRICS } from "../functions/lifecycle/monitor.js";
import { PROBE_FIRST_LOOK_SECONDS, PROBE_LOOK_EVERY_SECONDS } from "../functions/readiness/probes.js";
import { ReadinessMetric } from "../functions/readiness/publish.js";
import { type DeployedFunction, type Inventory, MINUTES_A_MONTH } from "./cost-inventory.js";

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
/** "AWS X-Ray Pricing": per trace recorded. Lambda's sampling (1 a second + 5%) records every one at these rates. */
export const XRAY_TRACE_USD = 5 / 1e6;

// ---- Assumptions ----
const HOURS = MINUTES_A_MONTH / 60;
/** Seconds of one AWS call inside a Lambda (within a region), and of a handler's own work per invocation. */
const CALL_SECONDS = 0.05;
const INVOCATION_OVERHEAD_SECONDS = 0.1;
/**
 * The readiness probe's script usually ends before the second look at its results (the egress probe waits its
 * 5 s timeout; the secret scan is bounded at 20 s): the run waits until then, not the 47 s bound.
 */
const READINESS_PROBE_WAIT_SECONDS = PROBE_FIRST_LOOK_SECONDS + PROBE_LOOK_EVERY_SECONDS;
/** AWS calls of a reconciler run: DescribeAutoScalingGroups and ListExecutions of both state machines. */
const RECONCILER_CALLS = 3;
/** Instance launches (and terminations) a month, per instance: one replacement a month (patching, refresh). */
const LAUNCHES_PER_INSTANCE = 1;
/** State transitions of a launch gate and of a drain (a probe loop of ~3 states per probe, ~5 probes). */
const GATE_TRANSITIONS = 20;
const DRAIN_TRANSITIONS = 8;
/** A restore drill of two file systems: ~30 polls × 3 states plus setup, verify and cleanup. */
const DRILL_TRANSITIONS = 120;
const DRILL_LAMBDA_INVOCATIONS = 40;
/** Data the verifier hashes per drill (two file systems); its speed comes from the drills benchmark. */
const DRILL_VERIFY_MB = 2048;
/** Metrics a drill publishes, each sent during one hour of the month per drill. */
const DRILL_METRICS = 7;
/** Alarm state changes a month routed to Slack: a baseline plus two per instance. */
const alertsPerMonth = (n: number) => 20 + 2 * n;
/** Log bytes per invocation (Logger lines, EMF blob, START/END/REPORT) and per instance in the monitor's line. */
const LOG_BYTES_PER_INVOCATION = 2_000;
const LOG_BYTES_PER_MONITORED_INSTANCE = 40;
/** Stored compressed at about this ratio; storage shown at steady state after a year of 365-day retention. */
const LOGS_COMPRESSION = 0.15;
const LOGS_RETAINED_MONTHS = 12;

/** What the model is given: the benchmarks' call counts and the synthesized inventory. */
export interface CostInputs {
  /** AWS calls of one monitor run and one readiness run, by fleet size (10/100/1000 instances). */
  readonly monitorCalls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  readonly readinessCalls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  readonly ssmCallsPerGate: number;
  readonly verifierMBps: number;
  readonly inventory: Inventory;
}

/** One line of the bill. */
export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

/** The bill for one fleet size, as built, and with the fixes still open (`openFixes`). */
export interface CostEstimate {
  readonly instances: number;
  readonly lines: CostLine[];
  readonly totalUsd: number;
  /** Same, with one customer managed key for the whole control plane. */
  readonly withFixesUsd: number;
}

/** Calls grow with SSM batches of 50: 3 and 10 instances are one batch; the measured step above. */
function callsAt(measured: CostInputs["monitorCalls"], n: number): number {
  if (n <= 10) return measured["10"];
  if (n <= 100) return measured["100"];
  return measured["1000"];
}

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** The deployed function, or a clear error when the stacks no longer deploy it. */
function deployed(inventory: Inventory, name: string): DeployedFunction {
  const fn = inventory.functions[name];
  if (!fn) throw new Error(`the synthesized stacks deploy no function ${name} (bench/cost.ts prices it)`);
  return fn;
}

/** One priced family of invocations of a deployed function. */
interface Family {
  readonly name: string;
  readonly fn: DeployedFunction;
  readonly count: number;
  readonly seconds: number;
}

/** The control plane's monthly bill for a fleet of `n` instances. */
export function estimate(inputs: CostInputs, n: number): CostEstimate {
  const { inventory } = inputs;
  const fn = (name: string) => deployed(inventory, name);
  const drillsPerMonth = Object.values(inventory.scheduledStateMachines).reduce((a, b) => a + b, 0);
  const launches = LAUNCHES_PER_INSTANCE * n;
  const lifecycleExecutions = 2 * launches;
  const families: Family[] = [
    {
      name: "monitor (schedule): compute",
      fn: fn("lifecycle/monitor"),
      count: fn("lifecycle/monitor").scheduledPerMonth,
      seconds: INVOCATION_OVERHEAD_SECONDS + callsAt(inputs.monitorCalls, n) * CALL_SECONDS,
    },
    {
      name: "reconciler (schedule): compute",
      fn: fn("lifecycle/reconcile"),
      count: fn("lifecycle/reconcile").scheduledPerMonth,
      seconds: INVOCATION_OVERHEAD_SECONDS + RECONCILER_CALLS * CALL_SECONDS,
    },
    {
      name: "readiness run (schedule): compute",
      fn: fn("readiness/run"),
      count: fn("readiness/run").scheduledPerMonth,
      seconds: READINESS_PROBE_WAIT_SECONDS + callsAt(inputs.readinessCalls, n) * CALL_SECONDS,
    },
    {
      name: "drill sweeper (schedule): compute",
      fn: fn("drills/sweeper"),
      count: fn("drills/sweeper").scheduledPerMonth,
      seconds: 0.5,
    },
    {
      name: "drill tasks",
      fn: fn("drills/plan"),
      count: drillsPerMonth * DRILL_LAMBDA_INVOCATIONS,
      seconds: 1,
    },
    {
      name: "drill verifier",
      fn: fn("drills/verify"),
      count: drillsPerMonth,
      seconds: DRILL_VERIFY_MB / Math.max(inputs.verifierMBps, 1),
    },
    {
      name: "gate + drain tasks",
      fn: fn("lifecycle/probe"),
      count: (launches * (GATE_TRANSITIONS + DRAIN_TRANSITIONS)) / 2,
      seconds: 0.5,
    },
    { name: "alert router", fn: fn("alerts/router"), count: alertsPerMonth(n), seconds: 1 },
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
    add("Lambda", f.name, f.count * f.seconds * (f.fn.memoryMb / 1024), "GB-s", LAMBDA_ARM_GB_SECOND_USD);
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
    drillsPerMonth * DRILL_TRANSITIONS,
    "transitions",
    SFN_TRANSITION_USD,
  );

  // CloudWatch metrics: the lists the functions publish (their tests pin them to the EMF output).
  add(
    "CloudWatch",
    `metrics: monitor (${MONITOR_METRICS.join(", ")})`,
    MONITOR_METRICS.length,
    "metric-months",
    CW_METRIC_MONTH_USD,
  );
  const readinessMetrics = Object.values(ReadinessMetric);
  add(
    "CloudWatch",
    `metrics: readiness (${readinessMetrics.join(", ")})`,
    readinessMetrics.length,
    "metric-months",
    CW_METRIC_MONTH_USD,
  );
  add(
    "CloudWatch",
    "metrics: drills (hours sent)",
    (DRILL_METRICS * drillsPerMonth) / HOURS,
    "metric-months",
    CW_METRIC_MONTH_USD,
  );
  add("CloudWatch", "alarms", inventory.alarms, "alarm-months", CW_ALARM_MONTH_USD);

  const monitorRuns = fn("lifecycle/monitor").scheduledPerMonth;
  const ingestGb =
    (invocations * LOG_BYTES_PER_INVOCATION + monitorRuns * n * LOG_BYTES_PER_MONITORED_INSTANCE) / 1024 ** 3;
  add("CloudWatch Logs", "ingestion (logs + EMF)", ingestGb, "GB", LOGS_INGEST_GB_USD);
  add(
    "CloudWatch Logs",
    "storage after a year (compressed)",
    ingestGb * LOGS_COMPRESSION * LOGS_RETAINED_MONTHS,
    "GB-months",
    LOGS_STORAGE_GB_MONTH_USD,
  );

  // DynamoDB: monitor state (1 read + 1 write a run), router dedup/thread state (2 + 2), readiness, drills, gates.
  const readinessRuns = fn("readiness/run").scheduledPerMonth;
  const reads = monitorRuns + alertsPerMonth(n) * 2 + readinessRuns + launches * 2;
  const writes = monitorRuns + alertsPerMonth(n) * 2 + readinessRuns + launches * 2 + drillsPerMonth * 4;
  add("DynamoDB", "on-demand reads", reads, "RRU", DDB_READ_MILLION_USD / 1e6);
  add("DynamoDB", "on-demand writes", writes, "WRU", DDB_WRITE_MILLION_USD / 1e6);

  add("Secrets Manager", "secrets (Slack token)", inventory.secrets, "secret-months", SECRET_MONTH_USD);
  add(
    "Secrets Manager",
    "GetSecretValue (router, worst case one per alert)",
    alertsPerMonth(n),
    "calls",
    SECRET_API_10K_USD / 10_000,
  );
  const ssmCalls =
    monitorRuns * callsAt(inputs.monitorCalls, n) +
    readinessRuns * callsAt(inputs.readinessCalls, n) +
    launches * inputs.ssmCallsPerGate;
  add("SSM", "Run Command and API calls (no charge)", ssmCalls, "calls", SSM_RUN_COMMAND_USD);
  add(
    "EventBridge",
    "clawops custom events (drift, drill, lifecycle)",
    readinessRuns * 0.1 + drillsPerMonth + launches * 2,
    "events",
    EVENTBRIDGE_CUSTOM_EVENT_USD,
  );
  add("KMS", "customer managed keys", inventory.kmsKeys, "key-months", KMS_KEY_MONTH_USD);
  const traced = families.filter((f) => f.fn.tracing).reduce((s, f) => s + f.count, 0);
  add(
    "X-Ray",
    "traces (functions with active tracing, and workflow executions)",
    traced + lifecycleExecutions + drillsPerMonth,
    "traces",
    XRAY_TRACE_USD,
  );

  const totalUsd = round(lines.reduce((s, l) => s + l.usd, 0));
  const keyFixSavings = Math.max(inventory.kmsKeys - 1, 0) * KMS_KEY_MONTH_USD;
  return { instances: n, lines, totalUsd, withFixesUsd: round(totalUsd - keyFixSavings) };
}

/** The bills for 3, 10 and 100 instances. */
export function costModel(inputs: CostInputs): {
  "3": CostEstimate;
  "10": CostEstimate;
  "100": CostEstimate;
} {
  return { "3": estimate(inputs, 3), "10": estimate(inputs, 10), "100": estimate(inputs, 100) };
}

/** What the "with fixes" figure assumes that the stacks do not do yet (empty when nothing is open). */
export function openFixes(inventory: Inventory): string[] {
  const extraKeys = Object.entries(inventory.kmsKeysByStack).filter(([stack]) => stack !== "Core");
  return extraKeys.length === 0
    ? []
    : [
        `one customer managed key for the whole control plane: ${extraKeys
          .map(([stack, n]) => `${stack} creates ${n}`)
          .join(", ")} of its own ($${KMS_KEY_MONTH_USD} a month each) where Core's key (its policy lets ` +
          "CloudWatch Logs use it for the account's log groups) would do, as the Lifecycle stack does",
      ];
}
