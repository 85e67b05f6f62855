/**
 * @clawops/core: the domain. Import from the subpaths (`@clawops/core/events`, `/handler`, `/aws`, `/config`)
 * in Lambda code so a bundle carries only what it uses; this entry re-exports the small shared pieces.
 */
export {
  CLAWOPS_VERSION,
  type ClawopsEnvironment,
  readEnvironment,
  withFunctionEnvironment,
} from "./environment.js";
export {
  ClawopsError,
  ConfigError,
  caughtMessage,
  isRetryable,
  PermanentError,
  RetryableError,
} from "./errors.js";
export {
  logger,
  METRICS_NAMESPACE,
  type MetricsSink,
  metrics,
  setMetricsSink,
  tracer,
} from "./observability.js";
