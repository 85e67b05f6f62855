import { metricWidget } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { AlarmStateChangeEvent } from "@clawops/core/events";

/**
 * A PNG of the alarm's metric around the transition from CloudWatch `GetMetricWidgetImage`, or
 * `undefined` for alarms without a metric (composite). The CloudWatch client is loaded on first use: only
 * ALARM messages that open a thread need it.
 */
export async function fetchMetricGraph(event: AlarmStateChangeEvent): Promise<Uint8Array | undefined> {
  const widget = metricWidget(event);
  if (!widget) return undefined;
  const { CloudWatchClient, GetMetricWidgetImageCommand } = await import("./cloudwatch.js");
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
  const { CloudWatchClient, ListTagsForResourceCommand } = await import("./cloudwatch.js");
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
