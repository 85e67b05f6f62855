import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/program.js";
import type { StageLookup } from "../src/stage-target.js";
import { argv, captureStreams } from "./capture.js";

const notDeployed: StageLookup = { credentials: async () => {}, parameters: async () => ({}) };

/** Writes `text` as a config file in a directory of its own (outside the checkout: no node_modules). */
async function configFile(text: string, name = "clawops.config.mjs"): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "clawops-config-")), name);
  await writeFile(file, text);
  return file;
}

async function clawops(...args: string[]) {
  const io = captureStreams();
  const code = await run(argv(...args), { streams: io, stageLookup: notDeployed, env: {} });
  return { code, stderr: io.stderrText() };
}

describe("Function: run with a config file that cannot be loaded", () => {
  it.each([
    ["a syntax error", 'export default { app: { region: "eu-west-1" } \n'],
    ["a throw while it loads", 'throw new Error("CLAWOPS_REGION is not set");\nexport default {};\n'],
    ["an import that is not installed", 'import "left-pad-of-nowhere";\nexport default { app: {} };\n'],
  ])("names the file and Node's reason for %s (exit 2)", async (_, text) => {
    const file = await configFile(text);
    const { code, stderr } = await clawops("status", "--stage", "prod", "--config", file);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: cannot load ${file}: `);
    expect(stderr).not.toContain("a bug in clawops");
  });

  it("names the --config file, not clawops.config.ts, when a value in it is wrong (exit 2)", async () => {
    const file = await configFile(
      'export default { app: { region: "eu-west-1" }, defaults: { gateway: { port: 70000 } } };\n',
      "inv.mjs",
    );
    const { code, stderr } = await clawops("status", "--sandbox", "--config", file);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${file} is invalid for stage "sandbox":`);
    expect(stderr).toContain("defaults.gateway.port: got 70000");
    expect(stderr).not.toContain("clawops.config.ts");
  });
});
