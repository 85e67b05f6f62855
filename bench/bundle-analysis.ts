/**
 * `npx tsx bench/bundle-analysis.ts [entry-substring ...]`: bundles each Lambda entry as production does, with an
 * esbuild metafile, and prints what dominates each bundle's cold start (entry + static chunks): bytes of output
 * per package (or per clawops folder), largest first. The first question to ask of a bundle over budget. `WHY=<package>` also prints the import chain
 * that pulls that package in; `TOP=<n>` sets how many packages to list.
 */
import { join, relative } from "node:path";
import type { Metafile } from "esbuild";
import { deployEsbuildOptions, findEntries, sstEsbuild } from "../scripts/bundling.js";

/** Output bytes of one package (or clawops source folder) in one bundle. */
export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; `packages/core/src/x/...` → `core/x`; else the top folder. */
export function packageOf(input: string): string {
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at >= 0) {
    const name = parts[at + 1] ?? "?";
    return name.startsWith("@") ? `${name}/${parts[at + 2]}` : name;
  }
  if (parts[0] === "packages") return `${parts[1]}/${parts[3] ?? ""}`.replace(/\.ts$/, "");
  return parts.slice(0, 2).join("/");
}

/**
 * Sums a metafile's output bytes by package, largest first (only the `outputs` named, when given). `keyOf`
 * groups by something else (undefined: leave the input out).
 */
export function sharesOf(
  metafile: Metafile,
  only?: ReadonlySet<string>,
  keyOf: (input: string) => string | undefined = packageOf,
): PackageShare[] {
  const totals = new Map<string, number>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (only && !only.has(path)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = keyOf(input);
      if (name === undefined) continue;
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The import chain from the entry to the first file of `pkg` (breadth-first, so the shortest): answers "why is
 * this package in my bundle?".
 */
export function whyIncluded(metafile: Metafile, pkg: string): string[] | undefined {
  const importers = new Map<string, string>();
  const entry = Object.values(metafile.outputs)[0]?.entryPoint;
  if (!entry) return undefined;
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (packageOf(file) === pkg) {
      const chain = [file];
      for (let at = importers.get(file); at; at = importers.get(at)) chain.unshift(at);
      return chain;
    }
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external || seen.has(imported.path)) continue;
      seen.add(imported.path);
      importers.set(imported.path, file);
      queue.push(imported.path);
    }
  }
  return undefined;
}

/** The entry's output and every chunk it imports statically: what a cold start loads. */
export function coldOutputs(metafile: Metafile, entryPoint: string): Set<string> {
  const cold = new Set<string>();
  const visit = (output: string): void => {
    if (cold.has(output)) return;
    cold.add(output);
    for (const i of metafile.outputs[output]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  const entry = Object.keys(metafile.outputs).find((o) => metafile.outputs[o]?.entryPoint === entryPoint);
  if (entry) visit(entry);
  return cold;
}

/**
 * Bundles one entry (in memory) as deployed (code splitting) and returns its package shares, over what a cold
 * start loads (`cold`) and over everything the build emits (`shares`), with the sizes. Built in memory, so the
 * bundles `lazyBundles` builds apart are not written nor counted: they are never loaded at a cold start.
 */
export async function analyse(file: string): Promise<{
  bytes: number;
  coldBytes: number;
  shares: PackageShare[];
  cold: PackageShare[];
  metafile: Metafile;
}> {
  const result = await sstEsbuild().build({ ...deployEsbuildOptions(file, "out"), write: false });
  const metafile = result.metafile as Metafile;
  const cold = coldOutputs(metafile, relative(process.cwd(), file));
  const size = (only?: Set<string>) =>
    Object.entries(metafile.outputs).reduce(
      (sum, [p, o]) => sum + (p.endsWith(".map") || (only && !only.has(p)) ? 0 : o.bytes),
      0,
    );
  return {
    bytes: size(),
    coldBytes: size(cold),
    shares: sharesOf(metafile),
    cold: sharesOf(metafile, cold),
    metafile,
  };
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const top = Number(process.env.TOP ?? 12);
  const why = process.env.WHY;
  const root = process.cwd();
  const entries = (await findEntries(root)).filter(
    (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
  );
  const overall = new Map<string, number>();
  for (const file of entries) {
    const { bytes, coldBytes, cold, metafile } = await analyse(file);
    const name = relative(join(root, "functions"), file);
    console.log(
      `\n${name}  ${(coldBytes / 1024).toFixed(1)} KB at cold start, ${(bytes / 1024).toFixed(1)} KB in the build (lazy bundles apart)`,
    );
    for (const s of cold.slice(0, top)) {
      console.log(`  ${(s.bytes / 1024).toFixed(1).padStart(8)} KB  ${s.name}`);
      overall.set(s.name, (overall.get(s.name) ?? 0) + 1);
    }
    if (why) console.log(`  why ${why}: ${whyIncluded(metafile, why)?.join("\n    → ") ?? "not included"}`);
  }
  if (entries.length > 1) {
    console.log(`\nin the top ${top} of how many bundles:`);
    for (const [name, n] of [...overall].sort((a, b) => b[1] - a[1]).slice(0, 20))
      console.log(`  ${String(n).padStart(3)}  ${name}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
