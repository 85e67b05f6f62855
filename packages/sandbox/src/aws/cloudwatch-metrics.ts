import { awsError } from "./simulator.js";

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

/** A metric's identity: namespace, name and the exact set of dimensions (CloudWatch matches them all). */
export interface MetricId {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: readonly Dimension[];
}

/** One PutMetricData entry, reduced to what statistics need (raw values kept for percentiles). */
export interface Sample {
  readonly at: number;
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
  readonly unit?: string;
}

export function metricKey(id: MetricId): string {
  const dims = [...id.dimensions]
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .map((d) => `${d.Name}=${d.Value}`);
  return `${id.namespace}|${id.name}|${dims.join(",")}`;
}

/** Sum, Average, Minimum, Maximum, SampleCount or a percentile (`p90`, `p99.9`) of some samples. */
export function statistic(samples: readonly Sample[], stat: string): number | undefined {
  if (samples.length === 0) return undefined;
  const sum = samples.reduce((n, s) => n + s.sum, 0);
  const count = samples.reduce((n, s) => n + s.count, 0);
  switch (stat) {
    case "Sum":
      return sum;
    case "SampleCount":
      return count;
    case "Average":
      return count === 0 ? undefined : sum / count;
    case "Minimum":
      return Math.min(...samples.map((s) => s.min));
    case "Maximum":
      return Math.max(...samples.map((s) => s.max));
  }
  const percentile = /^p(\d{1,2}(\.\d+)?)$/.exec(stat);
  if (!percentile) throw awsError("InvalidParameterValue", `The statistic ${stat} is not valid`);
  const values = samples.flatMap((s) => s.values).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const rank = Math.ceil((Number(percentile[1]) / 100) * values.length) - 1;
  return values[Math.min(values.length - 1, Math.max(0, rank))];
}

/** Every datapoint put, by metric. */
export class MetricStore {
  private readonly series = new Map<string, { id: MetricId; samples: Sample[] }>();

  put(id: MetricId, sample: Sample): void {
    const key = metricKey(id);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { id: { ...id, dimensions: [...id.dimensions] }, samples: [] };
      this.series.set(key, entry);
    }
    entry.samples.push(sample);
  }

  metrics(): MetricId[] {
    return [...this.series.values()].map((e) => e.id);
  }

  /** Samples with `start <= at < end`. */
  samples(id: MetricId, start: number, end: number): Sample[] {
    return (this.series.get(metricKey(id))?.samples ?? []).filter((s) => s.at >= start && s.at < end);
  }

  /** One value per period that has data, oldest first, periods aligned to the epoch. */
  aggregate(
    id: MetricId,
    start: number,
    end: number,
    periodSeconds: number,
    stat: string,
  ): { at: number; value: number }[] {
    const period = periodSeconds * 1000;
    const out: { at: number; value: number }[] = [];
    for (let at = Math.floor(start / period) * period; at < end; at += period) {
      const value = statistic(this.samples(id, at, at + period), stat);
      if (value !== undefined) out.push({ at, value });
    }
    return out;
  }
}

/** A PutMetricData `MetricDatum` (Value, Values/Counts or StatisticValues) as a sample. */
export function sampleOf(datum: Record<string, unknown>, at: number): Sample {
  const unit = datum.Unit as string | undefined;
  const stats = datum.StatisticValues as
    | { Sum: number; SampleCount: number; Minimum: number; Maximum: number }
    | undefined;
  if (stats)
    return {
      at,
      sum: stats.Sum,
      count: stats.SampleCount,
      min: stats.Minimum,
      max: stats.Maximum,
      values: [],
      unit,
    };
  const values =
    (datum.Values as number[] | undefined) ?? (datum.Value === undefined ? [] : [Number(datum.Value)]);
  const counts = (datum.Counts as number[] | undefined) ?? values.map(() => 1);
  if (values.length === 0)
    throw awsError("MissingParameter", "The parameter MetricData.member.1.Value is required.");
  const expanded = values.flatMap((v, i) => Array.from({ length: counts[i] ?? 1 }, () => v));
  return {
    at,
    sum: expanded.reduce((n, v) => n + v, 0),
    count: expanded.length,
    min: Math.min(...values),
    max: Math.max(...values),
    values: expanded,
    unit,
  };
}

/**
 * Reads one EMF blob (what Powertools Metrics prints) into the store, the way CloudWatch Logs extracts
 * metrics from it: each directive's metrics, once per dimension set. Non-EMF text is ignored. The blob's own
 * timestamp is wall-clock time; the sandbox files the datapoint at sandbox `now`, when the handler ran.
 */
export function ingestEmf(store: MetricStore, text: string, now: number): number {
  let blob: Record<string, unknown>;
  try {
    blob = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 0;
  }
  const aws = blob._aws as
    | {
        Timestamp?: number;
        CloudWatchMetrics?: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit?: string }[];
        }[];
      }
    | undefined;
  if (!aws?.CloudWatchMetrics) return 0;
  let count = 0;
  for (const directive of aws.CloudWatchMetrics) {
    for (const metric of directive.Metrics) {
      const raw = blob[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).map(Number).filter((v) => Number.isFinite(v));
      if (values.length === 0) continue;
      for (const keys of directive.Dimensions.length ? directive.Dimensions : [[]]) {
        const dimensions = keys.map((k) => ({ Name: k, Value: String(blob[k]) }));
        store.put(
          { namespace: directive.Namespace, name: metric.Name, dimensions },
          sampleOf({ Values: values, Unit: metric.Unit }, now),
        );
        count += 1;
      }
    }
  }
  return count;
}
