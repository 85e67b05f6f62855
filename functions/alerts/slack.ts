import {
  AlertDeliveryError,
  classifySlackFailure,
  type SlackErrorLike,
  slackBlocks,
} from "@clawops/core/alerts";
import type { SlackMessage } from "@clawops/core/slack";
import { LogLevel, WebClient } from "@slack/web-api";

/** Time and waiting, injectable so tests and the sandbox run on their clock. */
export interface DeliveryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What a Slack call may use: the client, a clock, and the time the function has left. */
export interface SlackDeliveryContext {
  readonly client: WebClient;
  readonly clock: DeliveryClock;
  /** Milliseconds the invocation may still spend on Slack (the Lambda's remaining time minus a margin). */
  remainingMs(): number;
}

/** Per-request timeout: a hung connection must not eat the function's whole budget. */
export const SLACK_REQUEST_TIMEOUT_MS = 5_000;

const clients = new Map<string, WebClient>();

/**
 * The WebClient for a token, made once per container. Its own retries are off (`retries: 0`,
 * `rejectRateLimitedCalls`): the default policy retries for about 30 minutes and sleeps on real timers, so
 * `callSlack` retries instead, honouring `Retry-After` within the time the Lambda has left.
 */
export function slackClient(token: string, apiUrl: string, timeoutMs = SLACK_REQUEST_TIMEOUT_MS): WebClient {
  const key = `${apiUrl}\u0000${timeoutMs}\u0000${token}`;
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logLevel: LogLevel.ERROR,
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Runs one Slack call with clawops' retry policy: 429 waits `Retry-After` for as long as the time allows
 * (not counted as a failed try), 5xx and timeouts back off (counted), permanent errors and exhausted
 * retries throw `AlertDeliveryError` (with the message, for the DLQ).
 */
export async function callSlack<T>(
  ctx: SlackDeliveryContext,
  channel: string,
  call: (client: WebClient) => Promise<T>,
  rendered?: SlackMessage,
): Promise<T> {
  let attempt = 1;
  for (;;) {
    try {
      return await call(ctx.client);
    } catch (error) {
      const verdict = classifySlackFailure(error as SlackErrorLike, attempt, ctx.remainingMs());
      if (verdict.action === "give-up") {
        throw new AlertDeliveryError(verdict.reason, channel, {
          cause: error,
          permanent: verdict.permanent,
          ...(rendered ? { rendered } : {}),
        });
      }
      if (verdict.action === "retry") attempt += 1;
      await ctx.clock.sleep(verdict.afterMs);
    }
  }
}

/** Where a posted message is: its `ts`, and the id of its channel. */
export interface PostedMessage {
  readonly ts: string;
  /**
   * The channel id Slack answered. `chat.postMessage` takes a channel name, but `chat.update` and
   * `files.completeUploadExternal` answer `channel_not_found` to one: later calls about the message use this.
   */
  readonly channel: string;
}

/** `chat.postMessage` of a rendered message (optionally in a thread) to a channel id or name. */
export async function postMessage(
  ctx: SlackDeliveryContext,
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<PostedMessage> {
  const result = await callSlack(
    ctx,
    channel,
    (client) =>
      client.chat.postMessage({
        channel,
        text: message.text,
        blocks: slackBlocks(message) as never,
        unfurl_links: false,
        unfurl_media: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      }),
    message,
  );
  return { ts: result.ts ?? "", channel: result.channel ?? channel };
}

/** `chat.update` of a message in place; `channel` must be the id (see {@link PostedMessage}). */
export async function updateMessage(
  ctx: SlackDeliveryContext,
  channel: string,
  ts: string,
  message: SlackMessage,
): Promise<void> {
  await callSlack(
    ctx,
    channel,
    (client) =>
      client.chat.update({
        channel,
        ts,
        text: message.text,
        blocks: slackBlocks(message) as never,
      }),
    message,
  );
}
