/**
 * Bundle size and cold import time of every Lambda entry, as a ratio to a reference bundle built in the same
 * run from `@slack/web-api` alone, so the figure does not depend on the machine's speed.
 * Each function is built as deploys build it (stacks/bundling.ts: ESM, code splitting, minified, SDK included).
 * - `kb`: what a cold start loads: the entry file plus the chunks it imports statically;
 * - `totalKb`: everything shipped, including chunks only a rarely used path `import()`s (the dead-letter
 *   queue's SQS client, the X-Ray tracer, the credential chain's STS/SSO clients);
 * - cold import = `await import(bundle)` in a fresh Node process (the cold-start proxy), median of `runs`,
 *   the reference measured between functions so that a busy machine weighs on both sides alike.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import { findEntries } from "../scripts/bundling.js";
import { ESM_REQUIRE_BANNER, FUNCTION_ESBUILD, FUNCTION_SPLITTING } from "../stacks/bundling.js";

const run = promisify(execFile);

export interface BundleFigure {
  readonly function: string;
  /** KB loaded at a cold start (entry + static chunks). */
  readonly kb: number;
  /** KB shipped (every chunk). */
  readonly totalKb: number;
  readonly importMs: number;
  readonly importRatio: number;
}

export interface BundlesBench {
  readonly referenceKb: number;
  readonly referenceImportMs: number;
  readonly runs: number;
  readonly bundles: BundleFigure[];
}

/** One function built as deployed: the entry file, the KB its cold start loads, and the KB shipped. */
export interface BuiltFunction {
  readonly entryFile: string;
  readonly coldBytes: number;
  readonly totalBytes: number;
}

/** Bytes of the entry output plus every chunk reachable from it by static `import` (what a cold start reads). */
export function coldBytesOf(metafile: Metafile, entryOutput: string): number {
  const seen = new Set<string>();
  const visit = (output: string): number => {
    if (seen.has(output)) return 0;
    seen.add(output);
    const meta = metafile.outputs[output];
    if (!meta) return 0;
    let bytes = meta.bytes;
    for (const imported of meta.imports) {
      if (imported.kind === "import-statement" && !imported.external) bytes += visit(imported.path);
    }
    return bytes;
  };
  return visit(entryOutput);
}

/** Builds one entry into `outdir` with the deploy options; returns what a cold start loads and what ships. */
export async function buildFunction(file: string, outdir: string): Promise<BuiltFunction> {
  const result = await build({
    entryPoints: [file],
    outdir,
    splitting: FUNCTION_SPLITTING,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    bundle: true,
    platform: "node",
    format: "esm",
    minify: true,
    target: FUNCTION_ESBUILD.target,
    mainFields: [...FUNCTION_ESBUILD.mainFields],
    keepNames: FUNCTION_ESBUILD.keepNames,
    legalComments: FUNCTION_ESBUILD.legalComments,
    banner: { js: ESM_REQUIRE_BANNER },
    nodePaths: [join(process.cwd(), "node_modules")],
    logLevel: "error",
  });
  const outputs = result.metafile.outputs;
  // Chunks that other code `import()`s have an entry point too: the function's own is the one built from `file`.
  const entryPoint = relative(process.cwd(), file);
  const entryOutput = Object.keys(outputs).find((o) => outputs[o]?.entryPoint === entryPoint);
  if (!entryOutput) throw new Error(`esbuild produced no entry output for ${file}`);
  const totalBytes = Object.values(outputs).reduce((sum, o) => sum + o.bytes, 0);
  return {
    entryFile: resolve(entryOutput),
    coldBytes: coldBytesOf(result.metafile, entryOutput),
    totalBytes,
  };
}

async function coldImportMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_REGION: "us-east-1",
    },
  });
  return Number(stdout.trim().split("\n").pop());
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const kb = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

/** Builds every function and the reference, then measures each (`filter`: only entries containing it). */
export async function runBundlesBench(
  options: { runs?: number; filter?: string } = {},
): Promise<BundlesBench> {
  const runs = options.runs ?? 7;
  const root = process.cwd();
  const dir = await mkdtemp(join(tmpdir(), "clawops-bench-bundles-"));
  try {
    const entry = join(dir, "reference.ts");
    await writeFile(entry, 'export { WebClient } from "@slack/web-api";\n');
    const reference = await buildFunction(entry, join(dir, "reference"));
    const referenceSamples: number[] = [];
    const built: Array<{ name: string; fn: BuiltFunction; samples: number[] }> = [];
    for (const file of await findEntries(root)) {
      const name = relative(join(root, "functions"), file).replace(/\.ts$/, "");
      if (options.filter && !name.includes(options.filter)) continue;
      built.push({ name, fn: await buildFunction(file, join(dir, "functions", name)), samples: [] });
    }
    // Interleaved rounds: every function and the reference once per round, so load spikes hit all of them.
    for (let round = 0; round < runs; round++) {
      referenceSamples.push(await coldImportMs(reference.entryFile));
      for (const b of built) b.samples.push(await coldImportMs(b.fn.entryFile));
    }
    const referenceImportMs = median(referenceSamples);
    return {
      referenceKb: kb(reference.coldBytes),
      referenceImportMs: Math.round(referenceImportMs * 10) / 10,
      runs,
      bundles: built.map(({ name, fn, samples }) => {
        const importMs = median(samples);
        return {
          function: name,
          kb: kb(fn.coldBytes),
          totalKb: kb(fn.totalBytes),
          importMs: Math.round(importMs * 10) / 10,
          importRatio: Math.round((importMs / referenceImportMs) * 100) / 100,
        };
      }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runBundlesBench({ runs: Number(process.env.RUNS ?? 5), filter: process.argv[2] });
  console.log(`reference @slack/web-api ${result.referenceKb} KB, ${result.referenceImportMs} ms`);
  for (const b of result.bundles)
    console.log(
      `${b.function.padEnd(28)} ${String(b.kb).padStart(7)} KB cold ${String(b.totalKb).padStart(7)} KB shipped ${String(b.importMs).padStart(7)} ms ${b.importRatio}x`,
    );
}
