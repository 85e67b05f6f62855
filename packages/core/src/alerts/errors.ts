import { ClawopsError } from "../errors.js";
import type { SlackMessage } from "../slack/index.js";

/** A Slack call failed for good (permanent error or retries exhausted); the alert goes to the DLQ. */
export class AlertDeliveryError extends ClawopsError {
  /** Slack's reason (`channel_not_found`, `retries exhausted: HTTP 500`, ...). */
  readonly reason: string;
  readonly channel: string;
  /** True when no retry can help (`invalid_auth`, `channel_not_found`); false when retries ran out. */
  readonly permanent: boolean;
  /** The message that could not be delivered (kept in the dead-letter record for replay). */
  readonly rendered?: SlackMessage;

  constructor(
    reason: string,
    channel: string,
    options?: ErrorOptions & { permanent?: boolean; rendered?: SlackMessage },
  ) {
    super(`Slack delivery to ${channel} failed: ${reason}`, { ...options, retryable: false });
    this.name = "AlertDeliveryError";
    this.reason = reason;
    this.channel = channel;
    this.permanent = options?.permanent ?? true;
    if (options?.rendered) this.rendered = options.rendered;
  }
}

/** The router's secret has no usable Slack bot token. */
export class SlackTokenMissingError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: false });
    this.name = "SlackTokenMissingError";
  }
}
