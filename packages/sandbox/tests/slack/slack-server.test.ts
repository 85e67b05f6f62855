import {
  ErrorCode,
  type Logger,
  LogLevel,
  type WebAPIPlatformError,
  WebClient,
  WebClientEvent,
} from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { UnknownChannelError } from "../../src/slack/errors.js";
import { type SlackServer, type SlackServerOptions, startSlackServer } from "../../src/slack/server.js";

const channels = { "ops-alerts": "C0ALERTS", "ops-drills": "C0DRILLS" } as const;
/** Retries fast: the server's own Retry-After decides rate-limit waits; p-retry's backoff is 20 ms. */
const fastRetries = { retries: 4, factor: 1, minTimeout: 20, maxTimeout: 20 } as const;

let slack: SlackServer;

/** The client's logger, silenced: the assertions say what happened. */
const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function clientFor(token: string, options: { timeout?: number } = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: fastRetries,
    logger: quiet,
    ...options,
  });
}

async function start(options: SlackServerOptions = {}): Promise<WebClient> {
  slack = await startSlackServer({ channels, ...options });
  return clientFor(slack.token);
}

/** The client's platform error code of a failed call. */
async function platformError(
  call: Promise<unknown>,
): Promise<{ code: string; error: string; messages?: string[] }> {
  try {
    await call;
  } catch (caught) {
    const error = caught as WebAPIPlatformError;
    return { code: error.code, error: error.data.error, messages: error.data.response_metadata?.messages };
  }
  throw new Error("the call succeeded");
}

afterEach(async () => {
  await slack?.close();
});

