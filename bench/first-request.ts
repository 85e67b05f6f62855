/**
 * Cold import plus the first request, for the reference, the floors of bench/bundles.ts and four functions:
 * what a cold start costs once the handler has made its first call, not only once its module is loaded.
 *
 * Why: the reference (`@slack/web-api` 8) sends with Node's global `fetch`, and Node loads `fetch`'s HTTP stack
 * (undici) on first use. An SDK v3 client loads its own (`node:https`, `node:crypto`) when the module is
 * imported. So the import-only ratio counts an SDK client's HTTP stack and not the reference's. Each sample
 * here is one fresh Node process: it imports a bundle, makes its first request to a local endpoint
 * (bench/first-request-endpoint.ts) and reports the CPU time after the import and after the answer. The
 * endpoint speaks plain HTTP, so no TLS handshake is measured: in production the reference's first request
 * adds one, an SDK client's one per service it calls.
 * A first request that fails, or that a handler survives by tolerating a failed call, fails the benchmark: a
 * failed call can take another path through the client than a real one.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type BuiltFunction, buildFunction } from "../scripts/bundling.js";
import { buildSource, median } from "./bundles.js";
import { startLocalEndpoint } from "./first-request-endpoint.js";
import {
  FIRST_REQUESTS,
  type FirstRequestPart,
  type FunctionInvocation,
  SLACK_REFERENCE,
} from "./first-request-parts.js";

const run = promisify(execFile);

/** The Node modules of an HTTP stack a sample reports when they load: undici is what `fetch` runs on. */
export const HTTP_STACK_MODULES = {
  fetch: "NativeModule internal/deps/undici/undici",
  https: "NativeModule https",
} as const;

/** One cold start in a fresh Node process. */
export interface FirstRequestSample {
  /** CPU ms from before the import to after it. */
  readonly importCpuMs: number;
  /** CPU ms from before the import to the first request's answer. */
  readonly firstRequestCpuMs: number;
  /** Which HTTP stacks (HTTP_STACK_MODULES) were loaded after the import, and after the first request. */
  readonly stacks: { readonly afterImport: string[]; readonly afterFirstRequest: string[] };
  readonly response: unknown;
}

/** Builds a part as bench/bundles.ts builds a function, into `dir`. */
export async function buildPart(part: FirstRequestPart, name: string, dir: string): Promise<BuiltFunction> {
  if ("entry" in part) return buildFunction(join(process.cwd(), part.entry), join(dir, name));
  return buildSource(part.source, name, dir);
}

/**
 * What a sample's process sees: a Lambda-like environment built from nothing but `PATH`, so the parent's
 * `AWS_PROFILE`, `AWS_ENDPOINT_URL_*`, `NODE_OPTIONS` or `POWERTOOLS_*` cannot change what is measured.
 */
