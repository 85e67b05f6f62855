import {
  CloudWatchClient,
  GetMetricWidgetImageCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { metricWidget } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { AlarmStateChangeEvent } from "@clawops/core/events";

/**
 * A PNG of the alarm's metric around the transition from CloudWatch `GetMetricWidgetImage`, or
 * `undefined` for alarms without a metric (composite).
 *
 * The CloudWatch client is imported statically: every alarm event reads the alarm's tags, so a lazy import would
 * only move it to the first alarm, and a lazy bundle (stacks/lazy-bundles.ts) carries its own SDK core: 157.5 KB
 * at the first alarm against 17.4 KB more at the cold start (`npm run bundle`, alerts/router 372.8 → 390.2 KB).
 */
export async function fetchMetricGraph(event: AlarmStateChangeEvent): Promise<Uint8Array | undefined> {
  const widget = metricWidget(event);
  if (!widget) return undefined;
  const result = await client(CloudWatchClient).send(
    new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: "png" }),
  );
  return result.MetricWidgetImage;
}

/**
 * The alarm's tags (for its `severity`). An alarm that is gone or not readable has none: the alert still
 * goes out with the configured severity. Throttling and 5xx are left to the SDK's retries.
 */
export async function fetchAlarmTags(alarmArn: string | undefined): Promise<Record<string, string>> {
  if (!alarmArn) return {};
  try {
    const { Tags } = await client(CloudWatchClient).send(
      new ListTagsForResourceCommand({ ResourceARN: alarmArn }),
    );
    return Object.fromEntries((Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "ResourceNotFoundException" || name === "AccessDeniedException") return {};
    throw error;
  }
}
