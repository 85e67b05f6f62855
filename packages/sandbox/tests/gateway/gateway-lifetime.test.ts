import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const owner = fileURLToPath(new URL("./fixtures/fleet-owner.ts", import.meta.url));

/**
 * True while the process runs. An orphan that has exited stays a zombie until PID 1 reaps it (about a second
 * in this VM), so a zombie counts as gone: it holds no port and runs no code.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return true; // no procfs: kill(0) is all we know
  }
}

/** Polls real processes ending, bounded: no fixed sleeps. */
async function allGone(pids: readonly number[], timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return !pids.some(alive);
}

/** Starts a process that owns a fleet of two gateways; resolves with its handle and the gateways' pids. */
async function startOwner() {
  const child = spawn(process.execPath, ["--import", "tsx", owner], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! });
  const [line] = await Promise.race([
    new Promise<string[]>((resolve) => lines.once("line", (first) => resolve([first]))),
    exited.then(() => [] as string[]),
  ]);
  lines.close();
  const gateways = JSON.parse(line ?? "[]") as number[];
  return { child, exited, gateways };
}

describe("Class: GatewayProcesses (process lifetime)", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "kills its gateways when the owning process receives %s, which still ends the owner",
    async (signal) => {
      const { child, exited, gateways } = await startOwner();
      expect(gateways).toHaveLength(2);
      expect(gateways.every(alive)).toBe(true);

      child.kill(signal);

      expect(await exited).toEqual({ code: null, signal });
      expect(await allGone(gateways)).toBe(true);
    },
  );

  it("leaves no gateway behind when the owning process is SIGKILLed (the gateways notice their parent died)", async () => {
    const { child, exited, gateways } = await startOwner();

    child.kill("SIGKILL");
    await exited;

    expect(await allGone(gateways)).toBe(true);
  });
});
