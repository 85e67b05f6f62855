import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

/** One log event. */
export interface SandboxLogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

/** A log group: retention (`undefined` = never expire), KMS key, and its events. */
export interface SandboxLogGroup {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  readonly streams: Set<string>;
  readonly events: SandboxLogEvent[];
}

export interface LogsModel extends ServiceModel {
  readonly groups: Map<string, SandboxLogGroup>;
}

const RETENTION = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
const notFound = () => awsError("ResourceNotFoundException", "The specified log group does not exist.");

/** CloudWatch Logs: groups with retention and KMS, streams, PutLogEvents, DescribeLogGroups, FilterLogEvents. */
export function logsModel(world: SandboxWorld): LogsModel {
  const groups = new Map<string, SandboxLogGroup>();
  const group = (input: Input) => {
    const found = groups.get(String(input.logGroupName ?? ""));
    if (!found) throw notFound();
    return found;
  };
  return {
    service: "CloudWatchLogs",
    groups,
    commands: {
      CreateLogGroup(input) {
        const name = String(input.logGroupName ?? "");
        if (groups.has(name))
          throw awsError("ResourceAlreadyExistsException", "The specified log group already exists");
        groups.set(name, {
          name,
          arn: world.arn("logs", `log-group:${name}:*`),
          createdAt: world.clock.now(),
          ...(input.kmsKeyId ? { kmsKeyId: String(input.kmsKeyId) } : {}),
          streams: new Set(),
          events: [],
        });
        return {};
      },
      PutRetentionPolicy(input) {
        const days = Number(input.retentionInDays);
        if (!RETENTION.has(days))
          throw awsError(
            "InvalidParameterException",
            `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint`,
          );
        group(input).retentionInDays = days;
        return {};
      },
      DeleteRetentionPolicy(input) {
        group(input).retentionInDays = undefined;
        return {};
      },
      AssociateKmsKey(input) {
        group(input).kmsKeyId = String(input.kmsKeyId ?? "");
        return {};
      },
      DisassociateKmsKey(input) {
        group(input).kmsKeyId = undefined;
        return {};
      },
      CreateLogStream(input) {
        const g = group(input);
        const name = String(input.logStreamName ?? "");
        if (g.streams.has(name))
          throw awsError("ResourceAlreadyExistsException", "The specified log stream already exists");
        g.streams.add(name);
        return {};
      },
      PutLogEvents(input) {
        const g = group(input);
        const stream = String(input.logStreamName ?? "");
        if (!g.streams.has(stream))
          throw awsError("ResourceNotFoundException", "The specified log stream does not exist.");
        const events = (input.logEvents as { timestamp: number; message: string }[] | undefined) ?? [];
        for (const e of events)
          g.events.push({
            logStreamName: stream,
            timestamp: e.timestamp,
            message: e.message,
            ingestionTime: world.clock.now(),
          });
        g.events.sort((a, b) => a.timestamp - b.timestamp);
        return { nextSequenceToken: String(g.events.length) };
      },
      DescribeLogGroups(input) {
        const prefix = input.logGroupNamePrefix as string | undefined;
        const pattern = input.logGroupNamePattern as string | undefined;
        const matching = [...groups.values()]
          .filter((g) => (!prefix || g.name.startsWith(prefix)) && (!pattern || g.name.includes(pattern)))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(matching, {
          maxResults: input.limit as number | undefined,
          nextToken: input.nextToken as string | undefined,
          defaultSize: 50,
        });
        return {
          logGroups: page.items.map((g) => ({
            logGroupName: g.name,
            arn: g.arn,
            creationTime: g.createdAt,
            storedBytes: g.events.reduce((n, e) => n + e.message.length, 0),
            ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
            ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
          })),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      },
      FilterLogEvents(input) {
        const g = group(input);
        const start = (input.startTime as number | undefined) ?? 0;
        const end = (input.endTime as number | undefined) ?? Number.MAX_SAFE_INTEGER;
        const filter = (input.filterPattern as string | undefined)?.replace(/^"|"$/g, "");
        const streams = input.logStreamNames as string[] | undefined;
        const matching = g.events.filter(
          (e) =>
            e.timestamp >= start &&
            e.timestamp <= end &&
            (!filter || e.message.includes(filter)) &&
            (!streams || streams.includes(e.logStreamName)),
        );
        const page = paginate(matching, {
          maxResults: input.limit as number | undefined,
          nextToken: input.nextToken as string | undefined,
          defaultSize: 10_000,
        });
        return {
          events: page.items.map((e, i) => ({ ...e, eventId: `${e.timestamp}-${i}` })),
          searchedLogStreams: [],
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      },
    },
  };
}
