import type { MetricsSink } from "@clawops/core";
import {
  type AlarmStateValue,
  alarmFromInput,
  alarmStateChangeEvent,
  evaluateAlarm,
  type MetricAlarm,
} from "./cloudwatch-alarms.js";
import {
  type Dimension,
  ingestEmf,
  type MetricId,
  MetricStore,
  metricKey,
  sampleOf,
  statistic,
} from "./cloudwatch-metrics.js";
import { renderLineChart } from "./metric-chart.js";
import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

/** The CloudWatch model plus its sandbox-side handles. */
export interface CloudWatchModel extends ServiceModel {
  readonly store: MetricStore;
  readonly alarms: Map<string, MetricAlarm>;
  /** Tags by resource ARN (alarms), as `PutMetricAlarm`/`TagResource` set them. */
  readonly tags: Map<string, Record<string, string>>;
  /** Evaluates every alarm now (the model also does it every minute on the clock). */
  evaluate(): void;
  /** A `MetricsSink` for `setMetricsSink`: EMF blobs from Powertools land in the store. */
  readonly emfSink: MetricsSink;
  /** Stops the evaluation timer. */
  stop(): void;
}

const time = (value: unknown): number =>
  value instanceof Date
    ? value.getTime()
    : typeof value === "number"
      ? value * 1000
      : Date.parse(String(value));

function idOf(input: Input): MetricId {
  return {
    namespace: String(input.Namespace),
    name: String(input.MetricName),
    dimensions: ((input.Dimensions as Dimension[] | undefined) ?? []).map((d) => ({
      Name: d.Name,
      Value: d.Value,
    })),
  };
}

