/**
 * One way to fail. Every error clawops raises on purpose is a `ClawopsError`, and says once whether
 * trying again can help (`retryable`). Domains subclass it (`LaunchGateError`, `DrillError`, ...).
 */
export class ClawopsError extends Error {
  /** True when the same call may succeed later (throttling, contention, a transient 5xx). */
  readonly retryable: boolean;

  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = "ClawopsError";
    this.retryable = options?.retryable ?? false;
  }
}

/** A failure that will happen again with the same input: it goes to the dead-letter queue, not into retries. */
export class PermanentError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: false });
    this.name = "PermanentError";
  }
}

/** A failure that may clear on its own: Lambda (or the state machine's Retry) tries again. */
export class RetryableError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: true });
    this.name = "RetryableError";
  }
}

/** The operator's configuration is wrong; the message names the field, the value and what is expected. */
export class ConfigError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** True for errors that a retry can fix: our own retryable errors and AWS's throttling/5xx classes. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ClawopsError) return error.retryable;
  if (!(error instanceof Error)) return false;
  const aws = error as Error & { $retryable?: unknown; $fault?: string };
  if (aws.$retryable) return true;
  if (RETRYABLE_AWS_ERRORS.has(error.name)) return true;
  return aws.$fault === "server";
}

const RETRYABLE_AWS_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ProvisionedThroughputExceededException",
  // DynamoDB refuses a write to an item another transaction holds; the SDK's retry strategy does not retry it
  "TransactionConflictException",
  "ResourceContentionFault",
  "ResourceContention",
  "ServiceUnavailable",
  "InternalFailure",
  "InternalError",
  "TimeoutError",
]);

/**
 * The message of an error a Catch caught (`{ Error, Cause }`): Lambda's Cause is JSON with `errorMessage`,
 * a Fail state's or a service integration's is plain text.
 */
export function caughtMessage(caught: {
  readonly Error: string;
  readonly Cause?: string | undefined;
}): string {
  const cause = caught.Cause ?? "";
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string")
      return `${typeof parsed.errorType === "string" ? parsed.errorType : caught.Error}: ${parsed.errorMessage}`;
  } catch {
    // Not JSON: the cause is the message itself.
  }
  return cause ? `${caught.Error}: ${cause}` : caught.Error;
}
