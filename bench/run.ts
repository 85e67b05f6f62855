/**
 * `npm run bench`: every benchmark in one run (bundles, then each flow's module that exists), the cost model
 * from their call counts, written to docs/benchmarks.md (figures, machine, command, date) and
 * docs/benchmarks.json (the shape issue 10 gives). A flow benchmark that is missing or fails is reported as
 * such, in the output and in the report, never skipped silently; the exit code is 1 when one did.
 * Sizes are chosen to finish in under 10 minutes on a 2-core machine (see SIZES).
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BundlesBench } from "./bundles.js";
import { type CostEstimate, type CostInputs, costModel } from "./cost.js";
import type { FirstRequestBench } from "./first-request.js";
import { renderMarkdown } from "./report.js";

/** Smaller than each module's default where it allows, so the whole run fits the time budget. */
export const SIZES = {
  bundleRuns: 15,
  drills: { files: 2_000, totalBytes: 256 * 1024 ** 2 },
  alertsStormSpeed: 1,
} as const;

/** One flow benchmark's outcome: its figures, or why there are none. */
export type FlowOutcome<T> =
  | { readonly status: "ok"; readonly seconds: number; readonly result: T }
  | { readonly status: "missing" | "failed"; readonly seconds: number; readonly error: string };

type AnyResult = Record<string, unknown>;

/** Imports `bench/<flow>.ts` and runs its `fn` in this process; a missing module or a throw becomes an outcome. */
async function runFlowHere(flow: string, fn: string, args: unknown[]): Promise<FlowOutcome<AnyResult>> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  let mod: Record<string, unknown>;
  try {
    mod = await import(`./${flow}.js`);
  } catch (error) {
    const missing = (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND";
    return {
      status: missing ? "missing" : "failed",
      seconds: seconds(),
      error: String((error as Error).message),
    };
  }
  const run = mod[fn];
  if (typeof run !== "function")
    return { status: "missing", seconds: seconds(), error: `bench/${flow}.ts exports no ${fn}()` };
  try {
    const result = (await run(...args)) as AnyResult;
    return { status: "ok", seconds: seconds(), result };
  } catch (error) {
    return { status: "failed", seconds: seconds(), error: String((error as Error).stack ?? error) };
  }
}

/**
 * Runs one benchmark in a child process of its own: the flow modules install process-wide state (SDK mocks,
 * client interceptors, environment variables) that must not leak into the next one. Its logs go to a file;
 * the last lines are quoted when it fails.
 */
