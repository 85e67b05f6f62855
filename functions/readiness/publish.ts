import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { metrics as Metrics } from "@clawops/core";
import { client } from "@clawops/core/aws";
import { EventSource } from "@clawops/core/events";
import type { DriftEventDetail, ReadinessReport } from "@clawops/core/readiness";

/**
 * Failing and unknown checks per area (dimensions Fleet, Area), and the run's total. Each area is flushed from
 * the one metrics instance (its own EMF line): a dimension set per area, both figures in it.
 */
export function publishAreaMetrics(metrics: typeof Metrics, report: ReadinessReport): void {
  for (const area of report.areas) {
    metrics.addDimensions({ Fleet: report.fleet, Area: area.area });
    metrics.addMetric("ReadinessFailing", MetricUnit.Count, area.fail);
    metrics.addMetric("ReadinessUnknown", MetricUnit.Count, area.unknown);
    metrics.publishStoredMetrics();
  }
  metrics.addDimension("Fleet", report.fleet);
  metrics.addMetric(
    "ReadinessFailingTotal",
    MetricUnit.Count,
    report.areas.reduce((n, a) => n + a.fail, 0),
  );
}

/** Publishes the drift events (one PutEvents for both kinds); nothing when there are none. */
export async function publishDrift(
  busName: string,
  events: readonly { detailType: string; detail: DriftEventDetail }[],
): Promise<void> {
  if (events.length === 0) return;
  const { FailedEntryCount = 0, Entries = [] } = await client(EventBridgeClient).send(
    new PutEventsCommand({
      Entries: events.map((e) => ({
        EventBusName: busName,
        Source: EventSource.Clawops,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      })),
    }),
  );
  if (FailedEntryCount > 0) {
    const reasons = Entries.filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
    throw new Error(`PutEvents rejected ${FailedEntryCount} drift event(s): ${reasons.join("; ")}`);
  }
}
