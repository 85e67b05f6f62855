import { CloudWatchClient, paginateDescribeAlarms, paginateGetMetricData } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { client } from "@clawops/core/aws";
import {
  type AlarmEvidence,
  type Gathered,
  type LogGroupEvidence,
  metricDataWindowMinutes,
} from "@clawops/core/readiness";

/** Every metric alarm in the region (paginated, 100 a page): the gateway alarm may carry any name. */
export async function describeAlarms(now: Date): Promise<AlarmEvidence[]> {
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
        ...(a.TreatMissingData ? { treatMissingData: a.TreatMissingData } : {}),
        ...(a.Period ? { periodSeconds: a.Period } : {}),
      });
  const own = alarms.filter((a) => a.namespace === OWN_NAMESPACE && a.metricName);
  if (own.length === 0) return alarms;
  const latest = await latestDatapoints(own, now);
  return alarms.map((a) => (latest.has(a) ? { ...a, latestDatapointAt: latest.get(a) } : a));
}

const OWN_NAMESPACE = "Clawops";
/** GetMetricData takes at most 500 queries a call. */
const QUERIES_PER_CALL = 500;

/**
 * The newest datapoint of each alarm's metric within its window (`metricDataWindowMinutes`: at least 15 minutes,
 * three of the alarm's periods when longer; one GetMetricData per
 * 500 alarms, paginated): an alarm's state does not prove its metric still arrives (TreatMissingData
 * `notBreaching` keeps it OK). A failed call or a query CloudWatch could not answer is `unavailable`, never
 * "no data".
 */
async function latestDatapoints(
  alarms: readonly AlarmEvidence[],
  now: Date,
): Promise<Map<AlarmEvidence, Gathered<string | null>>> {
  const found = new Map<AlarmEvidence, Gathered<string | null>>();
  const since = (a: AlarmEvidence) => now.getTime() - metricDataWindowMinutes(a.periodSeconds) * 60_000;
  for (let first = 0; first < alarms.length; first += QUERIES_PER_CALL) {
    const chunk = alarms.slice(first, first + QUERIES_PER_CALL);
    const start = new Date(Math.min(...chunk.map(since)));
    const newest = new Map<string, number>();
    const unanswered = new Set<string>();
    try {
      const pages = paginateGetMetricData(
        { client: client(CloudWatchClient) },
        {
          StartTime: start,
          EndTime: now,
          ScanBy: "TimestampDescending",
          MetricDataQueries: chunk.map((a, i) => ({
            Id: `m${i}`,
            MetricStat: {
              Metric: {
                Namespace: a.namespace,
                MetricName: a.metricName,
                Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: a.periodSeconds ?? 60,
              Stat: "SampleCount",
            },
            ReturnData: true,
          })),
        },
      );
      for await (const page of pages)
        for (const r of page.MetricDataResults ?? []) {
          const times = (r.Timestamps ?? []).map((t) => t.getTime());
          if (times.length > 0) newest.set(r.Id ?? "", Math.max(newest.get(r.Id ?? "") ?? 0, ...times));
          else if (r.StatusCode === "Forbidden" || r.StatusCode === "InternalError")
            unanswered.add(r.Id ?? "");
        }
    } catch (error) {
      const why = `cloudwatch:GetMetricData: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      for (const a of chunk) found.set(a, { unavailable: why });
      continue;
    }
    chunk.forEach((a, i) => {
      const at = newest.get(`m${i}`);
      if (at !== undefined && at >= since(a)) found.set(a, new Date(at).toISOString());
      else if (unanswered.has(`m${i}`))
        found.set(a, { unavailable: "cloudwatch:GetMetricData could not answer" });
      else found.set(a, null);
    });
  }
  return found;
}

/**
 * FilterLogEvents may answer an empty page with a nextToken while it scans; follow a few pages at most. A scan
 * cut there is recorded as incomplete, not as "no event".
 */
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
    let nextToken: string | undefined;
    if (name === sessionGroup) {
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
      ...(!latestEventAt && nextToken
        ? {
            eventScanIncomplete: `FilterLogEvents still had more to scan after ${MAX_FILTER_PAGES} pages`,
          }
        : {}),
    });
  }
  return groups;
}
