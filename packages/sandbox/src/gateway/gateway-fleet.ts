import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GatewayProcessError, GatewayStartError } from "./errors.js";

/** How a gateway answers `GET <path>`. See `gateway-server.mjs`. */
export const GatewayMode = {
  /** 200 `{"ok":true,"status":"live"}`. */
  Healthy: "healthy",
  /** Connection refused until the boot delay has passed, then healthy. */
  SlowBoot: "slow-boot",
  /** 503 `{"ok":false,"status":"unhealthy"}`. */
  Unhealthy: "unhealthy",
  /** Accepts the connection, never answers (the prober's timeout decides). */
  Hang: "hang",
} as const;
export type GatewayMode = (typeof GatewayMode)[keyof typeof GatewayMode];

/** Options of one gateway process. */
export interface GatewayStartOptions {
  /** Loopback port. @default 0 (a free port, picked by the OS) */
  readonly port?: number;
  /** Health path. @default "/health" */
  readonly path?: string;
  /** Behaviour at start. @default "healthy" */
  readonly mode?: GatewayMode;
  /** For `slow-boot`: real milliseconds of refused connections before it is live. @default 0 */
  readonly bootDelayMs?: number;
}

/** A started gateway process. */
export interface GatewayHandle {
  readonly port: number;
  readonly pid: number;
}

