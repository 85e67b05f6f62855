import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayProbeCommands, judgeGatewayHealth, parseGatewayProbe } from "../../src/lifecycle/index.js";

const run = promisify(execFile);

/** Runs the probe script exactly as AWS-RunShellScript would: the commands joined into one bash script. */
async function runProbe(port: number, options: { requireJsonOk?: boolean } = {}) {
  const endpoint = {
    port,
    path: "/health",
    requireJsonOk: options.requireJsonOk ?? false,
    probeTimeoutSeconds: 2,
  };
  const { stdout } = await run("bash", ["-c", gatewayProbeCommands(endpoint).join("\n")]);
  const result = parseGatewayProbe(stdout);
  return { result, health: judgeGatewayHealth(result, endpoint) };
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
});
