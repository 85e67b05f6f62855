import { CloudWatchClient, paginateDescribeAlarms } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { client } from "@clawops/core/aws";
import type { AlarmEvidence, LogGroupEvidence } from "@clawops/core/readiness";

/** Every metric alarm in the region (paginated, 100 a page): the gateway alarm may carry any name. */
export async function describeAlarms(): Promise<AlarmEvidence[]> {
  const alarms: AlarmEvidence[] = [];
  for await (const page of paginateDescribeAlarms(
    { client: client(CloudWatchClient), pageSize: 100 },
    { AlarmTypes: ["MetricAlarm"] },
  ))
    for (const a of page.MetricAlarms ?? [])
      alarms.push({
        name: a.AlarmName ?? "",
        ...(a.Namespace ? { namespace: a.Namespace } : {}),
        ...(a.MetricName ? { metricName: a.MetricName } : {}),
        dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
        actionsEnabled: a.ActionsEnabled === true,
        state: a.StateValue ?? "INSUFFICIENT_DATA",
      });
  return alarms;
}

/** FilterLogEvents may answer an empty page with a nextToken while it scans; follow a few pages at most. */
const MAX_FILTER_PAGES = 5;

/**
 * The fleet's log groups (retention, KMS key) and, for the session group, the first event since `since`:
 * one DescribeLogGroups per group and at most a few FilterLogEvents pages of one event.
 */
export async function describeLogGroups(
  names: readonly string[],
  sessionGroup: string,
  since: Date,
): Promise<LogGroupEvidence[]> {
  const logs = client(CloudWatchLogsClient);
  const groups: LogGroupEvidence[] = [];
  for (const name of new Set(names)) {
    const { logGroups = [] } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 5 }),
    );
    const group = logGroups.find((g) => g.logGroupName === name);
    if (!group) continue;
    let latestEventAt: string | undefined;
    if (name === sessionGroup) {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_FILTER_PAGES && !latestEventAt; page++) {
        const out = await logs.send(
          new FilterLogEventsCommand({
            logGroupName: name,
            startTime: since.getTime(),
            limit: 1,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        const event = out.events?.[0];
        if (event?.timestamp !== undefined) latestEventAt = new Date(event.timestamp).toISOString();
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
    }
    groups.push({
      name,
      ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
      ...(group.kmsKeyId ? { kmsKeyId: group.kmsKeyId } : {}),
      ...(latestEventAt ? { latestEventAt } : {}),
    });
  }
  return groups;
}
