import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { logger, metrics } from "@clawops/core";
import { makeClient } from "@clawops/core/aws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AlertsInstall, installAlerts } from "../packages/sandbox/src/gameday/scenes/alerts.js";
import { sandboxFunctionEnvironment } from "../packages/sandbox/src/gameday/scenes/function-environment.js";
import { createSandbox, type Sandbox } from "../packages/sandbox/src/sandbox.js";
import { runUntilSettled, trackRealIo } from "../packages/sandbox/tests/faults/real-io.js";
import { sdkRetriesOnClock } from "../packages/sandbox/tests/faults/sdk-retries.js";
import { stageAlarm } from "../packages/sandbox/tests/faults/stage-alarm.js";

/** The router's bot token: a value that appears nowhere else, so any copy of it is a leak. */
const CANARY = "xoxb-CANARY-7f3c91d2-5be0-4e6a-9d1f-0c2a8b4e6f13";
/** The same secret after an operator revoked it in Slack (the workspace answers `invalid_auth`). */
const REVOKED_CANARY = "xoxb-CANARY-REVOKED-2d8e4a60-91b3-4c7f-a5e2-6b0d3f9c1a47";

/** One request the Slack client sent, as the wire carried it. */
interface SentRequest {
  readonly url: string;
  readonly method: string;
  readonly authorization: string | undefined;
  /** Every header but `Authorization`, and the body as text. */
  readonly rest: string;
}

const sent: SentRequest[] = [];
let slackToken = "";
const realFetch = globalThis.fetch;

/** The body of a request as text (a multipart upload's parts too; binary as latin1, so any ASCII token shows). */
async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof FormData) {
    const parts: string[] = [];
    for (const [name, value] of body.entries())
      parts.push(
        `${name}=${typeof value === "string" ? value : Buffer.from(await value.arrayBuffer()).toString("latin1")}`,
      );
    return parts.join("&");
  }
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer()).toString("latin1");
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body))
    return Buffer.from(body as Uint8Array).toString("latin1");
  return JSON.stringify(body);
}

/**
 * The Slack client's `fetch` (it takes `globalThis.fetch` when it is made, once per token and server): records
 * each request, then sends it with the canary swapped for the local server's own token in the `Authorization`
 * header, as the workspace that issued the canary would accept it. The revoked canary is sent as it is.
 */
const recordingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const headers = new Headers(request.headers);
  const authorization = headers.get("authorization") ?? undefined;
  headers.delete("authorization");
  const body = init?.body ?? (request.body ? await request.clone().arrayBuffer() : undefined);
  sent.push({
    url: request.url,
    method: request.method,
    authorization,
    rest: `${JSON.stringify([...headers.entries()])}\n${await bodyText(body)}`,
  });
  if (authorization === `Bearer ${CANARY}`) {
    const swapped = new Headers(init?.headers ?? request.headers);
    swapped.set("authorization", `Bearer ${slackToken}`);
    return realFetch(input, { ...init, headers: swapped });
  }
  return realFetch(input, init);
};

/** What the process wrote while a test ran: every log line, console call, stdout/stderr chunk and EMF line. */
interface Written {
  readonly lines: string[];
  stop(): void;
}

