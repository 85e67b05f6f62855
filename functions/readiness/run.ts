import { randomUUID } from "node:crypto";
import { lambdaHandler } from "@clawops/core/handler";
import {
  detectDrift,
  driftEvents,
  evaluateReadiness,
  knownStatuses,
  parseReadinessSettings,
} from "@clawops/core/readiness";
import { gatherEvidence } from "./gather.js";
import type { Sleep } from "./probes.js";
import { publishDrift, publishReadinessMetrics } from "./publish.js";
import { markAnnounced, previousRun, storeRun } from "./store.js";

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What started the run: the schedule (an EventBridge scheduled event) or `clawops readiness` (on demand). */
export interface RunInput {
  readonly trigger: "schedule" | "on-demand";
}

function parseRunInput(event: unknown): RunInput {
  const source = (event as { source?: unknown } | null)?.source;
  return { trigger: source === "aws.events" || source === "aws.scheduler" ? "schedule" : "on-demand" };
}

/**
 * The readiness run: gather the evidence once, evaluate every check, store the run, publish the failing count
 * (per area as a log property), and publish a drift event only when a check's last known status newly fails or
 * clears (a run where it is `unknown` does not count). Returns the report (the CLI prints it).
 */
export function createRunHandler(options: { sleep?: Sleep; now?: () => Date } = {}) {
  const sleep = options.sleep ?? realSleep;
  const clock = options.now ?? (() => new Date());
  return lambdaHandler({
    kind: "event",
    parse: parseRunInput,
    handler: async (input, { env, logger, metrics }) => {
      const settings = parseReadinessSettings(env.settings);
      if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
      const now = clock();
      const runId = `readiness-${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomUUID().slice(0, 8)}`;
      const [evidence, previous] = await Promise.all([
        gatherEvidence(settings, { table: env.stateTable, now, sleep }),
        previousRun(env.stateTable),
      ]);
      const report = evaluateReadiness(evidence, settings, { runId, now });
      const drift = detectDrift(report, previous?.statuses);
      const events = driftEvents(report, drift);
      const known = knownStatuses(report, previous?.statuses);
      // Until its events are out, the run leaves the known statuses as they were: a refused publish
      // (DriftPublishError, retried) is announced by the retry or the next run instead of being lost.
      await storeRun(
        env.stateTable,
        report,
        previous,
        events.length > 0 ? (previous?.statuses ?? {}) : known,
      );
      publishReadinessMetrics(metrics, report);
      if (events.length > 0) {
        await publishDrift(env, events);
        await markAnnounced(env.stateTable, report, known);
      }
      logger.info("readiness run", {
        runId,
        trigger: input.trigger,
        passed: report.passed,
        newlyFailing: drift.newlyFailing.map((c) => c.id),
        cleared: drift.cleared.map((c) => c.id),
      });
      return report;
    },
  });
}

export const handler = createRunHandler();
