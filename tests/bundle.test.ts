import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BundleResult, bundleEntries, findEntries } from "../scripts/bundling.js";
import { LAZY_BUNDLE_PREFIX } from "../stacks/lazy-bundles.js";

const root = process.cwd();
const outdir = await mkdtemp(join(tmpdir(), "clawops-bundle-"));
let entries: string[];
let results: BundleResult[];
beforeAll(async () => {
  entries = await findEntries(root);
  results = await bundleEntries(root, outdir, entries);
}, 600_000);
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("Function: bundleEntries", () => {
  it("bundles every function entry point into an ESM file that imports without doing work", async () => {
    expect(entries.length).toBeGreaterThan(10);
    expect(results.map((r) => r.entry)).toEqual(
      entries.map((e) => e.slice(root.length + "/functions/".length, -3)),
    );
    for (const result of results) {
      expect(result.bytes).toBeGreaterThan(0);
      const module = (await import(pathToFileURL(result.outfile).href)) as { handler?: unknown };
      expect(typeof module.handler, result.entry).toBe("function");
    }
  });

  it("keeps what every function's cold start loads within 400 KB (issue #10's budget)", () => {
    const over = results.filter((r) => r.bytes > 400 * 1024).map((r) => `${r.entry}: ${r.bytes} bytes`);

    expect(over).toEqual([]);
  });

  it("ships every lazily imported package as a bundle that loads on its own", async () => {
    const dir = dirname(results.find((r) => r.entry === "alerts/router")!.outfile);
    const lazy = (await readdir(dir)).filter((f) => f.startsWith(LAZY_BUNDLE_PREFIX) && f.endsWith(".mjs"));

    expect(lazy.length).toBeGreaterThan(5);
    for (const file of lazy)
      await expect(import(pathToFileURL(join(dir, file)).href), file).resolves.toBeDefined();
  });
});
