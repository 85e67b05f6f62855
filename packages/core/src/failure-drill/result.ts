import type { FailureDrillRecord } from "../readiness/evidence.js";
import type { DrillProgress } from "./progress.js";
import type { GatewayRestart } from "./restart.js";
import type { DrillWindows } from "./settings.js";

/** Pass or fail of one window; `missed` when the step never happened. */
export type WindowVerdict = "pass" | "fail" | "missed";

/** Everything a finished (or aborted) drill measured and concluded. */
export interface FailureDrillResult {
  readonly drillId: string;
  readonly instanceId: string;
  /** When the drill started (ISO): the record's `at` and its sort key. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: {
    /**
     * Stop sent → the gateway first seen stopped (an observation, so up to one observe interval late). No window:
     * reported, not judged; the alarm and replacement times include it. Results stored before it have none.
     */
    readonly stopConfirmed?: number | null;
    readonly alarm: number | null;
    readonly alertDelivered: number | null;
    readonly replacement: number | null;
    /** Gateway stopped → alarm back to OK. No window: reported, not judged. */
    readonly recovered: number | null;
  };
  readonly windows: DrillWindows;
  readonly verdicts: {
    readonly alarm: WindowVerdict;
    readonly alert: WindowVerdict;
    readonly replacement: WindowVerdict;
  };
  readonly passed: boolean;
  readonly replacementInstanceId: string | null;
  /** Why the drill stopped early, when it did (an abort, a stop that failed, an error). */
  readonly abortedBecause: string | null;
  /** What became of the stopped gateway when the drill tried to restart it; `null` when it did not try. */
  readonly restart: GatewayRestart | null;
}

const seconds = (from: number | null, to: number | null) =>
  from === null || to === null ? null : Math.max(0, Math.round((to - from) / 1000));

function verdict(measured: number | null, window: number): WindowVerdict {
  if (measured === null) return "missed";
  return measured <= window ? "pass" : "fail";
}

/** Judges the drill's measured times against the configured windows. */
export function failureDrillResult(input: {
  readonly drillId: string;
  readonly instanceId: string;
  readonly startedAt: string;
  readonly finishedAt: number;
  readonly progress: DrillProgress;
  readonly windows: DrillWindows;
  readonly abortedBecause?: string | null | undefined;
  readonly restart?: GatewayRestart | null | undefined;
}): FailureDrillResult {
  const p = input.progress;
  const measured = {
    stopConfirmed: seconds(p.stoppedAt, p.stopConfirmedAt ?? null),
    alarm: seconds(p.stoppedAt, p.alarmAt),
    alertDelivered: seconds(p.alarmAt, p.alertDeliveredAt),
    replacement: seconds(p.stoppedAt, p.replacedAt),
    recovered: seconds(p.stoppedAt, p.okAt),
  };
  const verdicts = {
    alarm: verdict(measured.alarm, input.windows.alarmSeconds),
    alert: verdict(measured.alertDelivered, input.windows.alertSeconds),
    replacement: verdict(measured.replacement, input.windows.replacementSeconds),
  };
  const abortedBecause = input.abortedBecause ?? null;
  return {
    drillId: input.drillId,
    instanceId: input.instanceId,
    startedAt: input.startedAt,
    finishedAt: new Date(input.finishedAt).toISOString(),
    seconds: measured,
    windows: input.windows,
    verdicts,
    passed: abortedBecause === null && Object.values(verdicts).every((v) => v === "pass"),
    replacementInstanceId: p.replacementInstanceId,
    abortedBecause,
    restart: input.restart ?? null,
  };
}

/** The record readiness reads (`pk=drill#failure`, attribute `record`): exactly a `FailureDrillRecord`. */
export function failureDrillRecord(result: FailureDrillResult): FailureDrillRecord {
  return {
    drillId: result.drillId,
    at: result.startedAt,
    alarmSeconds: result.seconds.alarm,
    alertDeliveredSeconds: result.seconds.alertDelivered,
    replacementSeconds: result.seconds.replacement,
    windows: {
      alarmSeconds: result.windows.alarmSeconds,
      alertSeconds: result.windows.alertSeconds,
      replacementSeconds: result.windows.replacementSeconds,
    },
  };
}

/** Keys of the drill's items in the Core state table. */
export const FailureDrillKeys = {
  pk: "drill#failure",
  /** One item per run, sorted by start: readiness reads the newest. */
  run: (startedAt: string, drillId: string) => `run#${startedAt}#${drillId}`,
  /** The lock that keeps two drills from running at once. */
  lock: "lock",
} as const;

/** Metric names the record step publishes (namespace `Clawops`, dimension `Fleet`). */
export const FailureDrillMetric = {
  AlarmSeconds: "FailureDrillAlarmSeconds",
  AlertDeliveredSeconds: "FailureDrillAlertDeliveredSeconds",
  ReplacementSeconds: "FailureDrillReplacementSeconds",
  Passed: "FailureDrillPassed",
} as const;

/** The metrics of one result: each measured time, and 1/0 for passed. */
export function failureDrillMetrics(
  result: FailureDrillResult,
): { name: string; value: number; unit: "Seconds" | "Count" }[] {
  const times: [string, number | null][] = [
    [FailureDrillMetric.AlarmSeconds, result.seconds.alarm],
    [FailureDrillMetric.AlertDeliveredSeconds, result.seconds.alertDelivered],
    [FailureDrillMetric.ReplacementSeconds, result.seconds.replacement],
  ];
  return [
    ...times.flatMap(([name, value]) => (value === null ? [] : [{ name, value, unit: "Seconds" as const }])),
    { name: FailureDrillMetric.Passed, value: result.passed ? 1 : 0, unit: "Count" },
  ];
}
