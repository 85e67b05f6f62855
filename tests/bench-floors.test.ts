import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../bench/bundle-analysis.js";
import { FLOORS } from "../bench/bundles.js";
import { type BuiltFunction, buildFunction, coldOutputsOf } from "../scripts/bundling.js";

/** Bytes each library module (a `node_modules` file) puts into what a build loads at a cold start. */
function coldLibraryModules(fn: BuiltFunction): Map<string, number> {
  const cold = coldOutputsOf(fn.metafile, relative(process.cwd(), fn.entryFile));
  const modules = new Map<string, number>();
  for (const [path, output] of Object.entries(fn.metafile.outputs)) {
    if (!cold.has(path)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const at = input.lastIndexOf("node_modules/");
      if (at < 0 || bytesInOutput === 0) continue;
      const module = input.slice(at);
      modules.set(module, (modules.get(module) ?? 0) + bytesInOutput);
    }
  }
  return modules;
}

const packagesOf = (modules: Map<string, number>) => new Set([...modules.keys()].map(packageOf));

/** Libraries a function loads that its set leaves out on purpose: their cost counts with the function's code. */
const LEFT_OUT = new Set(["zod"]);

let dir: string;
/** Each whole set's build, its function's, and (for a set that leaves packages out) a build of those alone. */
const sets = new Map<string, { floor: BuiltFunction; fn: BuiltFunction; leftOut?: BuiltFunction }>();
const parts = new Map<string, BuiltFunction>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawops-bench-floors-test-"));
  for (const [index, [name, floor]] of Object.entries(FLOORS).entries()) {
    const file = join(dir, `floor-${index}.ts`);
    await writeFile(file, `${floor.source}\n`);
    const built = await buildFunction(file, join(dir, `floor-${index}`));
    parts.set(name, built);
    if (floor.of) {
      const fn = join(process.cwd(), "functions", `${floor.of}.ts`);
      const leftOut = Object.keys(floor.leavesOut ?? {});
      const leftOutFile = join(dir, `left-out-${index}.ts`);
      await writeFile(leftOutFile, leftOut.map((p) => `export * from ${JSON.stringify(p)};\n`).join(""));
      sets.set(name, {
        floor: built,
        fn: await buildFunction(fn, join(dir, `${floor.of}-${index}`)),
        ...(leftOut.length
          ? { leftOut: await buildFunction(leftOutFile, join(dir, `left-out-${index}`)) }
          : {}),
      });
    }
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bench's library floors", () => {
  it("import, and every name each one re-exports is defined (a renamed export fails here, not in the bench)", async () => {
    for (const [name, floor] of Object.entries(FLOORS)) {
      const module = (await import(pathToFileURL(parts.get(name)!.entryFile).href)) as Record<
        string,
        unknown
      >;
      const names = [...floor.source.matchAll(/export \{ ([^}]+) \}/g)].flatMap((m) =>
        m[1]!.split(",").map(
          (part) =>
            part
              .trim()
              .split(/\s+as\s+/)
              .pop()!,
        ),
      );
      expect(names.length, name).toBeGreaterThan(0);
      for (const exported of names) expect(module[exported], `${name}: ${exported}`).toBeDefined();
    }
  });

  it("a set loads no library module at a cold start, nor more of one, than its function does", () => {
    expect([...sets.keys()].map((name) => FLOORS[name]!.of).sort()).toEqual([
      "alerts/router",
      "alerts/router",
      "lifecycle/complete",
    ]);
    for (const [name, { floor, fn }] of sets) {
      const inSet = coldLibraryModules(floor);
      const inFunction = coldLibraryModules(fn);
      expect(inSet.size, name).toBeGreaterThan(50);
      // The minifier names a module's locals per bundle, so the same code can differ by a few bytes.
      const more = [...inSet].filter(
        ([module, bytes]) => bytes > (inFunction.get(module) ?? -Infinity) * 1.05 + 8,
      );
      expect(
        more.map(([m, b]) => `${m} ${b} > ${inFunction.get(m) ?? 0}`),
        name,
      ).toEqual([]);
    }
  });

  it("a set holds every library package its function loads at a cold start, but zod and what it leaves out", () => {
    for (const [name, { floor, fn, leftOut }] of sets) {
      const inSet = packagesOf(coldLibraryModules(floor));
      const missing = [...packagesOf(coldLibraryModules(fn))].filter((p) => !inSet.has(p));
      const named = [...LEFT_OUT, ...Object.keys(FLOORS[name]!.leavesOut ?? {})];
      expect(missing, name).toEqual(expect.arrayContaining(named));
      // Anything else it misses is a package only what it leaves out brings in.
      const broughtIn = leftOut ? packagesOf(coldLibraryModules(leftOut)) : new Set<string>();
      const unexplained = missing.filter((p) => !named.includes(p) && !broughtIn.has(p));
      expect(unexplained, name).toEqual([]);
    }
  });
});