/** What the fleet knows about one instance's gateway; kept after the process exits (its port stays its port). */
export interface GatewayStatus extends GatewayHandle {
  readonly instanceId: string;
  readonly path: string;
  readonly mode: GatewayMode;
  readonly running: boolean;
  /** Exit code, `null` while running or when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of the fleet. */
export interface GatewayProcessesOptions {
  /** Real milliseconds a process may take to report that it serves. @default 10_000 */
  readonly startTimeoutMs?: number;
  /** Real milliseconds `stop` waits after SIGTERM before SIGKILL. @default 5_000 */
  readonly stopTimeoutMs?: number;
  /** Called when a gateway process exits, however it ended. */
  readonly onExit?: (status: GatewayStatus) => void;
}

interface Entry {
  status: GatewayStatus;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly acks: Map<number, () => void>;
}

/** Path of the gateway script (plain ESM, started with `process.execPath`, no TypeScript loader). */
export const GATEWAY_SERVER_SCRIPT = fileURLToPath(new URL("./gateway-server.mjs", import.meta.url));

const live = new Set<GatewayProcesses>();
const hooked = new Set<string>();

/** Kills every child of every fleet when this process ends, also on Ctrl-C and SIGTERM. */
function hookProcessEnd(): void {
  if (!hooked.has("exit")) {
    hooked.add("exit");
    process.on("exit", () => {
      for (const fleet of live) fleet.killAllNow();
    });
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    if (hooked.has(signal)) continue;
    hooked.add(signal);
    const onSignal = (): void => {
      for (const fleet of live) fleet.killAllNow();
      process.off(signal, onSignal);
      hooked.delete(signal);
      // Our listener suppressed the default action: re-raise it unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * One real gateway process per simulated instance, on loopback ports. Killing one is a real failure:
 * the port refuses connections afterwards. Every child ends when the fleet closes, when this process exits
 * (also on SIGINT/SIGTERM), and by itself when its parent dies (the IPC channel closes).
 */
export class GatewayProcesses {
  private readonly entries = new Map<string, Entry>();
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private seq = 0;

  constructor(private readonly options: GatewayProcessesOptions = {}) {
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  }

  /**
   * Starts the instance's gateway and resolves once it behaves as `options.mode` says (listening, or for
   * `slow-boot` refusing). An instance whose previous process has exited can be started again (same port: pass it).
   */
  async start(instanceId: string, options: GatewayStartOptions = {}): Promise<GatewayHandle> {
    if (this.entries.get(instanceId)?.status.running) {
      throw new GatewayProcessError(`gateway of ${instanceId} is already running`, instanceId);
    }
    const path = options.path ?? "/health";
    const mode = options.mode ?? GatewayMode.Healthy;
    const args = [GATEWAY_SERVER_SCRIPT, "--instance-id", instanceId, "--port", String(options.port ?? 0)];
    args.push("--path", path, "--mode", mode, "--boot-delay-ms", String(options.bootDelayMs ?? 0));
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    live.add(this);
    hookProcessEnd();
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const entry: Entry = {
      status: {
        instanceId,
        port: 0,
        pid: child.pid ?? 0,
        path,
        mode,
        running: true,
        exitCode: null,
        signal: null,
      },
      child,
      exited,
      acks: new Map(),
    };
    this.entries.set(instanceId, entry);
    child.once("exit", (code, signal) => {
      entry.status = { ...entry.status, running: false, exitCode: code, signal };
      for (const ack of entry.acks.values()) ack();
      this.options.onExit?.(entry.status);
    });
    child.on("message", (message: { type?: string; port?: number; mode?: GatewayMode; seq?: number }) => {
      if (message.type === "mode" && message.mode) entry.status = { ...entry.status, mode: message.mode };
      if (typeof message.seq === "number") entry.acks.get(message.seq)?.();
    });
    const started = await new Promise<{ port: number } | Error>((resolve) => {
      const timer = setTimeout(
        () => resolve(new Error(`no answer within ${this.startTimeoutMs} ms`)),
        this.startTimeoutMs,
      );
      child.on("message", (message: { type?: string; port?: number }) => {
        if (message.type === "started" && typeof message.port === "number") {
          clearTimeout(timer);
          resolve({ port: message.port });
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        resolve(error);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        resolve(new Error(`exited (${signal ?? code}) before serving: ${stderr.trim()}`));
      });
    });
    if (started instanceof Error) {
      child.kill("SIGKILL");
      await exited;
      throw new GatewayStartError(`gateway of ${instanceId} did not start: ${started.message}`, instanceId, {
        cause: started,
      });
    }
    entry.status = { ...entry.status, port: started.port };
    return { port: started.port, pid: entry.status.pid };
  }

  /** Kills the gateway for real (SIGKILL, no flush) and resolves once the process is gone. */
  async kill(instanceId: string): Promise<void> {
    const entry = this.entryOf(instanceId);
    if (entry.status.running) entry.child.kill("SIGKILL");
    await entry.exited;
  }

  /** Stops the gateway gracefully (SIGTERM: it stops listening, flushes and exits 0); SIGKILL after the timeout. */
  async stop(instanceId: string): Promise<GatewayStatus> {
    const entry = this.entryOf(instanceId);
    if (entry.status.running) {
      entry.child.kill("SIGTERM");
      const timer = setTimeout(() => entry.child.kill("SIGKILL"), this.stopTimeoutMs);
      await entry.exited;
      clearTimeout(timer);
    }
    return entry.status;
  }

  /** Changes how the gateway answers; resolves once it does (for `slow-boot`: once it refuses connections). */
  async setMode(
    instanceId: string,
    mode: GatewayMode,
    options: { bootDelayMs?: number } = {},
  ): Promise<void> {
    const entry = this.entryOf(instanceId);
    if (!entry.status.running)
      throw new GatewayProcessError(`gateway of ${instanceId} is not running`, instanceId);
    const seq = ++this.seq;
    await new Promise<void>((resolve) => {
      entry.acks.set(seq, resolve);
      // The channel may close under us (the process is dying): the exit handler then releases the wait too.
      entry.child.send({ type: "mode", mode, bootDelayMs: options.bootDelayMs ?? 0, seq }, (error) => {
        if (error) resolve();
      });
    });
    entry.acks.delete(seq);
    if (!entry.status.running) throw new GatewayProcessError(`gateway of ${instanceId} exited`, instanceId);
  }

  /** The instance's gateway port (also after its process died), or undefined for an unknown instance. */
  portOf(instanceId: string): number | undefined {
    return this.entries.get(instanceId)?.status.port;
  }

  /** What the fleet knows about the instance's gateway, or undefined. */
  statusOf(instanceId: string): GatewayStatus | undefined {
    return this.entries.get(instanceId)?.status;
  }

  /** Every gateway the fleet started, running or not. */
  list(): GatewayStatus[] {
    return [...this.entries.values()].map((entry) => entry.status);
  }

  /** Kills every running gateway and resolves once all are gone. Safe to call twice. */
  async closeAll(): Promise<void> {
    const running = [...this.entries.values()].filter((entry) => entry.status.running);
    this.killAllNow();
    await Promise.all(running.map((entry) => entry.exited));
    live.delete(this);
  }

  /** Synchronous SIGKILL of every running gateway (for `exit` handlers, where nothing can be awaited). */
  killAllNow(): void {
    for (const entry of this.entries.values()) {
      if (entry.status.running && entry.child.exitCode === null) entry.child.kill("SIGKILL");
    }
  }

  private entryOf(instanceId: string): Entry {
    const entry = this.entries.get(instanceId);
    if (!entry) throw new GatewayProcessError(`no gateway started for ${instanceId}`, instanceId);
    return entry;
  }
}
