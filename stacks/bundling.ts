/**
 * How every clawops function is bundled, for `sst deploy` (through SST's nodejs props) and `npm run bundle` /
 * `npm run bench` alike.
 * - `mainFields`: the SDK's ES module builds (`module` before `main`) tree-shake; its CommonJS builds do not,
 *   and cost 29-40% more bundle and import time (shared/TOOLCHAIN.md).
 * - `keepNames: false`: SST turns it on by default; it wraps every function and class in a `__name` call
 *   (measured +4-6% bundle). clawops errors set `name` explicitly, nothing reads `constructor.name`.
 * - `legalComments: "none"`: license banners of bundled packages are kept in the sourcemap, not the code.
 */
export const FUNCTION_ESBUILD = {
  mainFields: ["module", "main"],
  target: "node22",
  keepNames: false,
  legalComments: "none",
} as const;

/**
 * esbuild code splitting for every function (SST's `nodejs.splitting`, ESM only): what a handler `import()`s
 * lazily (the dead-letter queue's SQS client, the X-Ray tracer, the credential chain's STS/SSO clients) becomes
 * a chunk of its own, loaded only when that path runs, instead of being parsed at every cold start.
 */
export const FUNCTION_SPLITTING = true;

/** ESM bundles of CommonJS dependencies need `require`; the same banner SST adds. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __clawopsCreateRequire } from 'module'; const require = __clawopsCreateRequire(import.meta.url);";
