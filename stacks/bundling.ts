/**
 * How every clawops function is bundled, for `sst deploy` (through SST's nodejs props) and `npm run bundle`
 * alike. The SDK's ES module builds (`module` before `main`) tree-shake; its CommonJS builds do not, and cost
 * 29-40% more bundle and import time (shared/TOOLCHAIN.md).
 */
export const FUNCTION_ESBUILD = {
  mainFields: ["module", "main"],
  target: "node22",
} as const;

/** ESM bundles of CommonJS dependencies need `require`; the same banner SST adds. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __clawopsCreateRequire } from 'module'; const require = __clawopsCreateRequire(import.meta.url);";
