/**
 * What `sst deploy` ships: every clawops function built by SST's own build (`useRuntimeHandlers().build`, the
 * code path `sst deploy` runs before it zips each function's output directory into its asset), from the
 * function props the stacks give it. The other bundle tests and `npm run bench` build with SST's esbuild and
 * options reproduced (scripts/bundling.ts); this checks that reproduction against the real thing, and that
 * the asset holds every file the function's code imports (the lazy bundles are written by our plugin, beside
 * the files esbuild writes).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { useFunctions } from "sst/constructs";
import { useRuntimeHandlers } from "sst/runtime/handlers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunction } from "../../scripts/bundling.js";
import { isolateSstPackageInstall, synthesizeApp } from "../build.js";
import { LAZY_BUNDLE_PREFIX } from "../lazy-bundles.js";

const run = promisify(execFile);

interface Shipped {
  /** `functions/drills/cleanup.handler` */
  readonly handler: string;
  /** The directory SST zips into the function's asset. */
  readonly out: string;
  /** Every file in it, relative to it. */
  readonly files: string[];
}

/** Every file under `dir`, relative to it (a walk: Node 20's recursive readdir can miss entries). */
async function filesUnder(dir: string, at = dir): Promise<string[]> {
  const found: string[] = [];
  for (const item of await readdir(at, { withFileTypes: true })) {
    const path = join(at, item.name);
    if (item.isDirectory()) found.push(...(await filesUnder(dir, path)));
    else found.push(relative(dir, path));
  }
  return found.sort();
}

/** The relative specifiers a built file imports, statically (`from"./x.mjs"`) and lazily (`import("./x.mjs")`). */
function relativeImports(code: string): string[] {
  const specifiers = new Set<string>();
  for (const match of code.matchAll(/(?:from\s*|import\s*\(\s*|import\s*)["'](\.\.?\/[^"']+)["']/g))
    specifiers.add(match[1]!);
  return [...specifiers];
}

const shipped: Shipped[] = [];
const scratch = await mkdtemp(join(tmpdir(), "clawops-sst-build-"));
beforeAll(async () => {
  // The stacks register each function's props with SST as they are constructed; cdk-nag has nothing to add.
  await synthesizeApp({ stage: "test", nag: false });
  const functions = Object.entries(useFunctions().all).filter(([, props]) =>
    String(props.handler).startsWith("functions/"),
  );
  // SST runs `npm install --omit=dev` in each artifact; under `npm test` that would prune this repository.
  const restoreNpm = isolateSstPackageInstall();
  const results = await Promise.all(
    functions.map(async ([id, props]) => ({ props, result: await useRuntimeHandlers().build(id, "deploy") })),
  ).finally(restoreNpm);
  for (const { props, result } of results) {
    if (result.type !== "success")
      throw new Error(`SST could not build ${props.handler}: ${result.errors.join("\n")}`);
    shipped.push({ handler: String(props.handler), out: result.out, files: await filesUnder(result.out) });
  }
  shipped.sort((a, b) => a.handler.localeCompare(b.handler));
}, 600_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

const entryOf = (fn: Shipped) => `${fn.handler.replace(/\.handler$/, "")}.mjs`;
const named = (handler: string) => {
  const fn = shipped.find((f) => f.handler === `functions/${handler}.handler`);
  if (!fn) throw new Error(`no function with handler functions/${handler}.handler`);
  return fn;
};

describe("What sst deploy ships", () => {
  it("builds every clawops function of every stack, each into the entry file its handler names", () => {
    expect(shipped.length).toBeGreaterThan(20);
    for (const fn of shipped) expect(fn.files, fn.handler).toContain(entryOf(fn));
  });

  it("puts in each function's asset every file its code imports, chunks and lazy bundles alike", async () => {
    const missing: string[] = [];
    let lazy = 0;
    for (const fn of shipped) {
      for (const file of fn.files.filter((f) => f.endsWith(".mjs"))) {
        const code = await readFile(join(fn.out, file), "utf8");
        const dir = file.split("/").slice(0, -1).join("/");
        for (const specifier of relativeImports(code)) {
          const target = join(dir, specifier);
          if (specifier.includes(LAZY_BUNDLE_PREFIX)) lazy++;
          if (!fn.files.includes(target)) missing.push(`${fn.handler}: ${file} imports ${specifier}`);
        }
      }
    }

    expect(missing).toEqual([]);
    // The credential chain, the dead-letter queue's client and the tracer are lazy in every function.
    expect(lazy).toBeGreaterThan(shipped.length * 3);
  });

  it("ships lazy bundles that load on their own from the asset, in a fresh Node process", async () => {
    const fn = named("drills/cleanup");
    const lazy = fn.files.filter(
      (f) => f.split("/").pop()!.startsWith(LAZY_BUNDLE_PREFIX) && f.endsWith(".mjs"),
    );
    expect(lazy.some((f) => f.includes("client-backup"))).toBe(true);
    const script = `for (const f of ${JSON.stringify(lazy.map((f) => pathToFileURL(join(fn.out, f)).href))}) await import(f); const m = await import(${JSON.stringify(pathToFileURL(join(fn.out, entryOf(fn))).href)}); console.log(typeof m.handler, ${lazy.length});`;

    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, AWS_REGION: "us-east-1" },
    });

    expect(stdout.trim()).toBe(`function ${lazy.length}`);
  });

  it("is byte for byte what the bench and the bundle tests build (scripts/bundling.ts reproduces SST's build)", async () => {
    // esbuild names a shared chunk by a hash that also covers the output directory's place (its source map's
    // paths), which differs between SST's artifacts and a scratch directory: compare with the hash left out.
    const unhashed = (text: string) =>
      text.replace(/([\w.-]+)-[A-Z2-7]{8}\.mjs/g, (name, stem: string) =>
        stem.startsWith(LAZY_BUNDLE_PREFIX) ? name : `${stem}-HASH.mjs`,
      );
    for (const handler of ["drills/cleanup", "alerts/router", "readiness/run", "fleet/soul-writer"]) {
      const fn = named(handler);
      const ours = await buildFunction(`functions/${handler}.ts`, join(scratch, handler));
      const dir = entryOf(fn).split("/").slice(0, -1).join("/");
      // Each code file as its name and contents, hashes left out, in order: chunks can no longer be told
      // apart by name, so the two builds must hold the same multiset of files.
      const code = async (root: string, files: string[]) =>
        (
          await Promise.all(
            files
              .filter((f) => f.endsWith(".mjs"))
              .map(async (f) => `${unhashed(f)}\n${unhashed(await readFile(join(root, f), "utf8"))}`),
          )
        ).sort();
      const theirs = await code(
        join(fn.out, dir),
        fn.files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
      );
      const mine = await code(join(scratch, handler), await filesUnder(join(scratch, handler)));

      expect(
        mine.map((f) => f.split("\n")[0]),
        handler,
      ).toEqual(theirs.map((f) => f.split("\n")[0]));
      expect(
        mine.filter((f, i) => f !== theirs[i]).map((f) => f.split("\n")[0]),
        handler,
      ).toEqual([]);
      // The file the bench imports is the one the asset's handler names (its chunk names differ, not its size).
      const entry = await readFile(join(fn.out, entryOf(fn)));
      expect(ours.entryFile.endsWith(`/${entryOf(fn).split("/").pop()}`), handler).toBe(true);
      expect((await readFile(ours.entryFile)).length, handler).toBe(entry.length);
    }
  });
});
