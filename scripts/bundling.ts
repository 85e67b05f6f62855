import { readdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import type { Metafile } from "esbuild";
import { FUNCTION_NODEJS } from "../stacks/bundling.js";
import type { SstBuildOptions as BuildOptions, SstEsbuild as Esbuild } from "../stacks/lazy-bundles.js";

/** One bundled Lambda entry point. */
export interface BundleResult {
  /** `<flow>/<file>` without extension, e.g. `alerts/router`. */
  readonly entry: string;
  readonly outfile: string;
  /** What a cold start loads: the entry file and the chunks it imports statically. */
  readonly bytes: number;
  /** All code shipped, lazily loaded chunks included (source maps not counted). */
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

/**
 * The esbuild SST itself bundles functions with (sst 2.49.8 pins its own, 0.18.x; the repository's newer one is
 * for other scripts), so that what is measured is byte for byte what `sst deploy` ships.
 */
export function sstEsbuild(): Esbuild {
  const fromSst = createRequire(createRequire(import.meta.url).resolve("sst/package.json"));
  return fromSst("esbuild") as Esbuild;
}

/**
 * The esbuild options SST 2.49.8 builds an ESM function with (sst/runtime/handlers/node.js, deploy mode),
 * from the `nodejs` props every clawops function gets (`FUNCTION_NODEJS`): SST's defaults, then
 * `nodejs.esbuild` spread over them exactly as SST does.
 */
export function deployEsbuildOptions(file: string, outdir: string): BuildOptions {
  const nodejs = FUNCTION_NODEJS;
  const { external, ...override } = nodejs.esbuild as typeof nodejs.esbuild & { external?: string[] };
  const sstDefaults: BuildOptions = {
    entryPoints: [file],
    platform: "node",
    external: ["sharp", "pg-native", ...(external ?? [])],
    keepNames: true,
    bundle: true,
    logLevel: "silent",
    splitting: nodejs.splitting,
    metafile: true,
    outExtension: nodejs.splitting ? { ".js": ".mjs" } : undefined,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        "",
      ].join("\n"),
    },
    outdir,
    sourcemap: nodejs.sourcemap,
    minify: nodejs.minify,
  };
  return {
    ...sstDefaults,
    ...override,
    mainFields: [...override.mainFields],
    plugins: [...override.plugins],
  };
}

/** One function built as deployed: the entry file, the KB its cold start loads, and the KB shipped. */
export interface BuiltFunction {
  readonly entryFile: string;
  readonly coldBytes: number;
  readonly totalBytes: number;
  /** The biggest single code file it ships (entry or chunk). */
  readonly largestBytes: number;
  readonly metafile: Metafile;
}

const isCode = (output: string) => !output.endsWith(".map");

/** Bytes of the entry output plus every chunk reachable from it by static `import` (what a cold start reads). */
export function coldBytesOf(metafile: Metafile, entryOutput: string): number {
  let bytes = 0;
  for (const output of coldOutputsOf(metafile, entryOutput)) bytes += metafile.outputs[output]?.bytes ?? 0;
  return bytes;
}

/** The entry output and every chunk it imports statically, transitively. */
export function coldOutputsOf(metafile: Metafile, entryOutput: string): Set<string> {
  const cold = new Set<string>();
  const visit = (output: string): void => {
    if (cold.has(output) || !metafile.outputs[output]) return;
    cold.add(output);
    for (const imported of metafile.outputs[output].imports)
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entryOutput);
  return cold;
}

/** The output file esbuild built from `file` (chunks that others `import()` have entry points of their own). */
export function entryOutputOf(metafile: Metafile, file: string): string {
  const entryPoint = relative(process.cwd(), file);
  const found = Object.keys(metafile.outputs).find((o) => metafile.outputs[o]?.entryPoint === entryPoint);
  if (!found) throw new Error(`esbuild produced no entry output for ${file}`);
  return found;
}

/**
 * Builds one entry into `outdir` as `sst deploy` does; returns what a cold start loads and what ships.
 * `without`: the name of one of the deployed plugins to leave out (a test's control build).
 */
export async function buildFunction(
  file: string,
  outdir: string,
  { without }: { without?: string } = {},
): Promise<BuiltFunction> {
  // SST empties the function's directory before each build; so does this, so no earlier build's file counts.
  await rm(outdir, { recursive: true, force: true });
  const options = deployEsbuildOptions(file, outdir);
  const result = await sstEsbuild().build({
    ...options,
    plugins: options.plugins?.filter((plugin) => plugin.name !== without),
    // Not an SST option: resolves the repository's packages for an entry outside it (the bench's reference).
    nodePaths: [join(process.cwd(), "node_modules")],
  });
  const metafile = result.metafile as Metafile;
  const entryOutput = entryOutputOf(metafile, file);
  // Every code file in the directory: the build's own outputs and the bundles `lazyBundles` wrote beside them.
  const code: number[] = [];
  for (const item of await readdir(outdir, { withFileTypes: true }))
    if (item.isFile() && isCode(item.name)) code.push((await stat(join(outdir, item.name))).size);
  return {
    entryFile: resolve(entryOutput),
    coldBytes: coldBytesOf(metafile, entryOutput),
    totalBytes: code.reduce((sum, bytes) => sum + bytes, 0),
    largestBytes: Math.max(...code),
    metafile,
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
