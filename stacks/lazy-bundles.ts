import { createHash } from "node:crypto";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { NodeJSProps } from "sst/constructs/Function.js";

/** esbuild's options as SST 2.49.8 declares them (it pins esbuild 0.18; the repository's own is newer). */
export type SstBuildOptions = NonNullable<NodeJSProps["esbuild"]>;
type Plugin = NonNullable<SstBuildOptions["plugins"]>[number];
type PluginBuild = Parameters<Plugin["setup"]>[0];
/** The esbuild module SST builds functions with. */
export type SstEsbuild = PluginBuild["esbuild"];
type BuildResult = Awaited<ReturnType<SstEsbuild["build"]>>;
type Metafile = NonNullable<BuildResult["metafile"]>;

const NAME = "clawops-lazy-bundles";

/** The file names `lazyBundles` gives the bundles it builds: `lazy-<module>-<hash>.mjs`. */
export const LAZY_BUNDLE_PREFIX = "lazy-";

/**
 * An esbuild plugin (passed to SST as `nodejs.esbuild.plugins`) that builds what a function `import()`s lazily as
 * a bundle of its own, next to the function's code, instead of as chunks of the function's own build.
 *
 * Why: esbuild's code splitting places a file by which entry points can *reach* it through import statements,
 * not by which use it. A barrel the handler imports (`@aws-sdk/core/protocols`, reached from every SDK client)
 * re-exports the query and XML protocols that only a lazily imported client (CloudWatch, the credential chain's
 * STS client) uses; esbuild then emits them into chunks the entry imports statically, and every cold start
 * parses them. Measured with `npm run bundle`: 30-46 KB per function (lifecycle/complete 251.8 → 205.7 KB).
 *
 * Only a module that holds no clawops code besides itself is built apart: a package (the SQS, Backup and
 * EventBridge clients, the X-Ray tracer, the SDK's own credential providers) or a file of ours that only
 * re-exports packages (`functions/alerts/eventbridge.ts`). Its copy of a package is then its own (a second SDK
 * core on the rare path), which is harmless for such code; a module that imports clawops code (logger,
 * error classes, caches) stays in the function's build, where it shares them.
 *
 * The bundle is written to the output directory's root, where SST puts the entry and every chunk, so the
 * import stays `import("./lazy-….mjs")` from any of them; what SST zips is that directory.
 *
 * Limits, none of which clawops meets today:
 * - a module both imported statically and `import()`ed would ship twice, as two module instances;
 * - SST decides what `sst dev` rebuilds, and what to npm-install (`sharp`, `pg-native`), from the function's
 *   own build: an edit to a file of ours built apart takes effect at the function's next rebuild.
 */
export function lazyBundles(): Plugin {
  return {
    name: NAME,
    setup(build) {
      const options = build.initialOptions;
      const outdir = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined);
      if (!outdir || options.format !== "esm" || options.bundle !== true) return;
      // `./lazy-….mjs` is right from a file at the output directory's root only, where SST's names put them all.
      if ([options.chunkNames, options.entryNames, options.assetNames].some((n) => n?.includes("/"))) return;
      const dir = resolve(options.absWorkingDir ?? process.cwd(), outdir);
      const written = new Set<string>();
      // `sst dev` rebuilds with the same context: write the bundles again with the function.
      build.onStart(() => written.clear());
      resolveLazily(build, dir, new Set(), async (bundle) => {
        if (options.write !== false) await writeBundle(bundle, dir, written);
      });
    },
  };
}

/** A module built on its own: its files (the code and its map) and the lazy bundles its code imports. */
interface LazyBundle {
  readonly name: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Uint8Array }>;
  readonly imports: readonly LazyBundle[];
}

/**
 * Bundles built in this process, by what decides their bytes: the module (and its modification time, so that
 * `sst dev` rebuilds an edited one), the build options, and where the output directory lies relative to the
 * working directory (the source map's paths). Functions share them: the SDK's credential chain is built once.
 */
const bundles = new Map<string, Promise<LazyBundle | undefined>>();

/**
 * Resolves the build's `import()`s to lazy bundles. `building`: the keys of the lazy bundles whose builds this
 * one is nested in; a module that imports one of them again (an import cycle) is left to esbuild, which
 * inlines it, instead of waiting on its own build forever.
 */
