import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { metrics as Metrics } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { type ClawopsDetailType, clawopsEventEntry, refusedEntries } from "@clawops/core/events";
import { type DriftEventDetail, DriftPublishError, type ReadinessReport } from "@clawops/core/readiness";

/** The custom metrics a readiness run publishes (namespace `Clawops`, dimension `Fleet`): each is $0.30 a month. */
export const ReadinessMetric = { FailingTotal: "ReadinessFailingTotal" } as const;

/**
 * The run's failing checks as ONE metric (dimension Fleet), what an alarm would watch. Failing and unknown
 * counts per area ride in the same EMF line as a property (`areas`): searchable in Logs Insights without a
 * custom metric per area and figure (12 more metrics, $3.60 a month, that no alarm reads).
 */
export function publishReadinessMetrics(metrics: typeof Metrics, report: ReadinessReport): void {
  const areas = Object.fromEntries(report.areas.map((a) => [a.area, { fail: a.fail, unknown: a.unknown }]));
  metrics.addDimension("Fleet", report.fleet);
  metrics.addMetadata("areas", JSON.stringify(areas));
  metrics.addMetric(
    ReadinessMetric.FailingTotal,
    MetricUnit.Count,
    report.areas.reduce((n, a) => n + a.fail, 0),
  );
}

/**
 * Publishes the drift events (one PutEvents for both kinds); nothing, and no EventBridge client, when there are
 * none. Entries EventBridge refuses (FailedEntryCount) throw `DriftPublishError`, which is retryable.
 */
export async function publishDrift(
  where: { readonly stage: string; readonly eventBusName: string },
  events: readonly { detailType: ClawopsDetailType; detail: DriftEventDetail }[],
): Promise<void> {
  if (events.length === 0) return;
  // Loaded only when a check changed (most runs report no drift): not parsed at every cold start.
  const { EventBridgeClient, PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
  const refused = refusedEntries(
    await client(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: events.map((e) => clawopsEventEntry(where, e.detailType, e.detail)),
      }),
    ),
  );
  if (refused) throw new DriftPublishError(`PutEvents refused drift events: ${refused}`);
}
