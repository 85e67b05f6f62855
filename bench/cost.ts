/**
 * Monthly cost of the clawops control plane (not the fleet's own EC2/EFS/NAT) for fleets of 3, 10 and 100
 * instances: the benchmarks' AWS call counts, what the synthesized stacks deploy (keys, alarms, secrets, each
 * function's memory, tracing and schedule: bench/cost-inventory.ts), the metrics the code publishes (named
 * lists its tests pin to the EMF output and to the functions' sources), the workflows' paths on their ASL
 * (bench/cost-workflows.ts), the monitor's state item as its code writes it (bench/cost-monitor-state.ts),
 * readiness's records as its run writes them (bench/cost-readiness-records.ts) and the assumptions below, × AWS's
 * public us-east-1 prices. The bill is the steady state (year 3 on: the KMS key has
 * been rotated twice); the first and second years differ only by the key's rotations.
 * No free tier is subtracted (an account's free tier is shared with everything else in it).
 * Every assumption is a named constant; every price names the page it comes from.
 */
import { DAYS_SINCE_PASS_EVERY_HOURS } from "@clawops/core/drills";
import { FailureDrillMetric, OBSERVE_INTERVAL_SECONDS } from "@clawops/core/failure-drill";
import { GONE_ACTION_METRIC } from "@clawops/core/lifecycle";
import { MONITOR_METRICS } from "../functions/lifecycle/monitor.js";
import { PROBE_FIRST_LOOK_SECONDS, PROBE_LOOK_EVERY_SECONDS } from "../functions/readiness/probes.js";
import { ReadinessMetric } from "../functions/readiness/publish.js";
import { type DeployedFunction, type Inventory, MINUTES_A_MONTH } from "./cost-inventory.js";
import { monitorItemMargin, monitorStateBytes } from "./cost-monitor-state.js";
import type { ReadinessRecords } from "./cost-readiness-records.js";
import { type DrillTimings, failureDrillRun, launchGateRun, restoreDrillRun } from "./cost-workflows.js";

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
/** "Amazon DynamoDB Pricing", data storage (Standard table class): per GB-month (the 25 GB free not subtracted). */
export const DDB_STORAGE_GB_MONTH_USD = 0.25;
/** "Amazon DynamoDB Pricing", continuous backups (point-in-time recovery): per GB-month of the table's size. */
export const DDB_PITR_GB_MONTH_USD = 0.2;
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
/**
 * "AWS Key Management Service Pricing" (since May 2024): each of a key's first two rotations adds $1 a month;
 * later rotations are free. Automatic rotation (`enableKeyRotation`) is yearly by default.
 */
export const KMS_ROTATION_MONTH_USD = 1;
export const KMS_PRICED_ROTATIONS = 2;
/** "AWS Key Management Service Pricing": per 10,000 symmetric requests (the first 20,000 a month are free). */
export const KMS_REQUEST_10K_USD = 0.03;
export const KMS_FREE_REQUESTS_A_MONTH = 20_000;
/** "AWS Backup Pricing", Restore: per GB of Amazon EFS data restored (warm storage), us-east-1. */
export const BACKUP_EFS_RESTORE_GB_USD = 0.02;
/** "Amazon EFS Pricing", Standard storage (Regional): per GB-month, us-east-1. */
export const EFS_STANDARD_GB_MONTH_USD = 0.3;
/** "Amazon CloudWatch Pricing", API: GetMetricData per 1,000 metrics requested (DescribeAlarms is not a priced API). */
export const CW_GET_METRIC_DATA_1K_METRICS_USD = 0.01;
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
/** State transitions of a drain (Drain, DrainStep, a wait or two, Continue, Drained) and its Lambda tasks. */
const DRAIN_TRANSITIONS = 8;
const DRAIN_TASKS = 4;
/**
 * Data a drill restores and the verifier hashes (the fleet's two file systems, whole: StartRestoreJob restores a
 * whole file system to a new one); the verifier's speed comes from the drills benchmark.
 */
export const DRILL_VERIFY_MB = 2048;
/** Fleet file systems a drill restores when the inventory does not say (one verifier each). */
const DRILL_FILE_SYSTEMS = 2;
/**
 * AWS's times in a drill, which AWS does not publish: a restore job of a small file system (~10 minutes), the
 * mount targets (60–90 s) and Lambda's mount (up to a minute) prepared while it runs, and EFS deleting the mount
 * targets before the file system can go (docs/drills.md).
 */
