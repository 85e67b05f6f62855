import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const exec = promisify(execFile);
const cliDir = fileURLToPath(new URL("..", import.meta.url));

let dir: string;
let bin: string;
const STALE_CHUNK = "left-by-an-earlier-build-0000.mjs";

/** Runs the installed `clawops` as a user would: no AWS settings, no credentials, outside any checkout. */
async function clawops(args: string[], env: Record<string, string> = {}, cwd = dir) {
  try {
    const { stdout, stderr } = await exec(bin, args, {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: dir, AWS_EC2_METADATA_DISABLED: "true", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// The package as `npm pack` makes it, installed with no registry (`--offline`) in a project under the system's
// temporary directory, where no node_modules of the checkout can be found.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawops-standalone-"));
  // npm's own settings for the children, never a dry run inherited from the environment (the stack tests'
  // synthesis once leaked npm_config_dry_run=true to every test process, and npm pack then wrote nothing).
  const env = { ...process.env, npm_config_dry_run: "false" };
  // A chunk an earlier build left behind (chunk names carry their hash): the pack's build must replace it.
  await mkdir(join(cliDir, "dist", "chunks"), { recursive: true });
  await writeFile(join(cliDir, "dist", "chunks", STALE_CHUNK), "export {};\n");
  const packed = await exec("npm", ["pack", "--pack-destination", dir], { cwd: cliDir, env });
  const tarball = (await readdir(dir)).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}:\n${packed.stdout}\n${packed.stderr}`);
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "operator", version: "1.0.0", private: true }),
  );
  await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", `./${tarball}`], { cwd: dir, env });
  bin = join(dir, "node_modules", ".bin", "clawops");
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Package: @clawops/cli installed on its own", () => {
  it("installs from its tarball with no dependencies to fetch and prints its version", async () => {
    const installed = (await readdir(join(dir, "node_modules"))).filter((name) => !name.startsWith("."));
    expect(installed).toEqual(["@clawops"]);
    expect(await clawops(["--version"])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });

  it("carries only its own build's chunks, none an earlier build left in dist/", async () => {
    const chunks = await readdir(join(dir, "node_modules", "@clawops", "cli", "dist", "chunks"));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks).not.toContain(STALE_CHUNK);
  });

  it("prints help with examples", async () => {
    const { code, stdout } = await clawops(["drill", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("clawops drill --stage prod");
  });

  it("asks for a region when neither --region, AWS_REGION nor a config file gives one (exit 2)", async () => {
    const { code, stderr } = await clawops(["status", "--stage", "prod"]);
    expect(code).toBe(2);
    expect(stderr).toContain("no AWS region: pass --region, set AWS_REGION");
  });

  it("says how to proceed when a TypeScript config is in the working directory (exit 2)", async () => {
    const project = join(dir, "with-config");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "clawops.config.ts"), 'export default { app: { region: "eu-west-1" } };\n');
    const { code, stderr } = await clawops(["status", "--stage", "prod"], {}, project);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "without the clawops checkout (TypeScript): pass --region, or --config a .mjs file",
    );
  });

  it("takes the region from a .mjs config and then asks for credentials (exit 2)", async () => {
    const config = join(dir, "clawops.config.mjs");
    await writeFile(config, 'export default { app: { region: "eu-west-1" } };\n');
    const { code, stderr } = await clawops(["status", "--stage", "prod", "--config", config]);
    expect(code).toBe(2);
    expect(stderr).toContain("no AWS credentials found");
  });

  it("says a standalone .mjs config exports a plain object when it imports @clawops/core (exit 2)", async () => {
    const config = join(dir, "imports-core.mjs");
    await writeFile(
      config,
      'import { defineConfig } from "@clawops/core/config";\nexport default defineConfig({ app: { region: "eu-west-1" } });\n',
    );
    const { code, stderr } = await clawops(["status", "--stage", "prod", "--config", config]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `cannot load ${config}: it imports @clawops/core, which only a clawops checkout has`,
    );
    expect(stderr).toContain("a standalone .mjs config exports a plain object");
  });

  it("tells the user how to log in when the credential chain finds nothing (exit 2)", async () => {
    const { code, stderr } = await clawops(["readiness", "--stage", "prod"], { AWS_REGION: "eu-west-1" });
    expect(code).toBe(2);
    expect(stderr).toContain("no AWS credentials found: run aws sso login or set AWS_PROFILE");
  });

  it("says the game day needs a checkout instead of crashing (exit 2)", async () => {
    const { code, stderr } = await clawops(["sandbox"]);
    expect(code).toBe(2);
    expect(stderr).toContain("the sandbox and the game day run from a clawops checkout");
  });
});
