/**
 * What the control plane deploys that the cost model prices, read from the synthesized CloudFormation templates
 * (the app as `sst deploy` would build it, offline): customer managed keys, alarms (and which watch clawops' own
 * namespace), secrets, each function's memory, X-Ray mode and schedule, how often the scheduled state machines
 * start, the state table's point-in-time recovery, and the restore testing jobs the Drills stack validates. Every
 * stack but the fleet's own (its EC2, EFS, key and secret are the fleet, not the control plane); from the fleet's
 * stack only its restore testing plan, whose jobs clawops validates. `synthesizedInventory` adds the records a
 * readiness run writes, measured on the real code (bench/cost-readiness-records.ts).
 */
import { METRICS_NAMESPACE } from "@clawops/core";
import type { ReadinessRecords } from "./cost-readiness-records.js";

/** A month of 730 hours, as AWS prices it. */
export const MINUTES_A_MONTH = 43_800;
const DAYS_A_MONTH = MINUTES_A_MONTH / 1440;
const WEEKS_A_MONTH = DAYS_A_MONTH / 7;
/** An imported fleet's restore testing plan is not in the templates: the reference plan's weekly default. */
const IMPORTED_PLAN_RUNS_A_MONTH = WEEKS_A_MONTH;

/** One deployed clawops function, by its handler (`lifecycle/monitor`). */
export interface DeployedFunction {
  readonly memoryMb: number;
  /** X-Ray active tracing (Lambda records 1 request a second and 5% more: at clawops' rates, every one). */
  readonly tracing: boolean;
  /** Invocations a month from the EventBridge schedules that target it (0 when none does). */
  readonly scheduledPerMonth: number;
}

/** The priced inventory of the control plane. */
export interface Inventory {
  readonly kmsKeys: number;
  /** Keys by stack, so the report can say which stack still brings its own. */
  readonly kmsKeysByStack: Readonly<Record<string, number>>;
  /** Keys with automatic rotation (`EnableKeyRotation`), each billed for its first two rotations. @default kmsKeys */
  readonly rotatedKmsKeys?: number;
  readonly alarms: number;
  /**
   * Alarms on a metric in clawops' namespace (`Clawops`): the only ones whose metric readiness requests with
   * GetMetricData (functions/readiness/gather-monitoring.ts). @default every alarm but Core's dead-letter alarm
   */
  readonly clawopsAlarms?: number;
  readonly secrets: number;
  readonly functions: Readonly<Record<string, DeployedFunction>>;
  /**
   * Scheduled starts a month by state machine logical id (`RestoreDrill0200534F`, and `FailureDrill…` when
   * `failureDrill.schedule` is set): bench/cost.ts prices each by the workflow its id names.
   */
  readonly scheduledStateMachines: Readonly<Record<string, number>>;
  /** Fleet file systems a drill restores (one verifier function each). @default 2 */
  readonly drillFileSystems?: number;
  /** Restore testing jobs a month the drill validates (each restores one file system). @default 0 */
  readonly restoreTestJobsPerMonth?: number;
  /** The state table keeps continuous backups (point-in-time recovery, billed by the table's size). @default true */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Readiness's records as the real run writes them (`synthesizedInventory` measures them).
   * @default READINESS_RECORDS in bench/cost.ts, as last measured
   */
  readonly readinessRecords?: ReadinessRecords;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
/** The part of a CloudFormation template read here. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

/** Values one cron field matches, out of `all` (`*`, `?`, lists, ranges, steps, names). */
function cronFieldCount(field: string, all: number, names: readonly string[] = []): number {
  if (field === "*" || field === "?") return all;
  let count = 0;
  for (const part of field.split(",")) {
    const [range = "", step] = part.split("/");
    const value = (v: string) =>
      names.includes(v.toUpperCase()) ? names.indexOf(v.toUpperCase()) : Number(v);
    const [from, to] = range === "*" ? [0, all - 1] : range.split("-").map(value);
    const last = to ?? (step ? all - 1 : from);
    count += Math.floor(((last ?? 0) - (from ?? 0)) / Number(step ?? 1)) + 1;
  }
  return count;
}

const DAYS_OF_WEEK = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

/**
 * Runs a month of an EventBridge schedule expression: `rate(n unit)` exactly, `cron(min hour dom month dow
 * year)` by counting its fields (every month assumed to match; days of the week as 4.35 weeks a month).
 */
export function runsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const minutes =
      Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as "minute" | "hour" | "day"];
    return MINUTES_A_MONTH / minutes;
  }
  const cron = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (cron?.length !== 6) throw new Error(`cannot price the schedule ${expression}`);
  const [minute = "*", hour = "*", dom = "*", , dow = "*"] = cron;
  const perDay = cronFieldCount(minute, 60) * cronFieldCount(hour, 24);
  if (dow !== "*" && dow !== "?") return perDay * cronFieldCount(dow, 7, DAYS_OF_WEEK) * WEEKS_A_MONTH;
  if (dom !== "*" && dom !== "?") return perDay * cronFieldCount(dom, 31);
  return perDay * DAYS_A_MONTH;
}

/** `functions/lifecycle/monitor.handler` → `lifecycle/monitor`; undefined for SST's and CDK's own functions. */
function functionName(handler: unknown): string | undefined {
  return typeof handler === "string" ? /^functions\/(.+)\.handler$/.exec(handler)?.[1] : undefined;
}

