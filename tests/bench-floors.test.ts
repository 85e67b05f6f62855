import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, sharesOf } from "../bench/bundle-analysis.js";
import { buildSource, FLOORS } from "../bench/bundles.js";
import { type BuiltFunction, buildFunction, coldOutputsOf } from "../scripts/bundling.js";

/** Bytes each library module (a `node_modules` file) puts into what a build loads at a cold start. */
function coldLibraryModules(fn: BuiltFunction): Map<string, number> {
  const cold = coldOutputsOf(fn.metafile, relative(process.cwd(), fn.entryFile));
  const moduleOf = (input: string) => {
    const at = input.lastIndexOf("node_modules/");
    return at < 0 ? undefined : input.slice(at);
  };
  const shares = sharesOf(fn.metafile, cold, moduleOf).filter((s) => s.bytes > 0);
  return new Map(shares.map((s) => [s.name, s.bytes]));
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
    const built = await buildSource(floor.source, `floor-${index}`, dir);
    parts.set(name, built);
    if (floor.of) {
      const fn = join(process.cwd(), "functions", `${floor.of}.ts`);
      const leftOut = Object.keys(floor.leavesOut ?? {}).map((p) => `export * from ${JSON.stringify(p)};`);
      sets.set(name, {
        floor: built,
        fn: await buildFunction(fn, join(dir, `${floor.of}-${index}`)),
        ...(leftOut.length
          ? { leftOut: await buildSource(leftOut.join("\n"), `left-out-${index}`, dir) }
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
