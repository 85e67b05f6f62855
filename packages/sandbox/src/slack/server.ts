import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SlackMethodError } from "./errors.js";
import { type MethodContext, type SlackIdentity, slackMethods, UPLOAD_PATH } from "./methods.js";
import { ChannelRateLimiter, type RateLimitOptions } from "./rate-limit.js";
import { readSlackRequest } from "./request.js";
import { renderSlackView } from "./view.js";
import { type SlackChannelView, SlackWorkspace } from "./workspace.js";

/** Options of the local Slack-compatible Web API server. */
export interface SlackServerOptions {
  /** The bot token clients must send. @default "xoxb-sandbox-token" */
  readonly token?: string;
  /** Channels that exist, name → id (`{ "ops-alerts": "C0ALERTS" }`). @default {} */
  readonly channels?: Readonly<Record<string, string>>;
  /** chat.postMessage's per-channel limit; `false` turns it off. @default { perSecond: 1, burst: 3 } */
  readonly rateLimit?: RateLimitOptions | false;
  /**
   * Milliseconds since the epoch, for message timestamps and the rate limit. A clock that does not follow real
   * time would keep a client waiting on `Retry-After` rate limited forever. @default Date.now
   */
  readonly now?: () => number;
  /** The workspace `auth.test` describes. @default team T0SANDBOX, bot user U0SANDBOXBOT, bot B0SANDBOX */
  readonly identity?: Partial<SlackIdentity>;
  /** Loopback port. @default 0 (free port) */
  readonly port?: number;
}

/** A fault the server answers with instead of the method, for the next `times` calls of a method. */
type Fault =
  | { kind: "status"; status: number; times: number }
  | { kind: "timeout"; times: number }
  | { kind: "error"; error: string; times: number }
  | { kind: "ratelimited"; retryAfterSeconds: number; times: number };

/** One request the server answered (or held), in order. */
export interface SlackCall {
  /** `chat.postMessage`, ..., or `upload` for the POST to an upload URL. */
  readonly method: string;
  /** HTTP status sent; 0 when the request was held by a timeout fault. */
  readonly status: number;
  /** The `error` of an `ok: false` envelope, `ratelimited` for a 429, `http_<status>` for injected 5xx. */
  readonly error: string | undefined;
  readonly at: number;
}

/** The method name that faults and `calls` use for the POST to an upload URL. */
export const SLACK_UPLOAD_METHOD = "upload";

/** A running local Slack server. */
export interface SlackServer {
  /** `http://127.0.0.1:<port>/`: the HTML view of the channels. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api/`: pass as the WebClient's `slackApiUrl`. */
  readonly apiUrl: string;
  readonly token: string;
  /** What the channel shows (by name or id). Throws `UnknownChannelError`. */
  channel(nameOrId: string): SlackChannelView;
  /** Every channel. */
  channels(): SlackChannelView[];
  /** Adds a channel at run time; returns its id. */
  addChannel(name: string, id?: string): string;
  /** Answers the next `times` calls of `method` with HTTP `status` (default 500). */
  fail(method: string, options?: { status?: 500 | 502 | 503 | 504; times?: number }): void;
  /** Holds the next `times` calls of `method` without an answer (the client's timeout decides). */
  timeout(method: string, times?: number): void;
  /** Answers the next `times` calls of `method` with `{ ok: false, error }`. */
  error(method: string, error: string, times?: number): void;
  /**
   * Answers the next `times` calls of `method` with HTTP 429 and `Retry-After: retryAfterSeconds`, whatever the
   * per-channel limit says (a limit hit from elsewhere in the workspace). @default 1 second, once
   */
  rateLimited(method: string, options?: { retryAfterSeconds?: number; times?: number }): void;
  /**
   * Replaces chat.postMessage's per-channel limit (`false` turns it off), its time read from `clock` (a test
   * passes its sandbox clock when the clients wait `Retry-After` on that clock). @default clock the server's `now`
   */
  limitRate(limit: RateLimitOptions | false, clock?: () => number): void;
  /**
   * Calls `listener` for every request with a promise that settles once it is answered or its connection
   * closes (a held request too): the sandbox clock can `track` it, so real I/O takes no sandbox time.
   * Returns the unsubscribe function.
   */
  onRequest(listener: (answered: Promise<void>) => void): () => void;
  /** Requests answered so far, optionally of one method. */
  calls(method?: string): SlackCall[];
  close(): Promise<void>;
}