function resolveLazily(
  build: PluginBuild,
  dir: string,
  building: ReadonlySet<string>,
  use: (bundle: LazyBundle) => Promise<void>,
): void {
  // What the cache key holds besides the module, the same for every import of this build.
  const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
  const context = JSON.stringify([relative(dir, cwd), sharedOptions(build)]);
  build.onResolve({ filter: /.*/ }, async (args) => {
    if (args.kind !== "dynamic-import" || args.pluginData?.[NAME]) return undefined;
    const target = await build.resolve(args.path, {
      kind: args.kind,
      importer: args.importer,
      resolveDir: args.resolveDir,
      pluginData: { [NAME]: true },
    });
    if (target.errors.length > 0 || target.external || target.namespace !== "file") return undefined;
    if (!isAbsolute(target.path)) return undefined;
    const bundle = await lazyBundle(build, target.path, args.path, dir, context, building);
    if (!bundle) return undefined;
    await use(bundle);
    return { path: `./${bundle.name}`, external: true };
  });
}

async function lazyBundle(
  build: PluginBuild,
  path: string,
  specifier: string,
  dir: string,
  context: string,
  building: ReadonlySet<string>,
): Promise<LazyBundle | undefined> {
  const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
  const key = JSON.stringify([path, (await stat(path)).mtimeMs, context]);
  if (building.has(key)) return undefined;
  let bundle = bundles.get(key);
  if (!bundle) {
    // A module that does not build is left to the function's build, which reports the error where it is;
    // forgetting it lets a later build (`sst dev`, after the fix) try again.
    bundle = bundleApart(build, path, specifier, dir, cwd, new Set([...building, key])).catch(() => {
      bundles.delete(key);
      return undefined;
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/**
 * Builds `path` on its own, in memory; `undefined` when its bundle would hold clawops code besides `path`
 * itself, which must stay in the function's build.
 */
async function bundleApart(
  build: PluginBuild,
  path: string,
  specifier: string,
  dir: string,
  cwd: string,
  building: ReadonlySet<string>,
): Promise<LazyBundle | undefined> {
  const own = sharedOptions(build);
  const name = `${LAZY_BUNDLE_PREFIX}${moduleName(specifier, path)}-${createHash("sha256").update(path).digest("hex").slice(0, 8)}.mjs`;
  const imports: LazyBundle[] = [];
  const nested: Plugin = {
    name: NAME,
    setup: (inner) => resolveLazily(inner, dir, building, async (bundle) => void imports.push(bundle)),
  };
  const result = await build.esbuild.build({
    ...own,
    entryPoints: [path],
    outfile: resolve(dir, name),
    splitting: false,
    metafile: true,
    write: false,
    plugins: [...(own.plugins ?? []).filter((p) => p.name !== NAME), nested],
  });
  const entry = relative(cwd, path).split(sep).join("/");
  if (!result.metafile || !selfContained(result.metafile, entry)) return undefined;
  const files = (result.outputFiles ?? []).map((file) => ({
    name: basename(file.path),
    contents: file.contents,
  }));
  return { name, files, imports };
}

/** The build's options a lazy bundle is built with: all but what makes it the function's own build. */
function sharedOptions(build: PluginBuild) {
  const {
    entryPoints: _entryPoints,
    outdir: _outdir,
    outfile: _outfile,
    outExtension: _outExtension,
    chunkNames: _chunkNames,
    entryNames: _entryNames,
    splitting: _splitting,
    metafile: _metafile,
    write: _write,
    ...own
  } = build.initialOptions;
  return own;
}

/** Writes a bundle and those it imports into `dir`, each once a build. */
async function writeBundle(bundle: LazyBundle, dir: string, written: Set<string>): Promise<void> {
  if (written.has(bundle.name)) return;
  written.add(bundle.name);
  await mkdir(dir, { recursive: true });
  for (const file of bundle.files) await writeFile(join(dir, file.name), file.contents);
  for (const imported of bundle.imports) await writeBundle(imported, dir, written);
}

/** Whether a bundle built from `entry` holds only `entry` and package code. */
function selfContained(metafile: Metafile, entry: string): boolean {
  return Object.keys(metafile.inputs).every(
    (input) => input === entry || input.split("/").includes("node_modules"),
  );
}

/** `@aws-sdk/client-sqs` → `aws-sdk-client-sqs`; `./eventbridge.js` → `eventbridge`. */
function moduleName(specifier: string, path: string): string {
  const base = specifier.startsWith(".") ? basename(path, extname(path)) : specifier;
  return base.replace(/^@/, "").replace(/[^A-Za-z0-9]+/g, "-");
}
