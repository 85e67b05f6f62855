/**
 * How a failed Slack call is handled: retried (after how long) or given up on (and why). Pure: the router
 * feeds it the error of `@slack/web-api` and the time it has left.
 */

/**
 * What the router does after a failed Slack call. `wait`: Slack rate limited the call (429) and said how
 * long to wait; that is not a failed attempt, so it does not count towards the attempts, only towards the time.
 */
export type DeliveryVerdict =
  | { readonly action: "retry"; readonly afterMs: number; readonly reason: string }
  | { readonly action: "wait"; readonly afterMs: number; readonly reason: string }
  | { readonly action: "give-up"; readonly reason: string; readonly permanent: boolean };

/** The fields of `@slack/web-api`'s errors that decide (`code`, `data.error`, `retryAfter`, `statusCode`). */
export interface SlackErrorLike {
  readonly code?: string;
  readonly message?: string;
  readonly data?: { readonly error?: string };
  readonly retryAfter?: number;
  readonly statusCode?: number;
}

/** Slack `error` codes that no retry fixes: the token, the channel or the request is wrong. */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "channel_not_found",
  "is_archived",
  "not_in_channel",
  "restricted_action",
  "invalid_blocks",
  "invalid_arguments",
  "msg_too_long",
  "message_not_found",
  "cant_update_message",
]);

/** Slack `error` codes answered with HTTP 200 that are worth retrying. */
const TRANSIENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

/** Backoff before the n-th retry (1-based): 250 ms doubling, capped at 4 s. */
export function backoffMs(attempt: number): number {
  return Math.min(4000, 250 * 2 ** Math.max(0, attempt - 1));
}

/** The shortest wait after a 429 (`Retry-After: 0` included), so waits always spend the time budget. */
export const MIN_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * Classifies a Slack failure. 429: wait `Retry-After` (at least a second), as often as the time allows:
 * Slack allows about one message a second per channel, so a burst (a storm recovering) meets 429s that say
 * nothing about the call failing. HTTP 5xx, network errors and timeouts: retry with backoff, at most
 * `maxAttempts` tries (`attempt` counts these only). `ok:false` errors: permanent unless known transient.
 * Any wait that would not finish within `remainingMs` (the Lambda's time left, minus a margin) gives up
 * instead: exhausted retries are dead-lettered, not lost.
 */
export function classifySlackFailure(
  error: SlackErrorLike,
  attempt: number,
  remainingMs: number,
  maxAttempts = 6,
): DeliveryVerdict {
  const code = error.code ?? "";
  const slackError = error.data?.error;
  let verdict: DeliveryVerdict;
  if (code === "slack_webapi_rate_limited_error") {
    const afterMs = Math.max(MIN_RATE_LIMIT_WAIT_MS, (error.retryAfter ?? 1) * 1000);
    verdict = { action: "wait", afterMs, reason: "rate limited (429)" };
  } else if (code === "slack_webapi_http_error") {
    const status = error.statusCode ?? 0;
    verdict =
      status >= 500
        ? { action: "retry", afterMs: backoffMs(attempt), reason: `HTTP ${status}` }
        : { action: "give-up", reason: `HTTP ${status}`, permanent: true };
  } else if (code === "slack_webapi_request_error") {
    verdict = {
      action: "retry",
      afterMs: backoffMs(attempt),
      reason: `request failed: ${error.message ?? ""}`,
    };
  } else if (code === "slack_webapi_platform_error" && slackError) {
    verdict =
      TRANSIENT_SLACK_ERRORS.has(slackError) && !PERMANENT_SLACK_ERRORS.has(slackError)
        ? { action: "retry", afterMs: backoffMs(attempt), reason: slackError }
        : { action: "give-up", reason: slackError, permanent: true };
  } else {
    verdict = { action: "give-up", reason: error.message ?? "unknown Slack failure", permanent: true };
  }
  const outOfTries = verdict.action === "retry" && attempt >= maxAttempts;
  if (verdict.action !== "give-up" && (outOfTries || verdict.afterMs >= remainingMs)) {
    return { action: "give-up", reason: `retries exhausted: ${verdict.reason}`, permanent: false };
  }
  return verdict;
}
