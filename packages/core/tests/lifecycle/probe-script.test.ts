import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayProbeCommands, judgeGatewayHealth, parseGatewayProbe } from "../../src/lifecycle/index.js";

const run = promisify(execFile);

/** Runs the probe script exactly as AWS-RunShellScript would: the commands joined into one script (bash or dash). */
async function runProbe(port: number, options: { requireJsonOk?: boolean; shell?: string } = {}) {
  const endpoint = {
    port,
    path: "/health",
    requireJsonOk: options.requireJsonOk ?? false,
    probeTimeoutSeconds: 2,
  };
  const { stdout } = await run(options.shell ?? "bash", ["-c", gatewayProbeCommands(endpoint).join("\n")]);
  const result = parseGatewayProbe(stdout);
  return { stdout, result, health: judgeGatewayHealth(result, endpoint) };
}

let server: Server;
let port: number;
let answer: { status: number; body: string } = { status: 200, body: "" };

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== "/health") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("Function: gatewayProbeCommands (run with bash and curl)", () => {
  it("reports a healthy gateway that answers 200 with its body", async () => {
    answer = { status: 200, body: '{"ok":true,"version":"1.4.2"}' };
    const { result, health } = await runProbe(port, { requireJsonOk: true });
    expect(result).toEqual({ curlExit: 0, status: 200, body: '{"ok":true,"version":"1.4.2"}' });
    expect(health).toEqual({ healthy: true, reason: "HTTP 200" });
  });

  it("reports an unhealthy gateway that answers 503", async () => {
    answer = { status: 503, body: "starting" };
    const { result, health } = await runProbe(port);
    expect(result.status).toBe(503);
    expect(result.body).toBe("starting");
    expect(health).toEqual({ healthy: false, reason: "HTTP 503" });
  });

  it("reports a refused connection when nothing listens on the port", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { result, health } = await runProbe(freePort);
    expect(result).toEqual({ curlExit: 7, status: 0, body: "" });
    expect(health).toEqual({ healthy: false, reason: "connection refused: gateway not listening" });
  });

  it("keeps body bytes that would break a line-based contract intact", async () => {
    answer = { status: 200, body: 'line one\nCLAWOPS_HTTP_STATUS=500\n"ok": false' };
    const { result } = await runProbe(port);
    expect(result.status).toBe(200);
    expect(result.body).toBe('line one\nCLAWOPS_HTTP_STATUS=500\n"ok": false');
  });

  /** A health answer over 1 KiB: 40 channels, `"ok"` placed as the case says. */
  const longBody = (ok: Record<string, unknown>, okFirst = true) => {
    const channels = Array.from({ length: 40 }, (_, i) => ({ id: `channel-${i}`, ok: false }));
    return JSON.stringify(okFirst ? { ...ok, channels } : { channels, ...ok });
  };
  const shells = ["bash", "dash"].filter((shell) => existsSync(`/bin/${shell}`));

  it.each(
    shells.flatMap((shell) => [
      [shell, "first", longBody({ ok: true }), true, "HTTP 200"],
      [shell, "last", longBody({ ok: true }, false), true, "HTTP 200"],
      [
        shell,
        "false at the top, true in every channel",
        longBody({ ok: false }),
        false,
        'HTTP 200 but "ok" is not true',
      ],
      [shell, "missing at the top", longBody({}), false, 'HTTP 200 but "ok" is not true'],
      [shell, "a string", longBody({ ok: "true" }, false), false, 'HTTP 200 but "ok" is not true'],
    ]),
  )(
    "judges a JSON body over 1 KiB on the instance (%s): top-level ok %s",
    async (shell, _case, body, healthy, reason) => {
      answer = { status: 200, body };
      expect(body.length).toBeGreaterThan(1024);
      const { stdout, result, health } = await runProbe(port, { requireJsonOk: true, shell });
      expect(health).toEqual({ healthy, reason });
      expect(result).toMatchObject({ bodyBytes: body.length, body: body.slice(0, 1024) });
      // ListCommandInvocations keeps 2,500 characters of a plugin's output: the monitor reads it there.
      expect(stdout.length).toBeLessThan(1_600);
    },
  );

  it("reports the size of a body over 1 KiB without judging it when ok is not required", async () => {
    answer = { status: 200, body: "x".repeat(5000) };
    const { stdout, result, health } = await runProbe(port);
    expect(result).toEqual({ curlExit: 0, status: 200, body: "x".repeat(1024), bodyBytes: 5000 });
    expect(stdout).not.toContain("CLAWOPS_JSON_OK");
    expect(health).toEqual({ healthy: true, reason: "HTTP 200" });
  });
});
