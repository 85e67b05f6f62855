import { readFile } from "node:fs/promises";
import type { SstBuildOptions } from "./lazy-bundles.js";

type Plugin = NonNullable<SstBuildOptions["plugins"]>[number];

/** The plugin's name, as esbuild reports it. */
export const COLD_START_TRIMS_PLUGIN = "clawops-cold-start-trims";

/** An AWS SDK package's own package.json (`@aws-sdk/client-ssm/package.json`). */
const SDK_PACKAGE_JSON = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/;

/** The SDK's user-agent modules, the only SDK modules that import from `node:process` (its test checks). */
export const SDK_PROCESS_IMPORTERS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/](?:[^\\/]+[\\/])*util-user-agent-node[\\/](?:dist-es[\\/])?[^\\/]+\.js$/;

/** `import { env, versions as v } from "node:process";` (or `"process"`). */
const PROCESS_IMPORT = /^import \{([\w\s,$]+)\} from "(?:node:)?process";$/gm;

/** @middy/core's entry module. */
const MIDDY_CORE = /[\\/]node_modules[\\/]@middy[\\/]core[\\/]index\.js$/;

const MIDDY_STREAM_WEB_IMPORT = 'import { ReadableStream } from "node:stream/web";\n';
const MIDDY_INSTANCEOF = /\binstanceof ReadableStream\b/g;

/**
 * An esbuild plugin (passed to SST as `nodejs.esbuild.plugins`) that removes three costs every cold start paid
 * for nothing, without changing what any code does. The times below are CPU time of `await import()` of a bundle
 * in a fresh Node process, as `npm run bench` measures import, with and without the change, in paired runs.
 * Lambda's own runtime may already have loaded some of these Node modules before it imports the handler; there
 * the saving is smaller.
 *
 * 1. **An SDK package's whole package.json.** Every SDK client's runtime config imports its package.json for one
 *    field, `version` (its user agent), and a JSON default import bundles the whole file: 1.8-2.3 KB of
 *    scripts, dependencies and keywords per client. The plugin loads such a file as `{ "version": ... }`.
 *    `packageInfo.version` is the only use in the pinned SDK (its test checks every `dist-es` file).
 * 2. **@middy/core's import of `node:stream/web`.** middy imports `ReadableStream` for its response-streaming
 *    path (`streamifyResponse`), which no clawops function uses; the import alone makes Node load its eight
 *    web-streams modules at every cold start (about 4-7 ms of CPU here, measured with process.cpuUsage around
 *    the import). The plugin drops the import and has that path read the same class from `globalThis`, where
 *    Node loads it on first use. A module of another shape (a middy upgrade) is left as it is.
 * 3. **The SDK's named imports from `node:process`.** Node builds the ES module face of `process` by reading
 *    every property of it, which opens stdin and loads the diagnostic-report module (about 5 ms of CPU here
 *    for lifecycle/monitor, paired runs). The SDK's user-agent modules import `env` and `versions` that way;
 *    the plugin reads them from the global `process`, the same object.
 */
export function coldStartTrims(): Plugin {
  return {
    name: COLD_START_TRIMS_PLUGIN,
    setup(build) {
      build.onLoad({ filter: SDK_PACKAGE_JSON }, async (args) => ({
        contents: versionOnly(await readFile(args.path, "utf8")),
        loader: "json",
      }));
      build.onLoad({ filter: SDK_PROCESS_IMPORTERS }, rewriting(processFromGlobal));
      build.onLoad({ filter: MIDDY_CORE }, rewriting(middyWithoutStreamWeb));
    },
  };
}

/** An onLoad callback that loads a JS module through `rewrite`, or leaves it to esbuild when nothing changes. */
function rewriting(rewrite: (source: string) => string) {
  return async (args: { path: string }) => {
    const source = await readFile(args.path, "utf8");
    const rewritten = rewrite(source);
    return rewritten === source ? undefined : { contents: rewritten, loader: "js" as const };
  };
}

/** A package.json with its `version` alone (`{}` when it has none). */
export function versionOnly(packageJson: string): string {
  const { version } = JSON.parse(packageJson) as { version?: unknown };
  return JSON.stringify(version === undefined ? {} : { version });
}

/**
 * A module with each named import from `node:process` (or `process`) read from the global `process` instead:
 * `import { env, versions as v } from "node:process";` → `const { env, versions: v } = process;`. Default and
 * namespace imports (and `{ default as p }`) are left as they are.
 */
export function processFromGlobal(source: string): string {
  return source.replace(PROCESS_IMPORT, (line, names: string) => {
    if (/\bdefault\b/.test(names)) return line;
    const bindings = names
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => name.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, "$1: $2"));
    return `const { ${bindings.join(", ")} } = process;`;
  });
}

/**
 * @middy/core's module without its import of `node:stream/web`, each `instanceof ReadableStream` reading
 * `globalThis.ReadableStream` (the same class: Node's global is the one `node:stream/web` exports); the module as
 * it is unless it has exactly that import and uses `ReadableStream` nowhere else (but in strings).
 */
export function middyWithoutStreamWeb(source: string): string {
  const at = source.indexOf(MIDDY_STREAM_WEB_IMPORT);
  if (at < 0 || source.indexOf(MIDDY_STREAM_WEB_IMPORT, at + 1) >= 0) return source;
  const rest = source.slice(0, at) + source.slice(at + MIDDY_STREAM_WEB_IMPORT.length);
  // Every other mention is an `instanceof` or inside a string ("handler response not a ReadableStream").
  const others = rest.replace(MIDDY_INSTANCEOF, "").replace(/(["'`])[^"'`\n]*\1/g, "");
  if (!rest.match(MIDDY_INSTANCEOF) || /\bReadableStream\b/.test(others)) return source;
  return rest.replace(MIDDY_INSTANCEOF, "instanceof globalThis.ReadableStream");
}
