import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { formatGatewayProbeOutput, judgeGatewayHealth, parseGatewayProbe } from "@clawops/core/lifecycle";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayProcessError } from "../../src/gateway/errors.js";
import { GatewayProcesses } from "../../src/gateway/gateway-fleet.js";
import { CurlExit, probeGateway } from "../../src/gateway/probe.js";

const fleet = new GatewayProcesses();

afterEach(async () => {
  await fleet.closeAll();
});

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a real condition (a process starting or ending), bounded: no fixed sleeps. */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe("Class: GatewayProcesses", () => {
  it("starts a gateway process on a free loopback port that answers OpenClaw's health shape", async () => {
    const { port, pid } = await fleet.start("i-0a1");

    const result = await probeGateway(port, "/health", 2_000);

    expect(port).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(alive(pid)).toBe(true);
    expect(result).toEqual({ curlExit: 0, status: 200, body: '{"ok":true,"status":"live"}' });
    expect(fleet.portOf("i-0a1")).toBe(port);
  });

  it("serves the configured health path and 404 elsewhere", async () => {
    const { port } = await fleet.start("i-0a2", { path: "/healthz" });

    expect((await probeGateway(port, "/healthz")).status).toBe(200);
    expect((await probeGateway(port, "/health")).status).toBe(404);
  });

  it("kills a gateway for real, after which the probe reports connection refused", async () => {
    const { port, pid } = await fleet.start("i-0a3");

    await fleet.kill("i-0a3");
    const result = await probeGateway(port, "/health", 2_000);

    expect(alive(pid)).toBe(false);
    expect(result).toEqual({ curlExit: CurlExit.Refused, status: 0, body: "" });
    expect(fleet.statusOf("i-0a3")).toMatchObject({ running: false, signal: "SIGKILL", port });
  });

  it("stops a gateway gracefully with exit code 0", async () => {
    const { port } = await fleet.start("i-0a4");

    const status = await fleet.stop("i-0a4");

    expect(status).toMatchObject({ running: false, exitCode: 0, signal: null });
    expect((await probeGateway(port)).curlExit).toBe(CurlExit.Refused);
  });

  it("answers 503 with ok false while unhealthy and recovers when set healthy", async () => {
    const { port } = await fleet.start("i-0a5", { mode: "unhealthy" });

    const sick = await probeGateway(port);
    await fleet.setMode("i-0a5", "healthy");
    const well = await probeGateway(port);

    expect(sick).toEqual({ curlExit: 0, status: 503, body: '{"ok":false,"status":"unhealthy"}' });
    expect(well.status).toBe(200);
  });

  it("accepts but never answers while hanging, so the probe times out with curl's exit 28", async () => {
    const { port } = await fleet.start("i-0a6");
    await fleet.setMode("i-0a6", "hang");

    const result = await probeGateway(port, "/health", 150);

    expect(result).toEqual({ curlExit: CurlExit.TimedOut, status: 0, body: "" });
    expect(judgeGatewayHealth(result, endpoint(port)).reason).toBe("no answer within 1s");
  });

  it("refuses connections during a slow boot and becomes live after the boot delay", async () => {
    const { port } = await fleet.start("i-0a7", { mode: "slow-boot", bootDelayMs: 300 });

    const booting = await probeGateway(port);
    const booted = await eventually(async () => (await probeGateway(port)).status === 200);

    expect(booting.curlExit).toBe(CurlExit.Refused);
    expect(booted).toBe(true);
    expect(fleet.statusOf("i-0a7")?.mode).toBe("healthy");
  });

  it("switches a live gateway into slow boot on request (a restart in place)", async () => {
    const { port } = await fleet.start("i-0a8");

    await fleet.setMode("i-0a8", "slow-boot", { bootDelayMs: 200 });

    expect((await probeGateway(port)).curlExit).toBe(CurlExit.Refused);
    expect(await eventually(async () => (await probeGateway(port)).status === 200)).toBe(true);
  });

  it("accepts mode changes on its HTTP control endpoint", async () => {
    const { port } = await fleet.start("i-0a9");

    const response = await fetch(`http://127.0.0.1:${port}/__sandbox/mode`, {
      method: "POST",
      body: JSON.stringify({ mode: "unhealthy" }),
    });

    expect(await response.json()).toEqual({ ok: true, mode: "unhealthy" });
    expect(await eventually(async () => (await probeGateway(port)).status === 503)).toBe(true);
  });

  it("restarts a killed instance's gateway on its old port", async () => {
    const { port } = await fleet.start("i-0b1");
    await fleet.kill("i-0b1");

    const again = await fleet.start("i-0b1", { port });

    expect(again.port).toBe(port);
    expect((await probeGateway(port)).status).toBe(200);
  });

  it("refuses to start a second process for a running instance", async () => {
    await fleet.start("i-0b2");

    await expect(fleet.start("i-0b2")).rejects.toBeInstanceOf(GatewayProcessError);
  });

  it("reports every exit to onExit, with how the process ended", async () => {
    const exits: { instanceId: string; signal: string | null; exitCode: number | null }[] = [];
    const watched = new GatewayProcesses({
      onExit: ({ instanceId, signal, exitCode }) => exits.push({ instanceId, signal, exitCode }),
    });
    try {
      await watched.start("i-0e1");
      await watched.start("i-0e2");

      await watched.kill("i-0e1");
      await watched.stop("i-0e2");

      expect(exits).toEqual([
        { instanceId: "i-0e1", signal: "SIGKILL", exitCode: null },
        { instanceId: "i-0e2", signal: null, exitCode: 0 },
      ]);
    } finally {
      await watched.closeAll();
    }
  });

  it("fails setMode on a gateway that is no longer running", async () => {
    await fleet.start("i-0e3");
    await fleet.kill("i-0e3");

    await expect(fleet.setMode("i-0e3", "hang")).rejects.toThrow("is not running");
  });

  it("leaves no child process behind after closeAll", async () => {
    const pids = await Promise.all(
      ["i-0c1", "i-0c2", "i-0c3"].map(async (id) => (await fleet.start(id)).pid),
    );

    await fleet.closeAll();

    expect(pids.map(alive)).toEqual([false, false, false]);
    expect(fleet.list().every((status) => !status.running)).toBe(true);
  });

  it("produces a probe result the production parser reads back unchanged", async () => {
    const { port } = await fleet.start("i-0d1");

    const result = await probeGateway(port);

    expect(parseGatewayProbe(formatGatewayProbeOutput(result))).toEqual(result);
    expect(judgeGatewayHealth(result, endpoint(port)).healthy).toBe(true);
  });

  it.each([
    [true, true],
    [false, false],
  ])("judges a JSON health answer over 1 KiB on its whole body (ok %s: healthy %s)", async (ok, healthy) => {
    const body = JSON.stringify({ status: "live", plugins: "x".repeat(3_000), ok });
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;

      const result = parseGatewayProbe(formatGatewayProbeOutput(await probeGateway(port)));

      expect(judgeGatewayHealth(result, endpoint(port)).healthy).toBe(healthy);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function endpoint(port: number) {
  return { port, path: "/health", probeTimeoutSeconds: 1, requireJsonOk: true } as const;
}
