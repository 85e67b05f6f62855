import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundleEntries, findEntries } from "../scripts/bundling.js";

const root = process.cwd();
const outdir = await mkdtemp(join(tmpdir(), "clawops-bundle-"));
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("Function: bundleEntries", () => {
  it("bundles every function entry point into an ESM file that imports without doing work", {
    timeout: 600_000,
  }, async () => {
    const entries = await findEntries(root);
    const results = await bundleEntries(root, outdir, entries);

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
});
