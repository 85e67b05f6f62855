import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { ESM_REQUIRE_BANNER, FUNCTION_ESBUILD, FUNCTION_SPLITTING } from "../stacks/bundling.js";

/** One bundled Lambda entry point. */
export interface BundleResult {
  /** `<flow>/<file>` without extension, e.g. `alerts/router`. */
  readonly entry: string;
  readonly outfile: string;
  /** What a cold start loads: the entry file and the chunks it imports statically. */
  readonly bytes: number;
  /** Everything shipped, lazily loaded chunks included. */
  readonly totalBytes: number;
}

/** Every `functions/**` file that exports a Lambda `handler` is an entry point. */
export async function findEntries(root: string): Promise<string[]> {
  const entries: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) {
        if (item.name !== "tests" && item.name !== "node_modules") await walk(path);
      } else if (/\.ts$/.test(item.name) && !/\.test\.ts$/.test(item.name)) {
        const source = await readFile(path, "utf8");
        if (/export\s+const\s+handler\b/.test(source)) entries.push(path);
      }
    }
  };
  await walk(join(root, "functions"));
  return entries.sort();
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

/** Bundles each entry as production does (see `buildFunction`) into `<outdir>/<flow>/<name>/`. */
export async function bundleEntries(
  root: string,
  outdir: string,
  entries?: string[],
): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const file of entries ?? (await findEntries(root))) {
    const entry = relative(join(root, "functions"), file).replace(/\.ts$/, "");
    const built = await buildFunction(file, join(outdir, entry));
    results.push({ entry, outfile: built.entryFile, bytes: built.coldBytes, totalBytes: built.totalBytes });
  }
  return results;
}
