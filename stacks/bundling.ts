import { coldStartTrims } from "./cold-start-trims.js";
import { lazyBundles } from "./lazy-bundles.js";
import { sdkSchemas } from "./sdk-schemas.js";

/**
 * How every clawops function is bundled, for `sst deploy` (through SST's nodejs props) and `npm run bundle` /
 * `npm run bench` alike (scripts/bundling.ts rebuilds SST's esbuild options from `FUNCTION_NODEJS`, with SST's
 * own esbuild).
 * - `mainFields`: the SDK's ES module builds (`module` before `main`) tree-shake; its CommonJS builds do not,
 *   and cost 29-40% more bundle and import time (shared/TOOLCHAIN.md).
 * - `keepNames: false`: SST turns it on by default; it wraps every function and class in a `__name` call
 *   (measured +4-6% bundle). clawops errors set `name` explicitly, nothing reads `constructor.name`.
 * - `legalComments: "none"`: license banners of bundled packages are kept in the sourcemap, not the code.
 * - `target`: the language level of the oldest runtime the code meets (SST's ESM default is `esnext`).
 * - `plugins`: `lazyBundles` builds what a function `import()`s from packages as a bundle of its own, so that
 *   code only a rare path uses is not emitted into chunks every cold start loads (stacks/lazy-bundles.ts);
 *   `sdkSchemas` lets esbuild drop the schemas and error classes of the operations and errors a function never
 *   uses, which each SDK client otherwise defines for its whole service: clawops tells SDK errors apart by name
 *   (stacks/sdk-schemas.ts); `coldStartTrims` keeps what no code reads out of the cold start (the SDK packages'
 *   package.json but their version, middy's import of web streams, the SDK's named imports from `node:process`:
 *   stacks/cold-start-trims.ts).
 */
export const FUNCTION_ESBUILD = {
  mainFields: ["module", "main"],
  target: "node22",
  keepNames: false,
  legalComments: "none",
  plugins: [sdkSchemas(), coldStartTrims(), lazyBundles()],
} as const;

/**
 * esbuild code splitting for every function (SST's `nodejs.splitting`, ESM only): what a handler `import()`s
 * lazily becomes a file of its own, loaded only when that path runs, instead of being parsed at every cold
 * start: a chunk where the module holds clawops code (readiness's per-area gatherers), else a bundle of its own
 * (`lazyBundles`: the dead-letter queue's SQS client, the X-Ray tracer, the credential chain's STS/SSO clients).
 */
export const FUNCTION_SPLITTING = true;

/**
 * SST's `nodejs` function props every clawops function gets (stacks/index.ts). Source maps are separate
 * `.map` files next to the code: shipped, never loaded (no `--enable-source-maps`), not counted as code.
 */
export const FUNCTION_NODEJS = {
  format: "esm",
  minify: true,
  sourcemap: true,
  splitting: FUNCTION_SPLITTING,
  esbuild: FUNCTION_ESBUILD,
} as const;
