import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { ESM_REQUIRE_BANNER, FUNCTION_ESBUILD } from "../stacks/bundling.js";

/** One bundled Lambda entry point. */
export interface BundleResult {
  /** `<flow>/<file>` without extension, e.g. `alerts/router`. */
  readonly entry: string;
  readonly outfile: string;
  readonly bytes: number;
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

/** Bundles each entry as production does: ESM, node22, SDK module builds, minified, SDK included. */
export async function bundleEntries(
  root: string,
  outdir: string,
  entries?: string[],
): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const file of entries ?? (await findEntries(root))) {
    const entry = relative(join(root, "functions"), file).replace(/\.ts$/, "");
    const outfile = join(outdir, `${entry}.mjs`);
    await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      minify: true,
      target: FUNCTION_ESBUILD.target,
      mainFields: [...FUNCTION_ESBUILD.mainFields],
      banner: { js: ESM_REQUIRE_BANNER },
      logLevel: "error",
    });
    results.push({ entry, outfile, bytes: (await stat(outfile)).size });
  }
  return results;
}