async function runFlow(flow: string, fn: string, args: unknown[]): Promise<FlowOutcome<AnyResult>> {
  const dir = await mkdtemp(join(tmpdir(), `clawops-bench-${flow}-`));
  const resultFile = join(dir, "result.json");
  const logFile = join(dir, "log.txt");
  const started = performance.now();
  const tsx = join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
  const code = await new Promise<number>((resolve) => {
    const out = createWriteStream(logFile);
    const child = spawn(
      process.execPath,
      [tsx, fileURLToPath(import.meta.url), "--child", flow, fn, JSON.stringify(args), resultFile],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.on("close", (c) => resolve(c ?? 1));
  });
  try {
    return JSON.parse(await readFile(resultFile, "utf8")) as FlowOutcome<AnyResult>;
  } catch {
    const tail = (await readFile(logFile, "utf8").catch(() => "")).split("\n").slice(-15).join("\n");
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    return { status: "failed", seconds, error: `exited ${code} without a result; last output:\n${tail}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Everything one `npm run bench` measured. */
export interface BenchRun {
  readonly date: string;
  readonly command: string;
  readonly machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  readonly seconds: number;
  readonly bundles: FlowOutcome<BundlesBench>;
  /** Cold import plus the first request (bench/first-request.ts). */
  readonly firstRequest: FlowOutcome<FirstRequestBench>;
  readonly flows: Record<"alerts" | "lifecycle" | "readiness" | "drills", FlowOutcome<AnyResult>>;
  readonly cost: FlowOutcome<{ inputs: CostInputs; estimates: Record<"3" | "10" | "100", CostEstimate> }>;
  readonly sizes: typeof SIZES;
}

const get = (o: FlowOutcome<AnyResult>, key: string): unknown => (o.status === "ok" ? o.result[key] : null);

/** docs/benchmarks.json, in exactly the shape of issue 10 (null where a benchmark did not produce it). */
export function toJson(run: BenchRun): Record<string, unknown> {
  const { alerts, lifecycle, readiness, drills } = run.flows;
  const storm = get(alerts, "storm") as Record<string, number> | null;
  const costOf = (n: "3" | "10" | "100") =>
    run.cost.status === "ok" ? run.cost.result.estimates[n].totalUsd : null;
  return {
    bundles:
      run.bundles.status === "ok"
        ? run.bundles.result.bundles.map((b) => ({
            function: b.function,
            kb: b.kb,
            importRatio: b.importRatio,
          }))
        : [],
    alerts: {
      perEventP99Ms: get(alerts, "perEventP99Ms"),
      storm: storm
        ? {
            events: storm.events,
            posts: storm.posts,
            secondsToAllVisible: storm.secondsToAllVisible,
            lost: storm.lost,
          }
        : null,
    },
    lifecycle: {
      gateLatencySeconds: get(lifecycle, "gateLatencySeconds"),
      monitorCalls: get(lifecycle, "monitorCalls"),
    },
    readiness: { calls: get(readiness, "calls"), wallSeconds1000: get(readiness, "wallSeconds1000") },
    drills: {
      verifierRatioToSha256sum: get(drills, "verifierRatioToSha256sum"),
      overheadSeconds: get(drills, "overheadSeconds"),
    },
    cost: { "3": costOf("3"), "10": costOf("10"), "100": costOf("100") },
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string) =>
    console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
  log("bundles: building and cold-importing every function");
  const bundles = (await runFlow("bundles", "runBundlesBench", [
    { runs: SIZES.bundleRuns },
  ])) as FlowOutcome<BundlesBench>;
  log(`bundles: ${bundles.status} in ${bundles.seconds}s`);
  log("first request: cold import plus the first request, for the reference, the floors and four functions");
  const firstRequest = (await runFlow("first-request", "runFirstRequestBench", [
    { runs: SIZES.bundleRuns },
  ])) as FlowOutcome<FirstRequestBench>;
  log(`first request: ${firstRequest.status} in ${firstRequest.seconds}s`);
  const flows = {} as BenchRun["flows"];
  const plan: Array<[keyof BenchRun["flows"], string, unknown[]]> = [
    ["alerts", "runAlertsBench", [{ speed: SIZES.alertsStormSpeed }]],
    ["lifecycle", "runLifecycleBench", []],
    ["readiness", "runReadinessBench", []],
    ["drills", "runDrillsBench", [SIZES.drills]],
  ];
  for (const [flow, fn, args] of plan) {
    log(`${flow}: running`);
    flows[flow] = await runFlow(flow, fn, args);
    const o = flows[flow];
    log(`${flow}: ${o.status} in ${o.seconds}s${o.status === "ok" ? "" : ` — ${o.error.split("\n")[0]}`}`);
  }
  let cost: BenchRun["cost"];
  const lifecycle = flows.lifecycle.status === "ok" ? flows.lifecycle.result : undefined;
  const readiness = flows.readiness.status === "ok" ? flows.readiness.result : undefined;
  log("cost: synthesizing the stacks for what they deploy");
  const inventory = await runFlow("cost-inventory", "synthesizedInventory", []);
  log(`cost: inventory ${inventory.status} in ${inventory.seconds}s`);
  if (lifecycle && readiness && inventory.status === "ok") {
    const inputs: CostInputs = {
      monitorCalls: lifecycle.monitorCalls as CostInputs["monitorCalls"],
      readinessCalls: readiness.calls as CostInputs["readinessCalls"],
      ssmCallsPerGate: Number(lifecycle.ssmCallsPerGate ?? 0),
      verifierMBps: Number(get(flows.drills, "verifierMBps") ?? 100),
      inventory: inventory.result as unknown as CostInputs["inventory"],
    };
    cost = { status: "ok", seconds: inventory.seconds, result: { inputs, estimates: costModel(inputs) } };
  } else {
    cost = {
      status: "failed",
      seconds: inventory.seconds,
      error:
        inventory.status === "ok"
          ? "needs the lifecycle and readiness call counts, which did not run"
          : `synthesizing the stacks failed: ${inventory.error}`,
    };
  }
  const run: BenchRun = {
    date: new Date().toISOString(),
    command: "npm run bench",
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    seconds: Math.round((performance.now() - started) / 1000),
    bundles,
    firstRequest,
    flows,
    cost,
    sizes: SIZES,
  };
  await mkdir("docs", { recursive: true });
  await writeFile(join("docs", "benchmarks.json"), `${JSON.stringify(toJson(run), null, 2)}\n`);
  await writeFile(join("docs", "benchmarks.md"), renderMarkdown(run));
  log(`wrote docs/benchmarks.md and docs/benchmarks.json in ${run.seconds}s`);
  const failed = [bundles, firstRequest, ...Object.values(flows), cost].filter(
    (o) => o.status !== "ok",
  ).length;
  if (failed > 0) log(`${failed} benchmark(s) missing or failed: see docs/benchmarks.md`);
  // Flow benchmarks may leave servers or timers behind (a local Slack server, middy's secret refresh).
  process.exit(failed > 0 ? 1 : 0);
}

/** `run.ts --child <flow> <fn> <args json> <result file>`: one benchmark, its outcome written as JSON. */
async function child(): Promise<void> {
  const [flow, fn, args, resultFile] = process.argv.slice(3) as [string, string, string, string];
  const outcome = await runFlowHere(flow, fn, JSON.parse(args) as unknown[]);
  await writeFile(resultFile, JSON.stringify(outcome));
  process.exit(0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv[2] === "--child") await child();
  else await main();
}
