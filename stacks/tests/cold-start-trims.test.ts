import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunction } from "../../scripts/bundling.js";
import {
  COLD_START_TRIMS_PLUGIN,
  middyWithoutStreamWeb,
  processFromGlobal,
  SDK_PROCESS_IMPORTERS,
  versionOnly,
} from "../cold-start-trims.js";

const ROOT = process.cwd();
const run = promisify(execFile);

/** A handler as clawops writes them: middy around a function that sends one SSM call. */
const HANDLER = `
import middy from "@middy/core";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
const options = (endpoint) => ({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" },
});
export const handler = middy().handler(async (event) => {
  const { Parameter } = await new SSMClient(options(event.endpoint)).send(new GetParameterCommand({ Name: "/clawops/x" }));
  return { value: Parameter?.Value };
});
`;

let server: Server;
let endpoint: string;
let dir: string;
let plugged: string;
let unplugged: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume().on("end", () => {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ Parameter: { Name: "/clawops/x", Value: "v1" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "clawops-cold-start-trims-"));
  await writeFile(join(dir, "handler.js"), HANDLER);
  plugged = (await buildFunction(join(dir, "handler.js"), join(dir, "out"))).entryFile;
  // The control: built as deployed, without this plugin.
  unplugged = (
    await buildFunction(join(dir, "handler.js"), join(dir, "unplugged"), { without: COLD_START_TRIMS_PLUGIN })
  ).entryFile;
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** The Node built-in modules a fresh Node process loads while it imports `file`. */
async function builtinsLoadedByImport(file: string): Promise<string[]> {
  const script = `const before = new Set(process.moduleLoadList); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "[]") as string[];
}

describe("Plugin: coldStartTrims, in a function built as deployed", () => {
  it("keeps Node's web streams out of the cold start, which the control build loads", async () => {
    const control = await builtinsLoadedByImport(unplugged);
    const trimmed = await builtinsLoadedByImport(plugged);

    expect(control).toContain("NativeModule stream/web");
    expect(trimmed).not.toContain("NativeModule stream/web");
    expect(trimmed.filter((m) => m.includes("webstreams"))).toEqual([]);
  });

  it("does not build Node's ES module face of process, which the control build does", async () => {
    const control = await builtinsLoadedByImport(unplugged);
    const trimmed = await builtinsLoadedByImport(plugged);

    expect(control).toContain("NativeModule internal/process/report");
    expect(trimmed).not.toContain("NativeModule internal/process/report");
  });

  it("still runs the handler through middy and sends the SDK client's version in its user agent", async () => {
    const { handler } = await import(/* @vite-ignore */ pathToFileURL(plugged).href);
    seen.length = 0;

    await expect(handler({ endpoint }, {})).resolves.toEqual({ value: "v1" });
    const { version } = JSON.parse(
      await readFile(join(ROOT, "node_modules", "@aws-sdk", "client-ssm", "package.json"), "utf8"),
    ) as { version: string };
    expect(seen[0]?.["x-amz-user-agent"]).toContain(`aws-sdk-js/${version}`);
    // What the user-agent modules read from process: the Node version.
    expect(seen[0]?.["user-agent"]).toContain(`md/nodejs#${process.versions.node}`);
  });

  it("ships an SDK package.json's version alone", async () => {
    const code = await readFile(plugged, "utf8");
    const control = await readFile(unplugged, "utf8");

    expect(control).toContain('"@aws-sdk/client-ssm"');
    expect(code).not.toContain('"@aws-sdk/client-ssm"');
  });
});

/** Every JS file under `dir` (recursively). */
async function jsFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const item of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (item.isFile() && item.name.endsWith(".js")) found.push(join(item.parentPath, item.name));
  return found;
}

