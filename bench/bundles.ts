/**
 * Bundle size and cold import time of every Lambda entry, as a ratio to a reference bundle built in the same
 * run from `@slack/web-api` alone, so the figure does not depend on the machine's speed.
 * Each function is built as `sst deploy` builds it (SST's own esbuild and options from stacks/bundling.ts: ESM,
 * code splitting, minified, SDK included).
 * - `kb`: what a cold start loads: the entry file plus the chunks it imports statically;
 * - `totalKb`: all code shipped (source maps not counted), including chunks only a rarely used path `import()`s
 *   (the dead-letter queue's SQS client, the credential chain's STS/SSO clients, the X-Ray tracer: loaded only
 *   where a stage sets `handlerTracing`) and, for readiness/run, the per-area gatherers every run loads after
 *   the import (so its first run loads more than `kb`); `largestKb`: its biggest file;
 * - cold import = `await import(bundle)` in a fresh Node process (the cold-start proxy), `runs` rounds; in each
 *   round every bundle is imported right after an import of the reference, and the ratio is the median over
 *   the rounds of those pairs' ratios: this machine's speed drifts by up to 1.5x within a minute (other tenants
 *   on the host), so a figure is only compared with one measured next to it. Ratios are of CPU time (see
 *   `coldImport`); medians of wall and CPU time are reported next to them.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type BuiltFunction, buildFunction, findEntries } from "../scripts/bundling.js";

const run = promisify(execFile);

export interface BundleFigure {
  readonly function: string;
  /** KB loaded at a cold start (entry + static chunks). */
  readonly kb: number;
  /** KB shipped (every chunk). */
  readonly totalKb: number;
  /** KB of the biggest single file shipped (for readiness/run, the EC2 client's chunk). */
  readonly largestKb: number;
  /** Median wall time of the import. */
  readonly importMs: number;
  /** Median CPU time of the import (what the ratio is of). */
  readonly importCpuMs: number;
  readonly importRatio: number;
  /**
   * The first and third quartiles of the rounds' ratios: the middle half of what one round measured, so a
   * reader can tell a ratio that misses the target from one the machine's noise put on either side of it.
   */
  readonly importRatioQuartiles: readonly [number, number];
}

/** A bundle of library code alone, no clawops code: one part of a handler, or a function's whole set (`of`). */
export interface FloorFigure {
  readonly name: string;
  /** For a whole set of libraries: the function that holds them (see `Floor`). */
  readonly of?: string;
  /** The packages the set leaves out, and why (see `Floor`). */
  readonly leavesOut?: Readonly<Record<string, string>>;
  readonly kb: number;
  readonly importCpuMs: number;
  readonly importRatio: number;
}

export interface BundlesBench {
  readonly referenceKb: number;
  readonly referenceImportMs: number;
  readonly referenceImportCpuMs: number;
  readonly runs: number;
  readonly bundles: BundleFigure[];
  /** The floors under the functions' figures, measured in the same rounds (see FLOORS). */
  readonly floors: FloorFigure[];
}

/** The middy + Powertools chain `lambdaHandler` wraps every handler in (packages/core/src/handler). */
const HANDLER_CHAIN = [
  `export { default as middy } from "@middy/core";`,
  `export { Logger } from "@aws-lambda-powertools/logger";`,
  `export { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";`,
  `export { Metrics } from "@aws-lambda-powertools/metrics";`,
  `export { logMetrics } from "@aws-lambda-powertools/metrics/middleware";`,
];

/**
 * Library code alone, no clawops code, bundled and imported the same way:
 * - the parts every handler has: an SDK v3 client with the one command a handler sends (its import evaluates
 *   the client, `@smithy/core` and `@aws-sdk/core`: the floor of any function that calls AWS), and the middy +
 *   Powertools chain of `lambdaHandler`;
 * - two whole sets as functions load them at a cold start, because parts do not add up (they share Node's
 *   modules and the SDK core): lifecycle/complete's (one SDK client and the chain) and the alert router's
 *   (`@slack/web-api` and `@middy/secrets-manager`, the stack's Slack client and secret middleware, with its
 *   DynamoDB and CloudWatch clients and the chain). zod is left out: its schemas count with clawops code.
 * A function loads every module of its set (tests/bench-floors.test.ts), so its import costs at least the set's,
 * up to a run's noise: these rows say how much of a ratio the function's own code does not decide.
 */