export const DRILL_TIMINGS: DrillTimings = {
  restoreSeconds: 600,
  prepareSeconds: 150,
  mountTargetsDeleteSeconds: 60,
};
/** Metrics the drill report publishes (functions/drills/report.ts), each sent during one hour a drill. */
export const DRILL_REPORT_METRICS = [
  "DrillPassed",
  "DrillRpoSeconds",
  "DrillRtoSeconds",
  "DrillFilesVerified",
  "DrillBytesVerified",
  "DrillDaysSinceLastPass",
] as const;
/**
 * The sweeper's `DrillDaysSinceLastPass` (its own metric: the alarm's `service: drills-sweeper` dimension): sent
 * by the sweeper's runs every this many hours (its tests run the real handler through a day to pin it).
 */
export const SWEEPER_PUBLISHES_EVERY_HOURS = DAYS_SINCE_PASS_EVERY_HOURS;
/** Hours a month a lifecycle action is found gone (`LifecycleActionGone`, published only then): rare. */
const GONE_ACTION_HOURS = 1;
/**
 * How long a passing failure drill observes: from the gateway's stop until the replacement is in service and the
 * alarm is back to OK. The replacement window's default (`failureDrill.replacementWithinSeconds`, 900 s) bounds a
 * passing drill's replacement; AWS publishes no launch time.
 */
export const FAILURE_DRILL_SECONDS = 900;
/**
 * A failure drill's table calls besides its observations' GetItem (the alert delivery record): the lock's
 * GetItem, PutItem and DeleteItem and the drill record's PutItem (functions/failure-drill/drill-lock.ts,
 * drill-record.ts).
 */
const FAILURE_DRILL_TABLE_READS = 1;
const FAILURE_DRILL_TABLE_WRITES = 3;
/**
 * Scheduled state machines by what they run, from the logical id the stacks give them (stacks/Drills.ts'
 * `RestoreDrill`, stacks/FailureDrill.ts' `FailureDrill`, scheduled only when `failureDrill.schedule` is set).
 */
const SCHEDULED_WORKFLOWS = { restoreDrill: /^RestoreDrill/, failureDrill: /^FailureDrill/ } as const;
/**
 * Readiness's records when the inventory does not carry them (hand-built inventories): as
 * `measureReadinessRecords` last measured them on the real run (bench/cost-readiness-records.ts);
 * tests/cost-from-code.test.ts measures them again and fails when these no longer bill the same write units or
 * keep the same days. `npm run bench` prices the measured ones (`synthesizedInventory`).
 */
export const READINESS_RECORDS: ReadinessRecords = {
  runBytes: 17_557,
  latestBytes: 3_469,
  runRetentionDays: 90,
};
/**
 * What a clawops function gets when its stack sets nothing (stacks/index.ts `applyFunctionDefaults`): the failure
 * drill's functions (stacks/FailureDrill.ts), priced so when an inventory schedules the drill but lists none.
 */
const FUNCTION_DEFAULTS: DeployedFunction = { memoryMb: 256, tracing: true, scheduledPerMonth: 0 };
/** "Amazon DynamoDB Developer Guide", item sizes: DynamoDB stores each item with 100 bytes of overhead. */
const DDB_ITEM_OVERHEAD_BYTES = 100;
/**
 * The billed and DynamoDB calls of one readiness run, as the readiness benchmark's fake account answers it
 * (functions/readiness/tests/fake-aws.ts; its tests pin them). The others (EC2, Auto Scaling, EFS, IAM, Backup,
 * Lambda, SSM, CloudWatch Logs' FilterLogEvents) are not billed per call.
 */
export const READINESS_CALLS_A_RUN = {
  ListSecrets: 1,
  GetResourcePolicy: 3,
  DescribeAlarms: 1,
  GetMetricData: 1,
  GetItem: 1,
  Query: 4,
  PutItem: 2,
} as const;
/**
 * DynamoDB caches a table's key for each caller for up to 5 minutes ("Amazon DynamoDB Developer Guide", how
 * DynamoDB uses AWS KMS): a caller busy every minute costs a KMS request every 5 minutes, a rarer one one a use.
 */
