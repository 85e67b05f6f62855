import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

/** What the default test app synthesized to: per stack, its template and its cdk-nag messages. */
export type SynthesizedStacks = Record<
  string,
  { template: unknown; nag: { level: string; path: string; message: string }[] }
>;

declare module "vitest" {
  export interface ProvidedContext {
    /** JSON file of `SynthesizedStacks` for the default config at stage "test", or "" when not built. */
    synthesizedStacksFile: string;
  }
}

let dir: string | undefined;

/**
 * Synthesizes the whole app once per test run (every stack, functions bundled, cdk-nag applied) instead of
 * once per stack test file: a full synthesis takes tens of seconds on a 2-core machine.
 * Skipped when the run is filtered to files outside `stacks/`.
 */
export async function setup(project: TestProject): Promise<void> {
  // The CLI's file filters (vitest keeps them on the instance; not in the public types).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const needed = filters.length === 0 || filters.some((f) => f.includes("stacks") || f.includes("security"));
  project.provide("synthesizedStacksFile", "");
  if (!needed) return;
  process.env.SST_STAGE = "test";
  process.env.NODE_ENV = "test";
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
  const { synthesizeApp } = await import("../build.js");
  const { assembly } = await synthesizeApp({ stage: "test" });
  const stacks: SynthesizedStacks = {};
  for (const stack of assembly.stacks) {
    stacks[stack.stackName] = {
      template: stack.template,
      nag: stack.messages
        .filter((m) => String(m.entry.data).includes("AwsSolutions-"))
        .map((m) => ({ level: m.level, path: m.id, message: String(m.entry.data) })),
    };
  }
  dir = await mkdtemp(join(tmpdir(), "clawops-synth-"));
  const file = join(dir, "stacks.json");
  await writeFile(file, JSON.stringify(stacks));
  project.provide("synthesizedStacksFile", file);
}

export async function teardown(): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