export interface Floor {
  /** The entry's source: re-exports, so the bundle keeps what a handler uses and evaluates it at import. */
  readonly source: string;
  /** For a whole set: the function (`flow/name`) that holds these libraries. */
  readonly of?: string;
  /**
   * Library packages the function loads at a cold start that this set leaves out, each with why the function
   * could do without it there (zod is always left out): the set then measures what the function cannot shed.
   */
  readonly leavesOut?: Readonly<Record<string, string>>;
}

const ROUTER_CORE = [
  `export { WebClient } from "@slack/web-api";`,
  `export { default as secretsManager } from "@middy/secrets-manager";`,
  `export { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";`,
  `export { DynamoDBClient } from "@aws-sdk/client-dynamodb";`,
  `export { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";`,
];

export const FLOORS: Readonly<Record<string, Floor>> = {
  "Auto Scaling client + 1 command": {
    source: `export { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";`,
  },
  "DynamoDB client + 1 command": {
    source: `export { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";`,
  },
  "middy + Powertools Logger + Metrics": {
    source: [
      `export { default as middy } from "@middy/core";`,
      `export { Logger } from "@aws-lambda-powertools/logger";`,
      `export { Metrics } from "@aws-lambda-powertools/metrics";`,
    ].join("\n"),
  },
  "lifecycle/complete's libraries: Auto Scaling client + handler chain": {
    of: "lifecycle/complete",
    source: [
      `export { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";`,
      ...HANDLER_CHAIN,
    ].join("\n"),
  },
  "alerts/router's libraries: Slack + secret + DynamoDB + CloudWatch + handler chain": {
    of: "alerts/router",
    source: [
      ...ROUTER_CORE,
      `export { CloudWatchClient, GetMetricWidgetImageCommand } from "@aws-sdk/client-cloudwatch";`,
      ...HANDLER_CHAIN,
    ].join("\n"),
  },
  "alerts/router's libraries without CloudWatch: Slack + secret + DynamoDB + handler chain": {
    of: "alerts/router",
    leavesOut: {
      "@aws-sdk/client-cloudwatch":
        "used only for alarm tags and graphs, so functions/alerts/graph.ts could import it on first use",
    },
    source: [...ROUTER_CORE, ...HANDLER_CHAIN].join("\n"),
  },
};

/**
 * One cold import in a fresh Node process: wall time, and CPU time (user + system) of the process during the
 * import. The ratio uses CPU time: on a shared machine, wall time also counts waiting for a core other
 * processes hold (it swung the ratios by 2x between runs of the same code); a Lambda cold start has its core.
 */
async function coldImport(file: string): Promise<{ wallMs: number; cpuMs: number }> {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_REGION: "us-east-1",
    },
  });
  const [wallMs = Number.NaN, cpuMs = Number.NaN] = (stdout.trim().split("\n").pop() ?? "")
    .split(" ")
    .map(Number);
  return { wallMs, cpuMs };
}

/** One cold import of a bundle, and its ratio to the reference's import just before it. */
interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly ratio: number;
}

interface Measured {
  readonly name: string;
  readonly fn: BuiltFunction;
  readonly samples: Sample[];
}

/** The `q` quantile of the samples (0.5: the median), the nearest-rank value. */
function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** The median of the samples, the nearest-rank value (the upper middle one of an even count). */
export const median = (samples: number[]): number => quantile(samples, 0.5);

const kb = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

/** Builds a bundle of `source` (an entry written into `dir` as `<name>.ts`) as a function is built, into `dir/<name>`. */
export async function buildSource(source: string, name: string, dir: string): Promise<BuiltFunction> {
  const file = join(dir, `${name}.ts`);
  await writeFile(file, source.endsWith("\n") ? source : `${source}\n`);
  return buildFunction(file, join(dir, name));
}

