#!/usr/bin/env node
// A stand-in for one instance's OpenClaw gateway, run as its own process (`node gateway-server.mjs`).
// Plain ESM JavaScript on purpose: bare `node` starts it in ~50 ms, no TypeScript loader needed.
//
// Usage: node gateway-server.mjs [--port 0] [--path /health] [--mode healthy|slow-boot|unhealthy|hang]
//                                [--boot-delay-ms 0] [--instance-id i-...]
// The same settings can come from the environment: GATEWAY_PORT, GATEWAY_PATH, GATEWAY_MODE, GATEWAY_BOOT_DELAY_MS.
//
// Modes (what `GET <path>` gets):
//   healthy    200 {"ok":true,"status":"live"}, as OpenClaw answers.
//   slow-boot  connection refused (nothing listens) until the boot delay has passed, then healthy.
//   unhealthy  503 {"ok":false,"status":"unhealthy"}.
//   hang       the connection is accepted and never answered.
//
// Control: `POST /__sandbox/mode` with {"mode": "...", "bootDelayMs": n} (while listening), or, when started with an
// IPC channel, the message {"type":"mode","mode":"...","bootDelayMs":n,"seq":n}. Reports `{"type":"started","port":n}`
// over IPC (and as one JSON line on stdout) once it behaves as its mode says, `{"type":"mode",...}` after each change.
// SIGTERM: graceful stop (stop listening, drop hanging connections, print {"event":"stopped"}, exit 0).
// It exits on its own when its parent dies (IPC channel closed, or the parent pid changed), so no process is left.
import { createServer } from "node:http";

/** @typedef {"healthy" | "slow-boot" | "unhealthy" | "hang"} GatewayMode */
const MODES = /** @type {const} */ (["healthy", "slow-boot", "unhealthy", "hang"]);

/**
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 */
function parseSettings(argv, env) {
  /** @type {Record<string, string>} */
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else flags[arg.slice(2)] = argv[++i] ?? "";
  }
  const mode = flags.mode ?? env.GATEWAY_MODE ?? "healthy";
  if (!MODES.includes(/** @type {GatewayMode} */ (mode))) throw new Error(`unknown --mode ${mode}`);
  return {
    port: Number(flags.port ?? env.GATEWAY_PORT ?? 0),
    path: flags.path ?? env.GATEWAY_PATH ?? "/health",
    mode: /** @type {GatewayMode} */ (mode),
    bootDelayMs: Number(flags["boot-delay-ms"] ?? env.GATEWAY_BOOT_DELAY_MS ?? 0),
    instanceId: flags["instance-id"] ?? env.GATEWAY_INSTANCE_ID ?? "local",
  };
}

const settings = parseSettings(process.argv.slice(2), process.env);
/** @type {GatewayMode} */
let mode = settings.mode;
let port = settings.port;
/** @type {NodeJS.Timeout | undefined} */
let bootTimer;
/** @type {Set<import("node:net").Socket>} */
const sockets = new Set();
/** @type {Set<import("node:http").ServerResponse>} */
const hanging = new Set();
let stopping = false;

/** @param {Record<string, unknown>} message */
function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
  if (process.send && process.connected) process.send(message);
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "POST" && url.pathname === "/__sandbox/mode") {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      /** @type {{mode?: unknown, bootDelayMs?: unknown}} */
      let body;
      try {
        body = JSON.parse(raw || "{}");
        checkMode(body.mode);
      } catch (error) {
        return json(res, 400, { ok: false, error: error instanceof Error ? error.message : String(error) });
      }
      // Answer first: slow-boot drops every connection, this one included.
      res.shouldKeepAlive = false;
      res.on("finish", () => void setMode(body.mode, body.bootDelayMs).catch(fail));
      json(res, 200, { ok: true, mode: body.mode });
    });
    return;
  }
  if (req.method !== "GET" || url.pathname !== settings.path)
    return json(res, 404, { ok: false, error: "not_found" });
  if (mode === "hang") {
    hanging.add(res); // accepted, never answered: the client's timeout decides
    res.on("close", () => hanging.delete(res));
    return;
  }
  if (mode === "unhealthy") return json(res, 503, { ok: false, status: "unhealthy" });
  return json(res, 200, { ok: true, status: "live" });
});
server.keepAliveTimeout = 1000;
server.on("connection", (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});

function dropConnections() {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
}

/** @returns {Promise<void>} */
function listen() {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      if (address && typeof address === "object") port = address.port;
      resolve();
    });
  });
}

/** @returns {Promise<void>} */
function unlisten() {
  dropConnections();
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/** @param {unknown} next */
function checkMode(next) {
  if (!MODES.includes(/** @type {GatewayMode} */ (next))) throw new Error(`unknown mode ${String(next)}`);
}

/**
 * Slow boot: nothing listens (connection refused) until the delay has passed, then the gateway is live again.
 * @param {number} delayMs
 */
function scheduleBoot(delayMs) {
  clearTimeout(bootTimer);
  bootTimer = setTimeout(() => {
    if (stopping) return;
    listen().then(() => {
      mode = "healthy";
      report({ type: "mode", mode, port, booted: true });
    }, fail);
  }, delayMs);
}

/**
 * Applies a mode; resolves once the gateway behaves that way (for slow-boot: once nothing listens).
 * @param {unknown} next
 * @param {unknown} bootDelayMs
 */
async function applyMode(next, bootDelayMs) {
  checkMode(next);
  clearTimeout(bootTimer);
  mode = /** @type {GatewayMode} */ (next);
  if (mode !== "hang") dropHanging();
  if (mode === "slow-boot") {
    await unlisten();
    scheduleBoot(Number(bootDelayMs ?? settings.bootDelayMs));
  } else if (!server.listening) await listen();
}

/**
 * @param {unknown} next
 * @param {unknown} bootDelayMs
 * @param {unknown} [seq] echoed back so the parent can match its request
 */
async function setMode(next, bootDelayMs, seq) {
  await applyMode(next, bootDelayMs);
  report({ type: "mode", mode, port, seq });
}

// Connections held open by "hang" are dropped when the gateway leaves that mode.
function dropHanging() {
  for (const res of hanging) res.socket?.destroy();
  hanging.clear();
}

/** @param {unknown} error */
function fail(error) {
  process.stderr.write(`gateway ${settings.instanceId}: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
}

function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(bootTimer);
  void unlisten().then(() => {
    report({ event: "stopped", instanceId: settings.instanceId });
    process.exitCode = 0;
    if (process.connected) process.disconnect();
    process.stdout.end(() => process.exit(0));
  });
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("message", (message) => {
  const msg = /** @type {{type?: string, mode?: unknown, bootDelayMs?: unknown, seq?: unknown}} */ (message);
  if (msg?.type !== "mode") return;
  setMode(msg.mode, msg.bootDelayMs, msg.seq).catch((error) =>
    report({ type: "error", error: error instanceof Error ? error.message : String(error), seq: msg.seq }),
  );
});
// The parent died (or closed the channel): nothing may outlive the sandbox.
process.on("disconnect", () => {
  if (!stopping) process.exit(0);
});
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 500).unref();

// Bind first even for slow-boot, so a port 0 request learns its port, then behave as the mode says.
await listen().catch(fail);
await applyMode(mode, settings.bootDelayMs).catch(fail);
report({ type: "started", port, pid: process.pid, instanceId: settings.instanceId, mode });