describe("versionOnly", () => {
  it("keeps a package.json's version and nothing else", () => {
    expect(JSON.parse(versionOnly('{"name":"x","version":"3.1.0","scripts":{"a":"b"}}'))).toEqual({
      version: "3.1.0",
    });
    expect(JSON.parse(versionOnly('{"name":"x"}'))).toEqual({});
  });

  it("is all the pinned SDK reads of its package.json files (an SDK upgrade that reads more fails here)", async () => {
    const sdk = join(ROOT, "node_modules", "@aws-sdk");
    const misread: string[] = [];
    let importers = 0;
    for (const name of await readdir(sdk))
      for (const dist of ["dist-es", "dist-cjs"])
        for (const file of await jsFiles(join(sdk, name, dist)).catch(() => [])) {
          const source = await readFile(file, "utf8");
          if (!/package\.json["']\)?;?$/m.test(source)) continue;
          const imported =
            /^import (\w+) from "(?:\.\.\/)+package\.json";$/m.exec(source)?.[1] ??
            /^(?:var|const|let) (\w+) = (?:__toESM\()?require\("(?:\.\.\/)+package\.json"\)\)?;$/m.exec(
              source,
            )?.[1];
          expect(imported, `${file} imports a package.json in another form`).toBeDefined();
          importers += 1;
          // Every mention but the import itself is a read of `.version`.
          const others = source.match(new RegExp(`\\b${imported}\\b(?!\\.version\\b)`, "g")) ?? [];
          if (others.length !== 1) misread.push(relative(sdk, file));
        }

    expect(importers).toBeGreaterThan(20);
    expect(misread).toEqual([]);
  });
});

describe("middyWithoutStreamWeb", () => {
  it("applies to the pinned @middy/core (a middy upgrade that changes the module fails here)", async () => {
    const source = await readFile(join(ROOT, "node_modules", "@middy", "core", "index.js"), "utf8");
    const trimmed = middyWithoutStreamWeb(source);

    expect(trimmed).not.toBe(source);
    expect(trimmed).not.toContain("node:stream/web");
    expect(trimmed).toContain("instanceof globalThis.ReadableStream");
  });

  it("reads the very class the import gave: Node's global ReadableStream is node:stream/web's", async () => {
    expect(globalThis.ReadableStream).toBe((await import("node:stream/web")).ReadableStream);
  });

  it("leaves a module that uses ReadableStream otherwise as it is", () => {
    const imported = 'import { ReadableStream } from "node:stream/web";\n';
    const other = `${imported}const s = new ReadableStream();\nx instanceof ReadableStream;\n`;
    const twice = `${imported}${imported}x instanceof ReadableStream;\n`;
    const unused = `${imported}const y = 1;\n`;

    expect(middyWithoutStreamWeb(other)).toBe(other);
    expect(middyWithoutStreamWeb(twice)).toBe(twice);
    expect(middyWithoutStreamWeb(unused)).toBe(unused);
    expect(
      middyWithoutStreamWeb(`${imported}x instanceof ReadableStream; throw "not a ReadableStream";\n`),
    ).toBe('x instanceof globalThis.ReadableStream; throw "not a ReadableStream";\n');
  });
});

describe("processFromGlobal", () => {
  it("reads named imports of node:process from the global process", () => {
    expect(processFromGlobal('import { env } from "node:process";\nenv.A;')).toBe(
      "const { env } = process;\nenv.A;",
    );
    expect(processFromGlobal('import { env, versions as v } from "process";')).toBe(
      "const { env, versions: v } = process;",
    );
    const other =
      'import process from "node:process";\nimport * as p from "node:process";\nimport { default as q } from "node:process";';
    expect(processFromGlobal(other)).toBe(other);
  });

  it("covers every SDK module that imports from node:process (an SDK upgrade that adds one fails here)", async () => {
    const importers: string[] = [];
    for (const scope of ["@aws-sdk", "@smithy"]) {
      const base = join(ROOT, "node_modules", scope);
      for (const name of await readdir(base))
        for (const file of await jsFiles(join(base, name, "dist-es")).catch(() => []))
          if (/from ["'](?:node:)?process["']/.test(await readFile(file, "utf8"))) importers.push(file);
    }

    expect(importers.length).toBeGreaterThan(0);
    for (const file of importers) {
      expect(file).toMatch(SDK_PROCESS_IMPORTERS);
      expect(join(file, "..", "node_modules", "x", "y.js")).not.toMatch(SDK_PROCESS_IMPORTERS);
      expect(processFromGlobal(await readFile(file, "utf8"))).not.toMatch(/from ["'](?:node:)?process["']/);
    }
  });
});