/** Builds every function and the reference, then measures each (`filter`: only entries containing it). */
export async function runBundlesBench(
  options: { runs?: number; filter?: string } = {},
): Promise<BundlesBench> {
  const runs = options.runs ?? 7;
  const root = process.cwd();
  const dir = await mkdtemp(join(tmpdir(), "clawops-bench-bundles-"));
  try {
    const reference = await buildSource('export { WebClient } from "@slack/web-api";', "reference", dir);
    const referenceSamples: { wallMs: number; cpuMs: number }[] = [];
    const built: Measured[] = [];
    const floors: (Measured & { meta: Omit<Floor, "source"> })[] = [];
    for (const [index, [name, { source, ...meta }]] of Object.entries(FLOORS).entries())
      floors.push({ name, meta, fn: await buildSource(source, `floor-${index}`, dir), samples: [] });
    for (const file of await findEntries(root)) {
      const name = relative(join(root, "functions"), file).replace(/\.ts$/, "");
      if (options.filter && !name.includes(options.filter)) continue;
      built.push({ name, fn: await buildFunction(file, join(dir, "functions", name)), samples: [] });
    }
    // Rounds of pairs: each bundle right after an import of the reference, so a drift in speed hits both.
    for (let round = 0; round < runs; round++) {
      for (const b of [...built, ...floors]) {
        const pair = await coldImport(reference.entryFile);
        referenceSamples.push(pair);
        const sample = await coldImport(b.fn.entryFile);
        b.samples.push({ ...sample, ratio: sample.cpuMs / pair.cpuMs });
      }
    }
    const hundredths = (x: number) => Math.round(x * 100) / 100;
    const ratioAt = (samples: Sample[], q: number) => {
      const ratios = samples.map((x) => x.ratio);
      return hundredths(quantile(ratios, q));
    };
    const ratio = (samples: Sample[]) => ratioAt(samples, 0.5);
    const wall = (samples: { wallMs: number }[]) => median(samples.map((x) => x.wallMs));
    const cpu = (samples: { cpuMs: number }[]) => median(samples.map((x) => x.cpuMs));
    const referenceImportMs = wall(referenceSamples);
    const referenceCpuMs = cpu(referenceSamples);
    return {
      referenceKb: kb(reference.coldBytes),
      referenceImportMs: Math.round(referenceImportMs * 10) / 10,
      referenceImportCpuMs: Math.round(referenceCpuMs * 10) / 10,
      runs,
      bundles: built.map(({ name, fn, samples }) => {
        const importCpuMs = cpu(samples);
        return {
          function: name,
          kb: kb(fn.coldBytes),
          totalKb: kb(fn.totalBytes),
          largestKb: kb(fn.largestBytes),
          importMs: Math.round(wall(samples) * 10) / 10,
          importCpuMs: Math.round(importCpuMs * 10) / 10,
          importRatio: ratio(samples),
          importRatioQuartiles: [ratioAt(samples, 0.25), ratioAt(samples, 0.75)],
        };
      }),
      floors: floors.map(({ name, meta, fn, samples }) => ({
        name,
        ...meta,
        kb: kb(fn.coldBytes),
        importCpuMs: Math.round(cpu(samples) * 10) / 10,
        importRatio: ratio(samples),
      })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runBundlesBench({ runs: Number(process.env.RUNS ?? 5), filter: process.argv[2] });
  console.log(
    `reference @slack/web-api ${result.referenceKb} KB, ${result.referenceImportMs} ms, ${result.referenceImportCpuMs} ms CPU`,
  );
  for (const f of result.floors)
    console.log(
      `floor: ${f.name.padEnd(82)} ${String(f.kb).padStart(7)} KB ${f.importCpuMs} ms CPU ${f.importRatio}x`,
    );
  for (const b of result.bundles)
    console.log(
      `${b.function.padEnd(28)} ${String(b.kb).padStart(7)} KB cold ${String(b.totalKb).padStart(7)} KB shipped ${String(b.largestKb).padStart(7)} KB largest ${String(b.importMs).padStart(7)} ms ${String(b.importCpuMs).padStart(7)} ms CPU ${b.importRatio}x (${b.importRatioQuartiles.join("-")})`,
    );
}
