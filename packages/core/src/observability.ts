// Loading Powertools also tags the SDK's user agent (its commons module sets AWS_SDK_UA_APP_ID at load). Every
// handler loads it through lambdaHandler, so that holds however a bundle drops unused core modules.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";

/** CloudWatch namespace of every clawops metric. */
export const METRICS_NAMESPACE = "Clawops";

/**
 * Where EMF metric blobs go. In Lambda that is stdout (CloudWatch turns the log line into metrics); the
 * sandbox swaps it for its CloudWatch model with `setMetricsSink`, which is how AWS itself ingests EMF.
 */
export interface MetricsSink {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

let sink: MetricsSink = console;

/** Redirects EMF output (the sandbox's seam); returns a function that restores the previous sink. */
export function setMetricsSink(next: MetricsSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

const forwardingSink: MetricsSink = {
  log: (...args) => sink.log(...args),
  info: (...args) => sink.info(...args),
  warn: (...args) => sink.warn(...args),
  error: (...args) => sink.error(...args),
  debug: (...args) => sink.debug(...args),
};

/** Powertools singletons; the service name comes from each function's POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger();
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, logger: forwardingSink });

/**
 * The Powertools Tracer, loaded on first use. It brings the X-Ray SDK (aws-xray-sdk-core, cls-hooked, semver:
 * about 120 KB minified, a quarter of a handler's bundle and of its import time), which only an invocation in
 * Lambda with tracing on needs; with code splitting it is a chunk of its own that nothing else loads.
 */
export interface LazyTracer {
  /** The one Tracer of the process, created on the first call. */
  load(): Promise<Tracer>;
}

let tracerInstance: Promise<Tracer> | undefined;

/** The process's Powertools Tracer (`await tracer.load()`); the service name comes from POWERTOOLS_SERVICE_NAME. */
export const tracer: LazyTracer = {
  load: () => {
    tracerInstance ??= import("@aws-lambda-powertools/tracer").then(({ Tracer }) => new Tracer());
    return tracerInstance;
  },
};