function lambdaEnvironment(endpoint: string, extra: Readonly<Record<string, string>> = {}) {
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    // As on Lambda: the function role's credentials in the environment, read by the default chain.
    AWS_ACCESS_KEY_ID: "AKIDBENCHFIRSTREQUEST",
    AWS_SECRET_ACCESS_KEY: "bench-secret",
    AWS_SESSION_TOKEN: "bench-session",
    AWS_ENDPOINT_URL: endpoint,
    AWS_LAMBDA_FUNCTION_NAME: "bench",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

/**
 * Imports `file` in a fresh Node process, then makes its first request to `endpoint`: `first(endpoint)`, or
 * one invocation of its `handler` with the invocation's event. Rejects if the call failed.
 */
export async function firstRequestSample(
  file: string,
  endpoint: string,
  invocation?: Omit<FunctionInvocation, "entry">,
): Promise<FirstRequestSample> {
  const call = invocation
    ? `bundle.handler(${JSON.stringify(invocation.event)}, { functionName: "bench", awsRequestId: "bench-request", getRemainingTimeInMillis: () => 30000 })`
    : `bundle.first(${JSON.stringify(endpoint)})`;
  const script = `const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const stacks = () => Object.entries(${JSON.stringify(HTTP_STACK_MODULES)}).filter(([, m]) => process.moduleLoadList.includes(m)).map(([name]) => name);
const start = cpu();
const bundle = await import(${JSON.stringify(pathToFileURL(file).href)});
const imported = cpu();
const afterImport = stacks();
const response = await ${call};
const answered = cpu();
process.stderr.write(JSON.stringify({ importCpuMs: imported - start, firstRequestCpuMs: answered - start, stacks: { afterImport, afterFirstRequest: stacks() }, response }) + "\\n", () => process.exit(0));`;
  const { stderr } = await run(process.execPath, ["--input-type=module", "-e", script], {
    // A cold start that has not answered in a minute is stuck (a retry loop on an answer the endpoint lacks).
    timeout: 60_000,
    env: lambdaEnvironment(endpoint, invocation?.env?.(endpoint)),
  });
  // Powertools writes its log lines and metrics to stdout; the figures go to stderr, on their own last line.
  // The process exits once they are written: middy's secret cache leaves a 15-minute refresh timer that
  // would keep it alive, where Lambda would freeze it.
  const last = stderr.trim().split("\n").pop();
  try {
    return JSON.parse(last ?? "") as FirstRequestSample;
  } catch {
    throw new Error(`the sample of ${file} printed no figures; its stderr:\n${stderr}`);
  }
}

/**
 * Throws unless the sample's first request succeeded: its answer is one `part.succeeded` accepts, and the
 * endpoint answered every call (a handler may survive a 404 it got, and take another path than in production).
 */
export function checkFirstRequest(
  name: string,
  part: FirstRequestPart,
  sample: FirstRequestSample,
  unanswered: readonly string[],
): void {
  if (!part.succeeded(sample.response))
    throw new Error(`${name}'s first request did not succeed: ${JSON.stringify(sample.response)}`);
  if (unanswered.length > 0)
    throw new Error(`${name} sent calls the endpoint has no answer for: ${unanswered.join(", ")}`);
}

/** One part's import and import + first request, by the median, with the ratio of each to the reference's. */
export interface FirstRequestFigure {
  readonly name: string;
  readonly importCpuMs: number;
  readonly importRatio: number;
  readonly firstRequestCpuMs: number;
  readonly firstRequestRatio: number;
}

/** What `runFirstRequestBench` measured: the reference's medians, and each part's figures against them. */
export interface FirstRequestBench {
  readonly runs: number;
  readonly reference: { readonly importCpuMs: number; readonly firstRequestCpuMs: number };
  readonly parts: FirstRequestFigure[];
}

type Timing = "importCpuMs" | "firstRequestCpuMs";
type Pair = { readonly sample: FirstRequestSample; readonly pair: FirstRequestSample };
/** The median of one timing, in tenths of a ms. */
const medianMs = (samples: readonly FirstRequestSample[], timing: Timing): number =>
  Math.round(median(samples.map((s) => s[timing])) * 10) / 10;
/** The median of one timing's ratio to the reference's in the same pair, in hundredths. */
const medianRatio = (pairs: readonly Pair[], timing: Timing): number =>
  Math.round(median(pairs.map(({ sample, pair }) => sample[timing] / pair[timing])) * 100) / 100;

/**
 * Builds the reference and each part of FIRST_REQUESTS as bench/bundles.ts builds a function, then measures
 * `runs` rounds, each part right after the reference (so a drift in the machine's speed hits both); the ratios
 * are medians of those pairs' ratios. Throws on a first request that did not succeed.
 */
export async function runFirstRequestBench(options: { runs?: number } = {}): Promise<FirstRequestBench> {
  const runs = options.runs ?? 7;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number ≥ 1, got ${runs}`);
  const dir = await mkdtemp(join(tmpdir(), "clawops-bench-first-request-"));
  const endpoint = await startLocalEndpoint();
  const measure = async (part: FirstRequestPart, fn: BuiltFunction, name: string) => {
    const sample = await firstRequestSample(fn.entryFile, endpoint.url, "entry" in part ? part : undefined);
    checkFirstRequest(name, part, sample, endpoint.unanswered);
    return sample;
  };
  try {
    const reference = await buildPart(SLACK_REFERENCE, "reference", dir);
    const parts = await Promise.all(
      Object.entries(FIRST_REQUESTS).map(async ([name, part], i) => ({
        name,
        part,
        fn: await buildPart(part, `part-${i}`, dir),
        pairs: [] as Pair[],
      })),
    );
    const referenceSamples: FirstRequestSample[] = [];
    for (let round = 0; round < runs; round++) {
      for (const { name, part, fn, pairs } of parts) {
        const pair = await measure(SLACK_REFERENCE, reference, "the reference");
        referenceSamples.push(pair);
        pairs.push({ sample: await measure(part, fn, name), pair });
      }
    }
    return {
      runs,
      reference: {
        importCpuMs: medianMs(referenceSamples, "importCpuMs"),
        firstRequestCpuMs: medianMs(referenceSamples, "firstRequestCpuMs"),
      },
      parts: parts.map(({ name, pairs }) => {
        const samples = pairs.map((p) => p.sample);
        return {
          name,
          importCpuMs: medianMs(samples, "importCpuMs"),
          importRatio: medianRatio(pairs, "importCpuMs"),
          firstRequestCpuMs: medianMs(samples, "firstRequestCpuMs"),
          firstRequestRatio: medianRatio(pairs, "firstRequestCpuMs"),
        };
      }),
    };
  } finally {
    await endpoint.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runFirstRequestBench({ runs: Number(process.env.RUNS ?? 7) });
  console.log(
    `reference @slack/web-api: import ${result.reference.importCpuMs} ms CPU, with its first request ${result.reference.firstRequestCpuMs} ms CPU`,
  );
  for (const p of result.parts)
    console.log(
      `${p.name.padEnd(56)} import ${p.importCpuMs} ms CPU ${p.importRatio}x, with its first request ${p.firstRequestCpuMs} ms CPU ${p.firstRequestRatio}x`,
    );
}