/** The logical id a rule target points at (`{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Ref": id }`). */
function targetId(arn: unknown): string | undefined {
  const ref = arn as { "Fn::GetAtt"?: [string, string]; Ref?: string } | undefined;
  return ref?.["Fn::GetAtt"]?.[0] ?? ref?.Ref;
}

/** Reads the inventory from every control-plane stack's template (`stackName` → template). */
export function inventoryOf(templates: Readonly<Record<string, CfnTemplate>>): Inventory {
  const kmsKeysByStack: Record<string, number> = {};
  const functions: Record<string, DeployedFunction> = {};
  const scheduledStateMachines: Record<string, number> = {};
  let alarms = 0;
  let clawopsAlarms = 0;
  let pointInTimeRecovery = false;
  let secrets = 0;
  let rotatedKmsKeys = 0;
  let drillFileSystems = 0;
  let validatesRestoreTests = false;
  const planRuns: number[] = [];
  for (const [stackName, template] of Object.entries(templates)) {
    for (const [, r] of Object.entries(template.Resources ?? {})) {
      const expression = r.Properties?.ScheduleExpression;
      if (r.Type === "AWS::Backup::RestoreTestingPlan" && typeof expression === "string")
        planRuns.push(runsPerMonth(expression));
    }
    if (/-Fleet$/.test(stackName)) continue;
    const stack = stackName.split("-").at(-1) ?? stackName;
    const resources = Object.entries(template.Resources ?? {});
    const schedules = new Map<string, number>();
    for (const [, r] of resources) {
      const expression = r.Properties?.ScheduleExpression;
      if (r.Type !== "AWS::Events::Rule" || typeof expression !== "string") continue;
      if (r.Properties?.State === "DISABLED") continue;
      for (const target of (r.Properties?.Targets ?? []) as { Arn?: unknown }[]) {
        const id = targetId(target.Arn);
        if (id) schedules.set(id, (schedules.get(id) ?? 0) + runsPerMonth(expression));
      }
    }
    for (const [id, r] of resources) {
      if (
        r.Type === "AWS::Events::Rule" &&
        /restoreTestingPlanArn/.test(JSON.stringify(r.Properties?.EventPattern ?? {}))
      )
        validatesRestoreTests = true;
      if (r.Type === "AWS::KMS::Key") {
        kmsKeysByStack[stack] = (kmsKeysByStack[stack] ?? 0) + 1;
        if (r.Properties?.EnableKeyRotation === true) rotatedKmsKeys += 1;
      } else if (r.Type === "AWS::CloudWatch::Alarm") {
        alarms += 1;
        if (r.Properties?.Namespace === METRICS_NAMESPACE && r.Properties.MetricName) clawopsAlarms += 1;
      } else if (r.Type === "AWS::DynamoDB::GlobalTable" || r.Type === "AWS::DynamoDB::Table") {
        if (/"PointInTimeRecoveryEnabled":true/.test(JSON.stringify(r.Properties ?? {})))
          pointInTimeRecovery = true;
      } else if (r.Type === "AWS::SecretsManager::Secret") secrets += 1;
      else if (r.Type === "AWS::StepFunctions::StateMachine" && schedules.has(id))
        scheduledStateMachines[id] = schedules.get(id) ?? 0;
      else if (r.Type === "AWS::Lambda::Function") {
        const name = functionName(r.Properties?.Handler);
        if (!name) continue;
        if (name === "drills/verify") drillFileSystems += 1;
        functions[name] = {
          memoryMb: Number(r.Properties?.MemorySize ?? 128),
          tracing: (r.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode === "Active",
          scheduledPerMonth: schedules.get(id) ?? 0,
        };
      }
    }
  }
  const kmsKeys = Object.values(kmsKeysByStack).reduce((a, b) => a + b, 0);
  // Each run of a plan starts one restore job per file system it selects (the fleet's, as the drill restores them).
  const plans = planRuns.length > 0 ? planRuns : [IMPORTED_PLAN_RUNS_A_MONTH];
  const restoreTestJobsPerMonth = validatesRestoreTests
    ? plans.reduce((a, b) => a + b, 0) * Math.max(drillFileSystems, 1)
    : 0;
  return {
    kmsKeys,
    kmsKeysByStack,
    rotatedKmsKeys,
    alarms,
    clawopsAlarms,
    secrets,
    functions,
    scheduledStateMachines,
    drillFileSystems,
    restoreTestJobsPerMonth,
    pointInTimeRecovery,
  };
}

/**
 * Synthesizes the app offline exactly as the stack tests do (default config, every function bundled, no
 * cdk-nag) and reads the inventory from its templates, then measures readiness's records on the real run
 * handler. A minute or two on 2 cores.
 */
export async function synthesizedInventory(): Promise<Inventory> {
  // SST only skips its STS and bootstrap lookups under NODE_ENV=test; synthesis needs neither.
  process.env.NODE_ENV = "test";
  process.env.SST_STAGE = "bench";
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
  const { synthesizeApp } = await import("../stacks/build.js");
  const { assembly } = await synthesizeApp({ stage: "bench", nag: false });
  const templates: Record<string, CfnTemplate> = {};
  for (const stack of assembly.stacks) templates[stack.stackName] = stack.template as CfnTemplate;
  // After synthesis: the readiness benchmark's fake account stubs the SDK clients.
  const { measureReadinessRecords } = await import("./cost-readiness-records.js");
  return { ...inventoryOf(templates), readinessRecords: await measureReadinessRecords() };
}
