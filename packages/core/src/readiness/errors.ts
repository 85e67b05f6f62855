import { ClawopsError } from "../errors.js";

/** Base of the readiness domain's errors. */
export class ReadinessError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = "ReadinessError";
  }
}

/** An eval results file that is not promptfoo's JSON output (or is malformed). */
export class EvalResultsError extends ReadinessError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EvalResultsError";
  }
}

/** Another readiness run stored its result since this one read the previous run (concurrent runs). */
export class ConcurrentRunError extends ReadinessError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: true });
    this.name = "ConcurrentRunError";
  }
}

/**
 * EventBridge refused drift events (PutEvents' FailedEntryCount: throttling, an internal failure). Retryable:
 * the events stay pending in the `latest` record and the next attempt (or run) publishes them again.
 */
export class DriftPublishError extends ReadinessError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: true });
    this.name = "DriftPublishError";
  }
}