const KMS_TABLE_KEY_CACHE_MINUTES = 5;
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

/**
 * The bill for one fleet size at steady state (year 3 on), as built, and with the fixes still open
 * (`openFixes`); the first two years' totals differ only by the KMS key's rotations.
 */
export interface CostEstimate {
  readonly instances: number;
  readonly lines: CostLine[];
  /** Year 3 on: each rotated key has had its two priced rotations. */
  readonly totalUsd: number;
  /** Year 1 (no rotation yet) and year 2 (one). */
  readonly firstYearUsd: number;
  readonly secondYearUsd: number;
  /** Same as `totalUsd`, with one customer managed key for the whole control plane. */
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
  /**
   * Invoked by a traced Standard workflow's Task state: the invocation joins the execution's trace (Step
   * Functions passes the trace header), so X-Ray records no trace of its own.
   */
  readonly inWorkflow: boolean;
}

/** One custom metric the functions publish, and the hours a month it is sent in (CloudWatch prorates by them). */
export interface PricedMetric {
  readonly publisher: string;
  /** The source files whose `addMetric` calls send them (a metric per function: its `service` dimension). */
  readonly publishedBy: readonly string[];
  readonly metrics: readonly string[];
  readonly hoursSent: number;
}

/**
 * Every custom metric the scheduled and event-driven functions publish, with the hours each is sent in. The
 * failure drill's are priced when it runs on a schedule (`failureDrill.schedule`); on demand only, they are not.
 */
export function pricedMetrics(inventory: Inventory): PricedMetric[] {
  const runsOf = (name: string) => deployed(inventory, name).scheduledPerMonth;
  const hours = MINUTES_A_MONTH / 60;
  const drills = drillsAMonth(inventory);
  return [
    {
      publisher: "monitor",
      publishedBy: ["functions/lifecycle/monitor.ts"],
      metrics: MONITOR_METRICS,
      hoursSent: Math.min(runsOf("lifecycle/monitor"), hours),
    },
    {
      publisher: "readiness",
      publishedBy: ["functions/readiness/publish.ts"],
      metrics: Object.values(ReadinessMetric),
      hoursSent: Math.min(runsOf("readiness/run"), hours),
    },
    {
      publisher: "drill report, one hour a drill",
      publishedBy: ["functions/drills/report.ts"],
      metrics: DRILL_REPORT_METRICS,
      hoursSent: drills.drills + drills.validations,
    },
    {
      publisher: `drill sweeper, every ${SWEEPER_PUBLISHES_EVERY_HOURS} h`,
      publishedBy: ["functions/drills/sweeper.ts"],
      metrics: ["DrillDaysSinceLastPass"],
      hoursSent: Math.min(runsOf("drills/sweeper"), hours) / SWEEPER_PUBLISHES_EVERY_HOURS,
    },
    {
      publisher: "lifecycle, when an action is gone",
      publishedBy: ["functions/lifecycle/publish.ts", "functions/lifecycle/auto-scaling.ts"],
      metrics: [GONE_ACTION_METRIC],
      hoursSent: GONE_ACTION_HOURS,
    },
    ...(drills.failureDrills > 0
      ? [
          {
            publisher: "scheduled failure drill's record, one hour a drill",
            publishedBy: ["functions/failure-drill/record.ts"],
            metrics: Object.values(FailureDrillMetric),
            hoursSent: drills.failureDrills,
          },
        ]
      : []),
  ];
}

/**
 * Scheduled restore drills, scheduled failure drills and restore-testing validations a month, and the file
 * systems a restore drill restores. A scheduled state machine the model does not know fails loudly.
 */
function drillsAMonth(inventory: Inventory) {
  let drills = 0;
  let failureDrills = 0;
  for (const [id, runs] of Object.entries(inventory.scheduledStateMachines)) {
    if (SCHEDULED_WORKFLOWS.restoreDrill.test(id)) drills += runs;
    else if (SCHEDULED_WORKFLOWS.failureDrill.test(id)) failureDrills += runs;
    else throw new Error(`the stacks schedule the state machine ${id}, which bench/cost.ts does not price`);
  }
  return {
    drills,
    failureDrills,
    validations: inventory.restoreTestJobsPerMonth ?? 0,
    fileSystems: inventory.drillFileSystems ?? DRILL_FILE_SYSTEMS,
  };
}