/** `-PT3H` (relative to now), an ISO date, or absent (default). */
function widgetTime(value: unknown, now: number, fallback: number): number {
  if (typeof value !== "string") return fallback;
  const relative = /^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!relative) return Date.parse(value);
  const [, d = "0", h = "0", m = "0", s = "0"] = relative;
  return now - (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

/** The widget's metrics rows (`["Ns", "Name", "Dim", "Value", { stat }]`, `"."` repeating the row above). */
function widgetMetrics(rows: unknown[][]): { id: MetricId; options: Record<string, unknown> }[] {
  let previous: unknown[] = [];
  return rows.map((row) => {
    const last = row[row.length - 1];
    const options = last && typeof last === "object" ? (last as Record<string, unknown>) : {};
    const parts = (options === last ? row.slice(0, -1) : row).map((p, i) => (p === "." ? previous[i] : p));
    previous = parts;
    const [namespace, name, ...dims] = parts.map(String);
    const dimensions: Dimension[] = [];
    for (let i = 0; i + 1 < dims.length; i += 2)
      dimensions.push({ Name: dims[i] as string, Value: dims[i + 1] as string });
    return { id: { namespace: namespace ?? "", name: name ?? "", dimensions }, options };
  });
}

/** CloudWatch metrics and metric alarms that really evaluate on the sandbox clock. */
export function cloudWatchModel(world: SandboxWorld): CloudWatchModel {
  const store = new MetricStore();
  const alarms = new Map<string, MetricAlarm>();
  const tags = new Map<string, Record<string, string>>();
  const tagsOf = (input: Input) =>
    Object.fromEntries(
      ((input.Tags as { Key?: string; Value?: string }[] | undefined) ?? []).map((t) => [
        String(t.Key),
        String(t.Value ?? ""),
      ]),
    );
  const alarmByArn = (arn: unknown): MetricAlarm => {
    const alarm = [...alarms.values()].find((a) => a.AlarmArn === arn);
    if (!alarm) throw awsError("ResourceNotFoundException", `Resource ${String(arn)} does not exist`);
    return alarm;
  };

  function transition(alarm: MetricAlarm, state: AlarmStateValue, reason: string, reasonData?: string): void {
    if (alarm.StateValue === state) return;
    const previous = {
      value: alarm.StateValue,
      reason: alarm.StateReason,
      reasonData: alarm.StateReasonData,
      timestamp: alarm.StateUpdatedTimestamp,
    };
    alarm.StateValue = state;
    alarm.StateReason = reason;
    alarm.StateReasonData = reasonData;
    alarm.StateUpdatedTimestamp = world.clock.now();
    world.publish(alarmStateChangeEvent(alarm, previous));
  }

  function evaluate(): void {
    for (const alarm of alarms.values()) {
      const verdict = evaluateAlarm(alarm, store, world.clock.now());
      if (verdict) transition(alarm, verdict.state, verdict.reason, verdict.reasonData);
    }
  }

  // CloudWatch evaluates metric alarms every minute, on the minute.
  let cancel = world.clock.schedule(60_000 - (world.clock.now() % 60_000), function tick() {
    evaluate();
    cancel = world.clock.schedule(60_000, tick);
  });

  const describe = (a: MetricAlarm) => ({
    ...a,
    Dimensions: a.Dimensions.map((d) => ({ ...d })),
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
    StateTransitionedTimestamp: new Date(a.StateUpdatedTimestamp),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp),
  });

  const emfLine = (...args: unknown[]) => {
    for (const arg of args) if (typeof arg === "string") ingestEmf(store, arg, world.clock.now());
  };

  return {
    service: "CloudWatch",
    store,
    alarms,
    tags,
    evaluate,
    stop: () => cancel(),
    emfSink: { log: emfLine, info: emfLine, warn: emfLine, error: emfLine, debug: emfLine },
    commands: {
      PutMetricData(input) {
        const data = (input.MetricData as Input[] | undefined) ?? [];
        if (data.length > 1000)
          throw awsError(
            "InvalidParameterValue",
            "The collection MetricData must not have a size greater than 1000.",
          );
        for (const datum of data) {
          const at = datum.Timestamp === undefined ? world.clock.now() : time(datum.Timestamp);
          store.put(idOf({ ...datum, Namespace: input.Namespace }), sampleOf(datum, at));
        }
        return {};
      },
      ListMetrics(input) {
        const dims = (input.Dimensions as { Name: string; Value?: string }[] | undefined) ?? [];
        const rows = store
          .metrics()
          .filter(
            (m) =>
              (!input.Namespace || m.namespace === input.Namespace) &&
              (!input.MetricName || m.name === input.MetricName),
          )
          .filter((m) =>
            dims.every((d) =>
              m.dimensions.some(
                (md) => md.Name === d.Name && (d.Value === undefined || md.Value === d.Value),
              ),
            ),
          )
          .map((m) => ({
            Namespace: m.namespace,
            MetricName: m.name,
            Dimensions: m.dimensions.map((d) => ({ ...d })),
          }));
        const page = paginate(rows, { nextToken: input.NextToken as string | undefined, defaultSize: 500 });
        return { Metrics: page.items, NextToken: page.nextToken };
      },
      GetMetricStatistics(input) {
        const id = idOf(input);
        const stats = [
          ...((input.Statistics as string[] | undefined) ?? []),
          ...((input.ExtendedStatistics as string[] | undefined) ?? []),
        ];
        const period = Number(input.Period) * 1000;
        const start = time(input.StartTime);
        const end = time(input.EndTime);
        const datapoints: Record<string, unknown>[] = [];
        for (let at = Math.floor(start / period) * period; at < end; at += period) {
          const samples = store.samples(id, at, at + period);
          if (samples.length === 0) continue;
          const point: Record<string, unknown> = {
            Timestamp: new Date(at),
            Unit: samples[0]?.unit ?? "None",
          };
          const extended: Record<string, number> = {};
          for (const stat of stats) {
            const value = statistic(samples, stat);
            if (stat.startsWith("p")) extended[stat] = value ?? 0;
            else point[stat] = value;
          }
          if (Object.keys(extended).length) point.ExtendedStatistics = extended;
          datapoints.push(point);
        }
        return { Label: id.name, Datapoints: datapoints };
      },
      GetMetricData(input) {
        const start = time(input.StartTime);
        const end = time(input.EndTime);
        const ascending = input.ScanBy === "TimestampAscending";
        const results = ((input.MetricDataQueries as Input[] | undefined) ?? []).map((query) => {
          if (query.Expression)
            throw new Error("not simulated: CloudWatch.GetMetricData with Expression (metric math)");
          const stat = query.MetricStat as { Metric: Input; Period: number; Stat: string };
          const points = store.aggregate(idOf(stat.Metric), start, end, stat.Period, stat.Stat);
          if (!ascending) points.reverse();
          return {
            Id: query.Id,
            Label: (query.Label as string | undefined) ?? String(stat.Metric.MetricName),
            Timestamps: points.map((p) => new Date(p.at)),
            Values: points.map((p) => p.value),
            StatusCode: "Complete",
          };
        });
        return {
          MetricDataResults: results.filter(
            (_, i) => ((input.MetricDataQueries as Input[])[i]?.ReturnData ?? true) !== false,
          ),
          Messages: [],
        };
      },
      GetMetricWidgetImage(input) {
        const widget = JSON.parse(String(input.MetricWidget)) as Record<string, unknown>;
        const now = world.clock.now();
        const end = widgetTime(widget.end, now, now);
        const start = widgetTime(widget.start, now, end - 3 * 3600_000);
        const metrics = widgetMetrics((widget.metrics as unknown[][] | undefined) ?? []);
        const series = metrics.map(({ id, options }) => ({
          points: store.aggregate(
            id,
            start,
            end,
            Number(options.period ?? widget.period ?? 300),
            String(options.stat ?? widget.stat ?? "Average"),
          ),
        }));
        const annotations =
          (widget.annotations as { horizontal?: { value: number }[] } | undefined)?.horizontal ?? [];
        const image = renderLineChart(series, {
          width: Number(widget.width ?? 600),
          height: Number(widget.height ?? 395),
          start,
          end,
          thresholds: annotations.map((a) => Number(a.value)),
        });
        return { MetricWidgetImage: image };
      },
      PutMetricAlarm(input) {
        const name = String(input.AlarmName ?? "");
        if (!name) throw awsError("ValidationError", "AlarmName is required");
        const alarm = alarmFromInput(world, input, alarms.get(name));
        alarms.set(name, alarm);
        // Like AWS: tags given on creation are applied; on an update they are ignored (TagResource changes them).
        if (!tags.has(alarm.AlarmArn)) tags.set(alarm.AlarmArn, tagsOf(input));
        return {};
      },
      DescribeAlarms(input) {
        const names = (input.AlarmNames as string[] | undefined) ?? [];
        const prefix = input.AlarmNamePrefix as string | undefined;
        const rows = [...alarms.values()].filter(
          (a) =>
            (names.length === 0 || names.includes(a.AlarmName)) &&
            (!prefix || a.AlarmName.startsWith(prefix)) &&
            (!input.StateValue || a.StateValue === input.StateValue),
        );
        const page = paginate(rows, {
          maxResults: input.MaxRecords as number | undefined,
          nextToken: input.NextToken as string | undefined,
          defaultSize: 50,
        });
        return { MetricAlarms: page.items.map(describe), CompositeAlarms: [], NextToken: page.nextToken };
      },
      SetAlarmState(input) {
        const alarm = alarms.get(String(input.AlarmName));
        if (!alarm) throw awsError("ResourceNotFound", `Alarm ${String(input.AlarmName)} does not exist`);
        transition(
          alarm,
          input.StateValue as AlarmStateValue,
          String(input.StateReason ?? ""),
          input.StateReasonData as string | undefined,
        );
        return {};
      },
      DeleteAlarms(input) {
        for (const name of (input.AlarmNames as string[] | undefined) ?? []) {
          const alarm = alarms.get(name);
          if (alarm) tags.delete(alarm.AlarmArn);
          alarms.delete(name);
        }
        return {};
      },
      ListTagsForResource(input) {
        const alarm = alarmByArn(input.ResourceARN);
        const current = tags.get(alarm.AlarmArn) ?? {};
        return { Tags: Object.entries(current).map(([Key, Value]) => ({ Key, Value })) };
      },
      TagResource(input) {
        const alarm = alarmByArn(input.ResourceARN);
        tags.set(alarm.AlarmArn, { ...tags.get(alarm.AlarmArn), ...tagsOf(input) });
        return {};
      },
      UntagResource(input) {
        const alarm = alarmByArn(input.ResourceARN);
        const current = { ...tags.get(alarm.AlarmArn) };
        for (const key of (input.TagKeys as string[] | undefined) ?? []) delete current[key];
        tags.set(alarm.AlarmArn, current);
        return {};
      },
    },
  };
}

export { metricKey };