function captureOutput(): Written {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  // The Powertools logger prints through a Console of its own (on stdout/stderr), metrics through the sink the
  // sandbox gave them (its CloudWatch model, as Lambda's log lines reach CloudWatch).
  const loggerConsole = logger as unknown as { console: Record<string, (...a: unknown[]) => void> };
  const emf = metrics as unknown as { console: Record<string, (...a: unknown[]) => void> };
  const undo: (() => void)[] = [];
  for (const target of [loggerConsole.console, emf.console, console as unknown as Record<string, unknown>]) {
    for (const method of methods) {
      const original = target[method] as ((...a: unknown[]) => void) | undefined;
      if (typeof original !== "function") continue;
      // The logger's lines are recorded, not printed (the test reports what it found); the rest still flows.
      target[method] =
        target === loggerConsole.console
          ? record
          : (...args: unknown[]) => {
              record(...args);
              original.apply(target, args);
            };
      undo.push(() => {
        target[method] = original;
      });
    }
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (write as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    undo.push(() => {
      stream.write = write;
    });
  }
  // Debug lines too: a token in a debug line leaks the day someone turns the level up.
  const level = logger.getLevelName();
  logger.setLogLevel("DEBUG");
  undo.push(() => logger.setLogLevel(level));
  return {
    lines,
    stop: () => {
      for (const fn of undo.splice(0).reverse()) fn();
    },
  };
}

let box: Sandbox | undefined;
let router: AlertsInstall | undefined;
let written: Written | undefined;
const undo: (() => void)[] = [];

beforeAll(() => {
  globalThis.fetch = recordingFetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});
afterEach(async () => {
  written?.stop();
  written = undefined;
  for (const fn of undo.splice(0).reverse()) fn();
  router?.uninstall();
  await box?.close();
  box = undefined;
  router = undefined;
  sent.length = 0;
});

type Scenario = "delivered" | "invalid_auth" | "5xx past retries" | "timeout" | "secret throttled";

/** Everything the workspace holds: messages, their edits, thread replies and uploaded files' content. */
function workspaceText(sandbox: Sandbox): string {
  return JSON.stringify(
    (sandbox.slack.server?.channels() ?? []).map((c) => ({
      name: c.name,
      messages: c.messages.map((m) => ({ ...m, thread: c.thread(m.ts) })),
    })),
    (_key, value) => (Buffer.isBuffer(value) ? value.toString("latin1") : value),
  );
}

describe("Canary secret: the alert router's Slack token is written nowhere", () => {
  it.each<[Scenario]>([
    ["delivered"],
    ["invalid_auth"],
    ["5xx past retries"],
    ["timeout"],
    ["secret throttled"],
  ])(
    "%s: not in a log line, a Slack request or message, a dead-letter record, an event or the environment",
    async (scenario) => {
      const sandbox = await createSandbox({ fleetSize: 1, gateways: false });
      box = sandbox;
      slackToken = sandbox.slack.token;
      undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
      router = await installAlerts(sandbox);
      const token = scenario === "invalid_auth" ? REVOKED_CANARY : CANARY;
      await makeClient(SecretsManagerClient).send(
        new PutSecretValueCommand({
          SecretId: router.slackSecretArn,
          SecretString: JSON.stringify({ botToken: token }),
        }),
      );
      if (scenario === "5xx past retries")
        sandbox.slack.server?.fail("chat.postMessage", { status: 503, times: 6 });
      if (scenario === "timeout") sandbox.slack.server?.timeout("chat.postMessage", 1);
      if (scenario === "secret throttled")
        sandbox.aws.inject("SecretsManager.GetSecretValue", { throttle: 5 });
      const alarm = await stageAlarm(sandbox, router, "Canary");
      written = captureOutput();

      await alarm.set("ALARM", "canary");
      await runUntilSettled(sandbox, () => false, 10 * 60_000);
      written.stop();

      // The scenario happened: the secret was used (and only in the Authorization header), the fault was hit.
      const postStatuses = sandbox.slack.server?.calls("chat.postMessage").map((c) => [c.status, c.error]);
      const records = sandbox.deadLetters.records();
      expect(sent.some((r) => r.authorization === `Bearer ${token}`)).toBe(true);
      if (scenario === "delivered") expect(postStatuses).toEqual([[200, undefined]]);
      if (scenario === "invalid_auth")
        expect(records.map((r) => r.reason)).toEqual([
          "AlertDeliveryError: invalid_auth",
          "AlertDeliveryError: invalid_auth",
        ]);
      if (scenario === "5xx past retries") {
        expect(postStatuses?.slice(0, 6)).toEqual(Array(6).fill([503, "http_503"]));
        expect(records.map((r) => r.reason)).toEqual(["AlertDeliveryError: retries exhausted: HTTP 503"]);
      }
      if (scenario === "timeout")
        expect(postStatuses).toEqual([
          [0, "timeout"],
          [200, undefined],
        ]);
      if (scenario === "secret throttled")
        expect(sandbox.aws.calls("SecretsManager", "GetSecretValue").map((c) => c.outcome)).toEqual([
          ...Array(5).fill("ThrottlingException"),
          "ok",
        ]);
      // The capture saw what the functions wrote (a failed invocation logs its error; every run writes EMF).
      // The capture saw what the function wrote: a failed invocation logs its error (the router logs nothing else
      // in these runs, even at DEBUG; Powertools' "no metrics" warning is written every time).
      expect(written.lines.length).toBeGreaterThan(0);
      if (scenario === "secret throttled")
        expect(written.lines.filter((line) => line.includes('"message":"invocation failed"'))).toHaveLength(
          1,
        );

      const leaks = {
        logs: written.lines.filter((line) => line.includes(token)),
        slackRequests: sent.filter((r) => `${r.url}\n${r.rest}`.includes(token)).map((r) => r.url),
        slackWorkspace: workspaceText(sandbox).includes(token),
        deadLetters: records.filter((r) => JSON.stringify(r).includes(token)).map((r) => r.reason),
        events: sandbox.events
          .published()
          .filter((e) => JSON.stringify(e).includes(token))
          .map((e) => e["detail-type"]),
        deliveryErrors: sandbox.events.bus
          .deliveries()
          .filter((d) => String(d.error?.stack ?? d.error?.message ?? "").includes(token))
          .map((d) => d.rule),
        environment: JSON.stringify(sandboxFunctionEnvironment(sandbox, router.settings)).includes(token),
      };
      expect(leaks).toEqual({
        logs: [],
        slackRequests: [],
        slackWorkspace: false,
        deadLetters: [],
        events: [],
        deliveryErrors: [],
        environment: false,
      });
    },
  );
});