/** The control plane's monthly bill for a fleet of `n` instances (steady state; see `CostEstimate`). */
export function estimate(inputs: CostInputs, n: number): CostEstimate {
  const { inventory } = inputs;
  const fn = (name: string) => deployed(inventory, name);
  const { drills: drillsPerMonth, failureDrills, validations, fileSystems } = drillsAMonth(inventory);
  const drill = restoreDrillRun(fileSystems, DRILL_TIMINGS);
  const validation = restoreDrillRun(1, DRILL_TIMINGS, true);
  const failureDrillObservations = Math.ceil(FAILURE_DRILL_SECONDS / OBSERVE_INTERVAL_SECONDS);
  const failureDrill = failureDrillRun(failureDrillObservations);
  const gate = launchGateRun(Math.max(1, Math.round(inputs.ssmCallsPerGate / 2)));
  // A failure drill stops a gateway: the fleet replaces it (a launch gate and a drain) and the alarm's ALARM and
  // OK are routed to Slack.
  const launches = LAUNCHES_PER_INSTANCE * n + failureDrills;
  const alerts = alertsPerMonth(n) + 2 * failureDrills;
  const lifecycleExecutions = 2 * launches;
  const verifySeconds = (mb: number) => mb / Math.max(inputs.verifierMBps, 1);
  const families: Family[] = [
    {
      name: "monitor (schedule): compute",
      fn: fn("lifecycle/monitor"),
      count: fn("lifecycle/monitor").scheduledPerMonth,
      seconds: INVOCATION_OVERHEAD_SECONDS + callsAt(inputs.monitorCalls, n) * CALL_SECONDS,
      inWorkflow: false,
    },
    {
      name: "reconciler (schedule): compute",
      fn: fn("lifecycle/reconcile"),
      count: fn("lifecycle/reconcile").scheduledPerMonth,
      seconds: INVOCATION_OVERHEAD_SECONDS + RECONCILER_CALLS * CALL_SECONDS,
      inWorkflow: false,
    },
    {
      name: "readiness run (schedule): compute",
      fn: fn("readiness/run"),
      count: fn("readiness/run").scheduledPerMonth,
      seconds: READINESS_PROBE_WAIT_SECONDS + callsAt(inputs.readinessCalls, n) * CALL_SECONDS,
      inWorkflow: false,
    },
    {
      name: "drill sweeper (schedule): compute",
      fn: fn("drills/sweeper"),
      count: fn("drills/sweeper").scheduledPerMonth,
      seconds: 0.5,
      inWorkflow: false,
    },
    {
      name: "drill tasks (the workflow's Task states, verify apart)",
      fn: fn("drills/plan"),
      count: drillsPerMonth * (drill.tasks - fileSystems) + validations * (validation.tasks - 1),
      seconds: 1,
      inWorkflow: true,
    },
    {
      name: "drill verifier",
      fn: fn("drills/verify"),
      count: drillsPerMonth * fileSystems + validations,
      seconds: verifySeconds(DRILL_VERIFY_MB / fileSystems),
      inWorkflow: true,
    },
    {
      name: "gate + drain tasks",
      fn: fn("lifecycle/probe"),
      count: launches * (gate.tasks + DRAIN_TASKS),
      seconds: 0.5,
      inWorkflow: true,
    },
    ...(failureDrills > 0
      ? [
          {
            name: "failure drill tasks (schedule)",
            fn: inventory.functions["failure-drill/observe"] ?? FUNCTION_DEFAULTS,
            count: failureDrills * failureDrill.tasks,
            seconds: 0.5,
            inWorkflow: true,
          },
        ]
      : []),
    { name: "alert router", fn: fn("alerts/router"), count: alerts, seconds: 1, inWorkflow: false },
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
    `launch gates (${gate.transitions} states each, launch-gate.asl.json) and drains (${DRAIN_TRANSITIONS})`,
    launches * (gate.transitions + DRAIN_TRANSITIONS),
    "transitions",
    SFN_TRANSITION_USD,
  );
  add(
    "Step Functions",
    `restore drills (${drill.transitions} states each, restore-drill.asl.json${validations > 0 ? `; validations ${validation.transitions}` : ""})`,
    drillsPerMonth * drill.transitions + validations * validation.transitions,
    "transitions",
    SFN_TRANSITION_USD,
  );
  if (failureDrills > 0)
    add(
      "Step Functions",
      `scheduled failure drills (${failureDrill.transitions} states each, failure-drill.asl.json: ${FAILURE_DRILL_SECONDS / 60} min observed)`,
      failureDrills * failureDrill.transitions,
      "transitions",
      SFN_TRANSITION_USD,
    );

  // CloudWatch metrics: what the functions publish (their tests pin the lists to the code), prorated by hour sent.
  for (const m of pricedMetrics(inventory))
    add(
      "CloudWatch",
      `metrics: ${m.publisher} (${m.metrics.join(", ")})`,
      (m.metrics.length * m.hoursSent) / HOURS,
      "metric-months",
      CW_METRIC_MONTH_USD,
    );
  add("CloudWatch", "alarms", inventory.alarms, "alarm-months", CW_ALARM_MONTH_USD);
  const readinessRuns = fn("readiness/run").scheduledPerMonth;
  const clawopsAlarms = inventory.clawopsAlarms ?? Math.max(inventory.alarms - 1, 0);
  add(
    "CloudWatch",
    `GetMetricData (readiness: the metric of each of the ${clawopsAlarms} alarms in clawops' namespace, ${READINESS_CALLS_A_RUN.GetMetricData} call a run; DescribeAlarms is free)`,
    readinessRuns * clawopsAlarms,
    "metrics requested",
    CW_GET_METRIC_DATA_1K_METRICS_USD / 1000,
  );

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

  // DynamoDB: the monitor's one item grows with the fleet (a consistent GetItem and a PutItem a run, each billed by
  // its size); readiness's run record holds the whole report and its `latest` record every check's status (each
  // PutItem billed by its size, as the real run writes them); router dedup/thread state (2 + 2 an alert), readiness
  // reads (its measured calls), drills, gates, sweeper, scheduled failure drills.
  const monitorItemBytes = monitorStateBytes(n, (MINUTES_A_MONTH * 60) / Math.max(monitorRuns, 1));
  const monitorRru = Math.ceil(monitorItemBytes / 4096);
  const monitorWru = Math.ceil(monitorItemBytes / 1024);
  const records = inventory.readinessRecords ?? READINESS_RECORDS;
  const readinessWru = Math.ceil(records.runBytes / 1024) + Math.ceil(records.latestBytes / 1024);
  const sweeperPublishing = fn("drills/sweeper").scheduledPerMonth / SWEEPER_PUBLISHES_EVERY_HOURS;
  const readinessReads = READINESS_CALLS_A_RUN.GetItem + READINESS_CALLS_A_RUN.Query;
  const reads =
    monitorRuns * monitorRru +
    alerts * 2 +
    readinessRuns * readinessReads +
    launches * 2 +
    sweeperPublishing +
    failureDrills * (failureDrillObservations + FAILURE_DRILL_TABLE_READS);
  const writes =
    monitorRuns * monitorWru +
    alerts * 2 +
    readinessRuns * readinessWru +
    launches * 2 +
    (drillsPerMonth + validations) * 4 +
    failureDrills * FAILURE_DRILL_TABLE_WRITES;
  add(
    "DynamoDB",
    `on-demand reads (monitor item ${monitorItemBytes} B: ${monitorRru} RRU a run)`,
    reads,
    "RRU",
    DDB_READ_MILLION_USD / 1e6,
  );
  add("DynamoDB", "on-demand writes", writes, "WRU", DDB_WRITE_MILLION_USD / 1e6);
  // The table's size at steady state: readiness's run records until their TTL, each stored with DynamoDB's
  // overhead, plus the monitor's and `latest` items. Drill records (400 days, one a drill) and alert records
  // (`alerts.stateTtlDays`, a few hundred bytes an alert) add well under 1% and are left out.
  const runRecords = readinessRuns * (records.runRetentionDays / (MINUTES_A_MONTH / 1440));
  const tableGb =
    (runRecords * (records.runBytes + DDB_ITEM_OVERHEAD_BYTES) +
      records.latestBytes +
      monitorItemBytes +
      2 * DDB_ITEM_OVERHEAD_BYTES) /
    1024 ** 3;
  const tableItem =
    `${Math.round(runRecords)} readiness run records of ${records.runBytes} B (${Math.ceil(records.runBytes / 1024)} ` +
    `WRU a write; latest ${records.latestBytes} B, ${Math.ceil(records.latestBytes / 1024)} WRU) kept ` +
    `${records.runRetentionDays} days`;
  add("DynamoDB", `table storage (${tableItem})`, tableGb, "GB-months", DDB_STORAGE_GB_MONTH_USD);
  if (inventory.pointInTimeRecovery ?? true)
    add("DynamoDB", "point-in-time recovery (the table's size)", tableGb, "GB-months", DDB_PITR_GB_MONTH_USD);

  add("Secrets Manager", "secrets (Slack token)", inventory.secrets, "secret-months", SECRET_MONTH_USD);
  add(
    "Secrets Manager",
    "GetSecretValue (router, worst case one per alert)",
    alerts,
    "calls",
    SECRET_API_10K_USD / 10_000,
  );
  add(
    "Secrets Manager",
    "ListSecrets + GetResourcePolicy (readiness)",
    readinessRuns * (READINESS_CALLS_A_RUN.ListSecrets + READINESS_CALLS_A_RUN.GetResourcePolicy),
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
    "clawops custom events (drift, drill, lifecycle, failure drill announcements)",
    readinessRuns * 0.1 + drillsPerMonth + validations + launches * 2 + failureDrills * 2,
    "events",
    EVENTBRIDGE_CUSTOM_EVENT_USD,
  );

  // AWS Backup: each drill restores the whole fleet file systems to new ones (StartRestoreJob), and each job of the
  // stage's restore testing plan restores one; EFS stores the restored copy until the drill deletes it.
  const restoredGb =
    (drillsPerMonth * DRILL_VERIFY_MB + (validations * DRILL_VERIFY_MB) / fileSystems) / 1024;
  add(
    "AWS Backup",
    `EFS restores (drills: ${DRILL_VERIFY_MB / 1024} GB each, both file systems${validations > 0 ? "; restore testing jobs: one file system each" : ""})`,
    restoredGb,
    "GB",
    BACKUP_EFS_RESTORE_GB_USD,
  );
  const drillHours =
    (DRILL_TIMINGS.restoreSeconds +
      verifySeconds(DRILL_VERIFY_MB / fileSystems) +
      DRILL_TIMINGS.mountTargetsDeleteSeconds) /
    3600;
  add(
    "EFS",
    `restored file systems while a drill runs (${Math.round(drillHours * 60)} min each)`,
    restoredGb * drillHours,
    "GB-hours",
    EFS_STANDARD_GB_MONTH_USD / HOURS,
  );

  // KMS: the key-months, with each rotated key's two priced rotations (year 3 on), and the requests AWS makes with
  // the key: DynamoDB's table key for each caller (cached 5 minutes), secrets decrypted, workflow log groups.
  const rotated = Math.min(inventory.rotatedKmsKeys ?? inventory.kmsKeys, inventory.kmsKeys);
  const keyMonth = (rotations: number) =>
    inventory.kmsKeys * KMS_KEY_MONTH_USD + rotated * rotations * KMS_ROTATION_MONTH_USD;
  if (rotated > 0)
    add(
      "KMS",
      `customer managed keys, rotated yearly (year 3 on: $${KMS_KEY_MONTH_USD} + $${KMS_ROTATION_MONTH_USD} for each of the first ${KMS_PRICED_ROTATIONS} rotations)`,
      rotated,
      "key-months",
      KMS_KEY_MONTH_USD + KMS_PRICED_ROTATIONS * KMS_ROTATION_MONTH_USD,
    );
  if (inventory.kmsKeys > rotated)
    add(
      "KMS",
      "customer managed keys, not rotated",
      inventory.kmsKeys - rotated,
      "key-months",
      KMS_KEY_MONTH_USD,
    );
  const busyCallerRequests = Math.min(monitorRuns, MINUTES_A_MONTH / KMS_TABLE_KEY_CACHE_MINUTES);
  const kmsRequests =
    busyCallerRequests +
    readinessRuns +
    sweeperPublishing +
    alerts * 2 +
    lifecycleExecutions * 2 +
    (drillsPerMonth + validations + failureDrills) * 2;
  add(
    "KMS",
    `requests (within the ${KMS_FREE_REQUESTS_A_MONTH.toLocaleString("en-US")} free a month: ${kmsRequests <= KMS_FREE_REQUESTS_A_MONTH ? "yes" : "no"})`,
    kmsRequests,
    "requests",
    KMS_REQUEST_10K_USD / 10_000,
  );
  // X-Ray bills traces recorded: one per traced function invoked outside a workflow (schedules, the router) and
  // one per workflow execution (every state machine traces; its Task Lambdas join the execution's trace).
  const entryTraces = families.filter((f) => f.fn.tracing && !f.inWorkflow).reduce((s, f) => s + f.count, 0);
  const executions = lifecycleExecutions + drillsPerMonth + validations + failureDrills;
  add(
    "X-Ray",
    "traces (traced functions invoked outside a workflow, and workflow executions with their tasks)",
    entryTraces + executions,
    "traces",
    XRAY_TRACE_USD,
  );

  const totalUsd = round(lines.reduce((s, l) => s + l.usd, 0));
  const steadyKeys = keyMonth(KMS_PRICED_ROTATIONS);
  const keyFixSavings = Math.max(inventory.kmsKeys - 1, 0) * (steadyKeys / Math.max(inventory.kmsKeys, 1));
  return {
    instances: n,
    lines,
    totalUsd,
    firstYearUsd: round(totalUsd - steadyKeys + keyMonth(0)),
    secondYearUsd: round(totalUsd - steadyKeys + keyMonth(1)),
    withFixesUsd: round(totalUsd - keyFixSavings),
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

/** The target: the control plane under this many USD a month for a fleet of `TARGET_INSTANCES`. */
export const TARGET_USD = 3;
export const TARGET_INSTANCES = 10;

/** How much room the target fleet's bill has, and how close the monitor's item is to costing more. */
export interface CostMargin {
  readonly instances: number;
  readonly firstYearUsd: number;
  readonly totalUsd: number;
  /** `TARGET_USD` minus the bill (negative: over the target). */
  readonly firstYearHeadroomUsd: number;
  readonly steadyHeadroomUsd: number;
  readonly monitorItemBytes: number;
  /** Bytes the monitor's item has left before its next write unit (its group's name counts too). */
  readonly monitorBytesLeft: number;
  readonly monitorNextKb: number;
  /** The smallest fleet whose monitor item crosses that KB, what one more write unit a run costs, and its year 1. */
  readonly monitorCrossesAtInstances: number;
  readonly crossingWritesUsd: number;
  readonly crossingFirstYearUsd: number;
}

/** The margin of the target fleet's bill (`TARGET_INSTANCES`), computed from the model. */
export function costMargin(inputs: CostInputs, n = TARGET_INSTANCES): CostMargin {
  const bill = estimate(inputs, n);
  const monitorRuns = deployed(inputs.inventory, "lifecycle/monitor").scheduledPerMonth;
  const periodSeconds = (MINUTES_A_MONTH * 60) / Math.max(monitorRuns, 1);
  const margin = monitorItemMargin(n, periodSeconds);
  return {
    instances: n,
    firstYearUsd: bill.firstYearUsd,
    totalUsd: bill.totalUsd,
    firstYearHeadroomUsd: round(TARGET_USD - bill.firstYearUsd),
    steadyHeadroomUsd: round(TARGET_USD - bill.totalUsd),
    monitorItemBytes: monitorStateBytes(n, periodSeconds),
    monitorBytesLeft: margin.bytesLeft,
    monitorNextKb: margin.nextKb,
    monitorCrossesAtInstances: margin.crossesAtInstances,
    crossingWritesUsd: round((monitorRuns * DDB_WRITE_MILLION_USD) / 1e6),
    crossingFirstYearUsd: estimate(inputs, margin.crossesAtInstances).firstYearUsd,
  };
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
