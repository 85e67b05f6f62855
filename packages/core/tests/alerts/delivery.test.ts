import { describe, expect, it } from "vitest";
import { backoffMs, classifySlackFailure } from "../../src/alerts/index.js";

const platform = (error: string) => ({ code: "slack_webapi_platform_error", data: { error } });

describe("Function: classifySlackFailure", () => {
  it.each([
    [
      "a 429 waits Retry-After",
      { code: "slack_webapi_rate_limited_error", retryAfter: 3 },
      1,
      { action: "wait", afterMs: 3000, reason: "rate limited (429)" },
    ],
    [
      "a 429 waits Retry-After after the last attempt too: only the time bounds it",
      { code: "slack_webapi_rate_limited_error", retryAfter: 1 },
      6,
      { action: "wait", afterMs: 1000, reason: "rate limited (429)" },
    ],
    [
      "a 429 with Retry-After 0 waits a second, so the waits spend the time budget",
      { code: "slack_webapi_rate_limited_error", retryAfter: 0 },
      1,
      { action: "wait", afterMs: 1000, reason: "rate limited (429)" },
    ],
    [
      "an HTTP 500 is retried with backoff",
      { code: "slack_webapi_http_error", statusCode: 500 },
      2,
      { action: "retry", afterMs: 500, reason: "HTTP 500" },
    ],
    [
      "a timeout is retried with backoff",
      { code: "slack_webapi_request_error", message: "This operation was aborted" },
      1,
      { action: "retry", afterMs: 250, reason: "request failed: This operation was aborted" },
    ],
    [
      "invalid_auth is permanent",
      platform("invalid_auth"),
      1,
      { action: "give-up", reason: "invalid_auth", permanent: true },
    ],
    [
      "channel_not_found is permanent",
      platform("channel_not_found"),
      1,
      { action: "give-up", reason: "channel_not_found", permanent: true },
    ],
    [
      "an unknown ok:false error is permanent",
      platform("something_new"),
      1,
      { action: "give-up", reason: "something_new", permanent: true },
    ],
    [
      "internal_error is retried",
      platform("internal_error"),
      1,
      { action: "retry", afterMs: 250, reason: "internal_error" },
    ],
    [
      "an HTTP 404 is permanent",
      { code: "slack_webapi_http_error", statusCode: 404 },
      1,
      { action: "give-up", reason: "HTTP 404", permanent: true },
    ],
  ])("%s", (_, error, attempt, expected) => {
    expect(classifySlackFailure(error, attempt, 60_000)).toEqual(expected);
  });

  it("gives up when the wait would outlast the function", () => {
    const verdict = classifySlackFailure(
      { code: "slack_webapi_rate_limited_error", retryAfter: 30 },
      1,
      10_000,
    );
    expect(verdict).toEqual({
      action: "give-up",
      reason: "retries exhausted: rate limited (429)",
      permanent: false,
    });
  });

  it("gives up after the last attempt", () => {
    const verdict = classifySlackFailure({ code: "slack_webapi_http_error", statusCode: 503 }, 6, 60_000);
    expect(verdict).toMatchObject({ action: "give-up", permanent: false });
  });

  it("backs off exponentially up to 4 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  });
});