describe("Function: startSlackServer", () => {
  it("answers auth.test for the bot token", async () => {
    const client = await start();

    const result = await client.auth.test();

    expect(result).toMatchObject({
      ok: true,
      team_id: "T0SANDBOX",
      user_id: "U0SANDBOXBOT",
      bot_id: "B0SANDBOX",
    });
  });

  it("records a posted message with its blocks in the channel", async () => {
    const client = await start();
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*ALARM* cpu-high" } }];

    const posted = await client.chat.postMessage({ channel: "C0ALERTS", text: "ALARM cpu-high", blocks });

    expect(posted).toMatchObject({
      ok: true,
      channel: "C0ALERTS",
      message: { text: "ALARM cpu-high", blocks },
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(slack.channel("ops-alerts").messages).toEqual([
      expect.objectContaining({ ts: posted.ts, text: "ALARM cpu-high", blocks, thread_ts: undefined }),
    ]);
  });

  it("accepts a JSON body as well as the client's form encoding", async () => {
    await start();

    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${slack.token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: "ops-alerts", text: "from json" }),
    });

    expect(await response.json()).toMatchObject({ ok: true, channel: "C0ALERTS" });
    expect(slack.channel("C0ALERTS").messages.map((m) => m.text)).toEqual(["from json"]);
  });

  it("threads replies under their parent and keeps them out of the channel's top level", async () => {
    const client = await start();
    const parent = await client.chat.postMessage({ channel: "C0ALERTS", text: "ALARM" });

    await client.chat.postMessage({ channel: "C0ALERTS", text: "still failing", thread_ts: parent.ts! });
    await client.chat.postMessage({ channel: "C0ALERTS", text: "OK: resolved", thread_ts: parent.ts! });

    const channel = slack.channel("ops-alerts");
    expect(channel.messages.map((m) => m.text)).toEqual(["ALARM"]);
    expect(channel.thread(parent.ts!).map((m) => m.text)).toEqual(["still failing", "OK: resolved"]);
  });

  it("replaces a message on chat.update and keeps the earlier version", async () => {
    const client = await start();
    const parent = await client.chat.postMessage({ channel: "C0ALERTS", text: "ALARM cpu-high" });

    const updated = await client.chat.update({
      channel: "C0ALERTS",
      ts: parent.ts!,
      text: "RESOLVED cpu-high",
    });

    expect(updated).toMatchObject({ ok: true, ts: parent.ts, text: "RESOLVED cpu-high" });
    const [message] = slack.channel("ops-alerts").messages;
    expect(message?.text).toBe("RESOLVED cpu-high");
    expect(message?.edits.map((edit) => edit.text)).toEqual(["ALARM cpu-high"]);
  });

  it("shares an uploaded file into a thread through the client's uploadV2", async () => {
    const client = await start();
    const parent = await client.chat.postMessage({ channel: "C0ALERTS", text: "ALARM" });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

    await client.files.uploadV2({
      channel_id: "C0ALERTS",
      thread_ts: parent.ts!,
      file: png,
      filename: "cpu.png",
      title: "CPU, last 3 hours",
      initial_comment: "metric graph",
    });

    const [reply] = slack.channel("ops-alerts").thread(parent.ts!);
    expect(reply).toMatchObject({ text: "metric graph", subtype: "file_share" });
    expect(reply?.files).toEqual([
      expect.objectContaining({ name: "cpu.png", title: "CPU, last 3 hours", size: 11 }),
    ]);
    expect(reply?.files[0]?.content.equals(png)).toBe(true);
    expect(slack.calls().map((call) => call.method)).toEqual([
      "chat.postMessage",
      "files.getUploadURLExternal",
      "upload",
      "files.completeUploadExternal",
    ]);
  });

  it("answers conversations.info for a known channel", async () => {
    const client = await start();

    const info = await client.conversations.info({ channel: "C0DRILLS" });

    expect(info.channel).toMatchObject({ id: "C0DRILLS", name: "ops-drills", is_channel: true });
  });

  it.each([
    ["a wrong token", { token: "xoxb-wrong" }, { channel: "C0ALERTS", text: "x" }, "invalid_auth"],
    ["an unknown channel", {}, { channel: "C0NOPE", text: "x" }, "channel_not_found"],
    ["text over 40,000 characters", {}, { channel: "C0ALERTS", text: "x".repeat(40_001) }, "msg_too_long"],
    ["no text and no blocks", {}, { channel: "C0ALERTS", text: "" }, "no_text"],
  ])("surfaces %s as the client's platform error", async (_case, clientOptions, args, expected) => {
    await start();
    const client = clientFor((clientOptions as { token?: string }).token ?? slack.token);

    const failure = await platformError(client.chat.postMessage(args));

    expect(failure).toMatchObject({ code: ErrorCode.PlatformError, error: expected });
    expect(slack.channels().flatMap((channel) => channel.messages)).toEqual([]);
  });

  it.each([
    ["more than 50 blocks", Array.from({ length: 51 }, () => ({ type: "divider" })), "no more than 50 items"],
    [
      "a section text over 3000 characters",
      [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }],
      "/blocks/0/text/text",
    ],
    ["an unknown block type", [{ type: "banner", text: "hi" }], "unsupported type: banner"],
    [
      "a section whose text is empty",
      [{ type: "section", text: { type: "mrkdwn", text: "" } }],
      "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ],
    [
      "a section field whose text is empty",
      [
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: "x" },
            { type: "mrkdwn", text: "" },
          ],
        },
      ],
      "[json-pointer:/blocks/0/fields/1/text]",
    ],
    [
      "a context element whose text is empty",
      [{ type: "context", elements: [{ type: "mrkdwn", text: "" }] }],
      "[json-pointer:/blocks/0/elements/0/text]",
    ],
    [
      "a header whose text is empty",
      [{ type: "header", text: { type: "plain_text", text: "" } }],
      "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ],
  ])("refuses %s with invalid_blocks and Slack's explanation", async (_case, blocks, explanation) => {
    const client = await start();

    const failure = await platformError(
      client.chat.postMessage({ channel: "C0ALERTS", text: "fallback", blocks }),
    );

    expect(failure.error).toBe("invalid_blocks");
    expect(failure.messages?.join("\n")).toContain(explanation);
  });

  it("rate limits a channel with HTTP 429 and Retry-After, and the client's retry posts the message once", async () => {
    const client = await start({ rateLimit: { perSecond: 1, burst: 1 } });
    const limited: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => limited.push(seconds));

    await client.chat.postMessage({ channel: "C0ALERTS", text: "first" });
    await client.chat.postMessage({ channel: "C0ALERTS", text: "second" });

    expect(limited).toEqual([1]);
    expect(slack.calls("chat.postMessage").map((call) => call.status)).toEqual([200, 429, 200]);
    expect(slack.channel("ops-alerts").messages.map((m) => m.text)).toEqual(["first", "second"]);
  });

  it("limits each channel on its own", async () => {
    const client = await start({ rateLimit: { perSecond: 1, burst: 1 } });

    await client.chat.postMessage({ channel: "C0ALERTS", text: "alerts" });
    await client.chat.postMessage({ channel: "C0DRILLS", text: "drills" });

    expect(slack.calls("chat.postMessage").map((call) => call.status)).toEqual([200, 200]);
  });

  it("sends the configured Retry-After so tests need not wait a real second", async () => {
    await start({ rateLimit: { perSecond: 50, burst: 1, retryAfterSeconds: 0 } });
    const post = (text: string) =>
      fetch(`${slack.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${slack.token}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: "C0ALERTS", text }),
      });

    await post("one");
    const limited = await post("two");

    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("0");
    expect(await limited.json()).toEqual({ ok: false, error: "ratelimited" });
  });

  it("fails a method with HTTP 500 once, which the client retries", async () => {
    const client = await start();
    slack.fail("chat.postMessage", { status: 500, times: 1 });

    await client.chat.postMessage({ channel: "C0ALERTS", text: "after a 500" });

    expect(slack.calls("chat.postMessage").map((call) => call.status)).toEqual([500, 200]);
    expect(slack.channel("ops-alerts").messages.map((m) => m.text)).toEqual(["after a 500"]);
  });

  it("holds a request on an injected timeout until the client gives up and retries", async () => {
    await start();
    const client = clientFor(slack.token, { timeout: 100 });
    slack.timeout("chat.postMessage", 1);

    await client.chat.postMessage({ channel: "C0ALERTS", text: "after a timeout" });

    expect(slack.calls("chat.postMessage").map((call) => call.error)).toEqual(["timeout", undefined]);
    expect(slack.channel("ops-alerts").messages).toHaveLength(1);
  });

  it("answers an injected 429 with its Retry-After whatever the channel's limit says", async () => {
    await start({ rateLimit: false });
    slack.rateLimited("chat.postMessage", { retryAfterSeconds: 7, times: 2 });
    const post = () =>
      fetch(`${slack.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${slack.token}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: "C0ALERTS", text: "x" }),
      });

    const answers = [await post(), await post(), await post()];

    expect(answers.map((a) => a.status)).toEqual([429, 429, 200]);
    expect(answers[0]?.headers.get("retry-after")).toBe("7");
    expect(slack.channel("ops-alerts").messages).toHaveLength(1);
  });

  it("replaces the rate limit at run time, on the clock it is given", async () => {
    const client = await start({ rateLimit: false });
    let clock = 0;
    slack.limitRate({ perSecond: 1, burst: 1 }, () => clock);
    const post = (text: string) =>
      fetch(`${slack.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${slack.token}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: "C0ALERTS", text }),
      });

    const first = await post("one");
    const limited = await post("two");
    clock += 1_000;
    const later = await post("three");
    slack.limitRate(false);
    await client.chat.postMessage({ channel: "C0ALERTS", text: "four" });

    expect([first.status, limited.status, later.status]).toEqual([200, 429, 200]);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(slack.channel("ops-alerts").messages.map((m) => m.text)).toEqual(["one", "three", "four"]);
  });

  it("tells a request listener when each request is answered, a held one once its connection closes", async () => {
    await start();
    const client = clientFor(slack.token, { timeout: 100 });
    slack.timeout("chat.postMessage", 1);
    const answered: Promise<void>[] = [];
    const unsubscribe = slack.onRequest((done) => void answered.push(done));

    await client.chat.postMessage({ channel: "C0ALERTS", text: "after a timeout" });
    unsubscribe();
    await client.chat.postMessage({ channel: "C0ALERTS", text: "unobserved" });

    expect(answered).toHaveLength(2);
    await expect(Promise.all(answered)).resolves.toEqual([undefined, undefined]);
  });

  it("answers an injected Slack error without retrying it", async () => {
    const client = await start();
    slack.error("chat.postMessage", "invalid_auth", 1);

    const failure = await platformError(client.chat.postMessage({ channel: "C0ALERTS", text: "x" }));

    expect(failure.error).toBe("invalid_auth");
    expect(slack.calls("chat.postMessage")).toHaveLength(1);
  });

  it.each([
    [
      "conversations.info of an unknown channel",
      (c: WebClient) => c.conversations.info({ channel: "C0NOPE" }),
      "channel_not_found",
    ],
    [
      "chat.update of an unknown message",
      (c: WebClient) => c.chat.update({ channel: "C0ALERTS", ts: "1.000001", text: "x" }),
      "message_not_found",
    ],
    [
      "chat.update naming the channel instead of its id (Slack takes only ids there)",
      async (c: WebClient) => {
        const parent = await c.chat.postMessage({ channel: "ops-alerts", text: "ALARM" });
        return c.chat.update({ channel: "ops-alerts", ts: parent.ts!, text: "OK" });
      },
      "channel_not_found",
    ],
    [
      "a file shared into a channel named instead of its id",
      (c: WebClient) =>
        c.files.completeUploadExternal({ files: [{ id: "F0NOPE" }], channel_id: "ops-alerts" }),
      "channel_not_found",
    ],
    [
      "a reply to an unknown thread",
      (c: WebClient) => c.chat.postMessage({ channel: "C0ALERTS", text: "x", thread_ts: "1.000001" }),
      "thread_not_found",
    ],
    [
      "completing a file that was never uploaded",
      (c: WebClient) => c.files.completeUploadExternal({ files: [{ id: "F0NOPE" }], channel_id: "C0ALERTS" }),
      "file_not_found",
    ],
    [
      "an upload URL without a length",
      (c: WebClient) => c.apiCall("files.getUploadURLExternal", { filename: "a.txt" }),
      "invalid_arguments",
    ],
    [
      "a method the server does not speak",
      (c: WebClient) => c.apiCall("admin.teams.list", {}),
      "unknown_method",
    ],
  ])("answers %s with Slack's error", async (_case, call, expected) => {
    const client = await start();

    const failure = await platformError(call(client));

    expect(failure.error).toBe(expected);
  });

  it("retries a rate-limited post at once when Retry-After is 0, leaving one copy", async () => {
    const client = await start({ rateLimit: { perSecond: 50, burst: 1, retryAfterSeconds: 0 } });

    await Promise.all(["a", "b", "c"].map((text) => client.chat.postMessage({ channel: "C0ALERTS", text })));

    expect(slack.calls("chat.postMessage").some((call) => call.status === 429)).toBe(true);
    expect(
      slack
        .channel("ops-alerts")
        .messages.map((m) => m.text)
        .sort(),
    ).toEqual(["a", "b", "c"]);
  });

  it("throws a named error for a channel the server does not have", async () => {
    await start();

    expect(() => slack.channel("nope")).toThrow(UnknownChannelError);
  });
});
