import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharesOf } from "../bench/bundle-analysis.js";
import { FLOORS } from "../bench/bundles.js";
import { type BuiltFunction, buildFunction, coldOutputsOf } from "../scripts/bundling.js";

/** The packages (and clawops folders) a build loads at a cold start; a floor's own entry file (outside the repository) is left out. */
function coldPackages(fn: BuiltFunction): Set<string> {
  const entryOutput = relative(process.cwd(), fn.entryFile);
  const shares = sharesOf(fn.metafile, coldOutputsOf(fn.metafile, entryOutput));
  return new Set(shares.map((s) => s.name).filter((name) => !name.startsWith("..")));
}

/** The libraries a set's row must hold whenever its function holds them: its SDK clients, Slack, middy. */
const MAJOR_LIBRARY = /^(@aws-sdk\/client-|@aws-sdk\/lib-|@slack\/web-api$|@middy\/)/;

let dir: string;
const floors = new Map<string, BuiltFunction>();
const functions = new Map<string, BuiltFunction>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawops-bench-floors-test-"));
  for (const [index, [name, floor]] of Object.entries(FLOORS).entries()) {
    const file = join(dir, `floor-${index}.ts`);
    await writeFile(file, `${floor.source}\n`);
    floors.set(name, await buildFunction(file, join(dir, `floor-${index}`)));
    if (floor.of)
      functions.set(
        floor.of,
        await buildFunction(join(process.cwd(), "functions", `${floor.of}.ts`), join(dir, floor.of)),
      );
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bench's library floors", () => {
  it("import, and every name each one re-exports is defined (a renamed export fails here, not in the bench)", async () => {
    for (const [name, floor] of Object.entries(FLOORS)) {
      const module = (await import(pathToFileURL(floors.get(name)!.entryFile).href)) as Record<
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

  it("name the functions whose whole sets they are: lifecycle/complete and the alert router", () => {
    expect([...functions.keys()].sort()).toEqual(["alerts/router", "lifecycle/complete"]);
  });

  it("a set loads nothing at a cold start that its function does not: its ratio is a floor under the function's", () => {
    for (const [name, floor] of Object.entries(FLOORS)) {
      if (!floor.of) continue;
      const fn = coldPackages(functions.get(floor.of)!);
      const extra = [...coldPackages(floors.get(name)!)].filter((p) => !fn.has(p));
      expect(extra, name).toEqual([]);
    }
  });

  it("a set holds every SDK client, Slack client and middy package its function loads at a cold start", () => {
    for (const [name, floor] of Object.entries(FLOORS)) {
      if (!floor.of) continue;
      const set = coldPackages(floors.get(name)!);
      const missing = [...coldPackages(functions.get(floor.of)!)].filter(
        (p) => MAJOR_LIBRARY.test(p) && !set.has(p),
      );
      expect(missing, name).toEqual([]);
    }
  });
});
