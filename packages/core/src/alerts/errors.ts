import { ClawopsError } from "../errors.js";

/** A Slack call failed for good (permanent error or retries exhausted); the alert goes to the DLQ. */
export class AlertDeliveryError extends ClawopsError {
  /** Slack's reason (`channel_not_found`, `retries exhausted: HTTP 500`, ...). */
  readonly reason: string;
  readonly channel: string;

  constructor(reason: string, channel: string, options?: ErrorOptions) {
    super(`Slack delivery to ${channel} failed: ${reason}`, { ...options, retryable: false });
    this.name = "AlertDeliveryError";
    this.reason = reason;
    this.channel = channel;
  }
}

/** The router's secret has no usable Slack bot token. */
export class SlackTokenMissingError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retryable: false });
    this.name = "SlackTokenMissingError";
  }
}