/** Starts the local Slack-compatible Web API server on a loopback port. */
export async function startSlackServer(options: SlackServerOptions = {}): Promise<SlackServer> {
  const token = options.token ?? "xoxb-sandbox-token";
  const now = options.now ?? Date.now;
  const identity: SlackIdentity = {
    teamId: "T0SANDBOX",
    team: "clawops sandbox",
    botUserId: "U0SANDBOXBOT",
    botId: "B0SANDBOX",
    ...options.identity,
  };
  const workspace = new SlackWorkspace(now, identity.botUserId);
  for (const [name, id] of Object.entries(options.channels ?? {})) workspace.addChannel(name, id);
  let limiter =
    options.rateLimit === false ? undefined : new ChannelRateLimiter(options.rateLimit ?? {}, now);
  const faults = new Map<string, Fault[]>();
  const calls: SlackCall[] = [];
  const held = new Set<ServerResponse>();
  const requestListeners = new Set<(answered: Promise<void>) => void>();
  let baseUrl = "";

  const record = (method: string, status: number, error?: string): void => {
    calls.push({ method, status, error, at: now() });
  };
  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
    res.writeHead(status, {
      "content-type": type,
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  /** Applies an injected fault; true when the request is answered (or held) by it. */
  const applyFault = (method: string, res: ServerResponse): boolean => {
    const queue = faults.get(method);
    const fault = queue?.[0];
    if (!queue || !fault) return false;
    if (--fault.times <= 0) queue.shift();
    if (fault.kind === "timeout") {
      held.add(res);
      res.on("close", () => held.delete(res));
      record(method, 0, "timeout");
    } else if (fault.kind === "ratelimited") {
      record(method, 429, "ratelimited");
      send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfterSeconds) });
    } else if (fault.kind === "status") {
      record(method, fault.status, `http_${fault.status}`);
      send(res, fault.status, { ok: false, error: "internal_error" });
    } else {
      record(method, 200, fault.error);
      send(res, 200, { ok: false, error: fault.error });
    }
    return true;
  };

  const answerApi = async (method: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (applyFault(method, res)) return;
    const request = await readSlackRequest(req);
    const handler = slackMethods[method];
    if (request.token === undefined) throw new SlackMethodError("not_authed");
    if (request.token !== token) throw new SlackMethodError("invalid_auth");
    if (!handler) throw new SlackMethodError("unknown_method");
    if (method === "chat.postMessage" && limiter) {
      const channel = workspace.find(String(request.args.channel ?? ""));
      const retryAfter = channel ? limiter.take(channel.id) : undefined;
      if (retryAfter !== undefined) {
        record(method, 429, "ratelimited");
        return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(retryAfter) });
      }
    }
    const context: MethodContext = { workspace, identity, baseUrl };
    const result = handler(request.args, context);
    record(method, 200);
    send(res, 200, { ok: true, ...result });
  };

  const answerUpload = async (fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (applyFault(SLACK_UPLOAD_METHOD, res)) return;
    const request = await readSlackRequest(req);
    const content = request.files[0]?.content ?? request.raw;
    if (!workspace.receiveUpload(fileId, content)) {
      record(SLACK_UPLOAD_METHOD, 404, "file_not_found");
      return send(res, 404, "Not Found");
    }
    record(SLACK_UPLOAD_METHOD, 200);
    send(res, 200, `OK - ${content.length}`);
  };

  const server = createServer((req, res) => {
    if (requestListeners.size > 0) {
      const answered = new Promise<void>((resolve) => res.once("close", () => resolve()));
      for (const listener of requestListeners) listener(answered);
    }
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const method = path.startsWith("/api/") ? path.slice("/api/".length) : undefined;
    const work = (async () => {
      if (method !== undefined) return answerApi(method, req, res);
      if (path.startsWith(UPLOAD_PATH) && req.method === "POST") {
        return answerUpload(path.slice(UPLOAD_PATH.length), req, res);
      }
      if (req.method === "GET" && path.startsWith("/files/")) {
        const file = workspace.fileContent(decodeURIComponent(path.slice("/files/".length)));
        if (!file) return send(res, 404, "Not Found");
        res.writeHead(200, { "content-type": file.mimetype, "content-length": String(file.content.length) });
        return void res.end(file.content);
      }
      if (req.method === "GET" && path === "/") {
        const html = renderSlackView(workspace.list(), identity.team);
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": "default-src 'self'",
        });
        return void res.end(html);
      }
      send(res, 404, "Not Found");
    })();
    work.catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof SlackMethodError) {
        record(method ?? path, 200, error.error);
        const metadata = error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {};
        return send(res, 200, { ok: false, error: error.error, ...metadata });
      }
      record(method ?? path, 500, "internal_error");
      send(res, 500, { ok: false, error: "internal_error" });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const addFault = (method: string, fault: Fault): void => {
    faults.set(method, [...(faults.get(method) ?? []), fault]);
  };
  let closed: Promise<void> | undefined;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}api/`,
    token,
    channel: (nameOrId) => workspace.view(nameOrId),
    channels: () => workspace.list(),
    addChannel: (name, id) => workspace.addChannel(name, id),
    fail: (method, { status = 500, times = 1 } = {}) => addFault(method, { kind: "status", status, times }),
    timeout: (method, times = 1) => addFault(method, { kind: "timeout", times }),
    error: (method, error, times = 1) => addFault(method, { kind: "error", error, times }),
    rateLimited: (method, { retryAfterSeconds = 1, times = 1 } = {}) =>
      addFault(method, { kind: "ratelimited", retryAfterSeconds, times }),
    limitRate(limit, clock = now) {
      limiter = limit === false ? undefined : new ChannelRateLimiter(limit, clock);
    },
    onRequest(listener) {
      requestListeners.add(listener);
      return () => void requestListeners.delete(listener);
    },
    calls: (method) => calls.filter((call) => method === undefined || call.method === method),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const res of held) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
