import { MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  failureDrillMetrics,
  failureDrillNow,
  failureDrillRecord,
  failureDrillResult,
  startProgress,
} from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { releaseLock } from "./drill-lock.js";
import { storeDrillRecord } from "./drill-record.js";
import { type DrillState, DrillStateSchema, restartOf } from "./drill-state.js";
import { settingsOf, stateTableOf } from "./settings.js";

/**
 * Record task: judge the measured times against the windows, store the record readiness reads
 * (`pk=drill#failure`), publish the metrics, give the lock back. Announce then posts the result. An abort or
 * a stop that failed is the result's `abortedBecause`; whether the gateway came back is its `restart`.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(DrillStateSchema, event) as DrillState,
  handler: async (state, { env, logger, metrics }) => {
    const settings = settingsOf(env);
    const table = stateTableOf(env);
    const { drill } = state;
    const now = failureDrillNow();
    const ended = state.observe?.next === "abort" || state.observe?.next === "stop-failed";
    const result = failureDrillResult({
      drillId: drill.drillId,
      instanceId: drill.instanceId,
      startedAt: drill.startedAt,
      finishedAt: now,
      progress: state.progress ?? startProgress(Date.parse(drill.startedAt)),
      windows: settings.windows,
      abortedBecause: ended ? (state.observe?.reason ?? null) : null,
      restart: restartOf(state),
    });
    await storeDrillRecord(table, result, failureDrillRecord(result), settings.recordDays);
    metrics.addDimension("Fleet", settings.fleetName);
    for (const m of failureDrillMetrics(result))
      metrics.addMetric(m.name, m.unit === "Seconds" ? MetricUnit.Seconds : MetricUnit.Count, m.value);
    await releaseLock(table, drill.drillId);
    logger.info("failure drill recorded", {
      drillId: drill.drillId,
      passed: result.passed,
      seconds: result.seconds,
    });
    // A failed execution has no output: `DrillFailed` fails with this as its cause, so the caller still sees the times.
    return { ...state, result, resultJson: JSON.stringify(result) };
  },
});
