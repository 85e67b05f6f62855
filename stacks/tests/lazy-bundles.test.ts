import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltFunction, buildFunction, coldOutputsOf, entryOutputOf } from "../../scripts/bundling.js";
import { LAZY_BUNDLE_PREFIX } from "../lazy-bundles.js";

const run = promisify(execFile);

/**
 * A handler shaped like clawops': a DynamoDB client on its hot path, and three lazy imports: a package (the
 * CloudWatch client, whose query protocol DynamoDB's protocol barrel also reaches), a file that only re-exports
 * a package, and a file of clawops code that shares a module with the handler.
 */
const FIXTURE: Record<string, string> = {
  "handler.ts": `
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { registry } from "./registry.js";
export const hot = () => new DynamoDBClient({ region: "us-east-1" });
export const credentials = () => hot().config.credentials();
export const cloudWatch = async () => {
  const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
  return new CloudWatchClient({ region: "us-east-1" }).config.serviceId;
};
export const reexported = async () => {
  const { SendMessageCommand } = await import("./sqs.js");
  return new SendMessageCommand({ QueueUrl: "q", MessageBody: "lazy" }).input.MessageBody;
};
export const shared = async () => (await import("./own.js")).own() === registry;
export const cyclic = async () => (await import("cyclic")).again();
`,
  "registry.ts": "export const registry = { calls: 0 };\n",
  "own.ts": 'import { registry } from "./registry.js";\nexport const own = () => registry;\n',
  "sqs.ts": 'export { SendMessageCommand } from "@aws-sdk/client-sqs";\n',
  // A package that imports itself lazily: its bundle must not wait on its own build.
  "node_modules/cyclic/package.json": '{ "name": "cyclic", "type": "module", "main": "index.js" }\n',
  "node_modules/cyclic/index.js":
    'export const name = "cyclic";\nexport const again = async () => (await import("cyclic")).name;\n',
  "broken.ts": 'export const handler = async () => (await import("broken")).value;\n',
  "node_modules/broken/package.json": '{ "name": "broken", "type": "module", "main": "index.js" }\n',
  "node_modules/broken/index.js": "export const value = ;\n",
};

let dir: string;
let built: BuiltFunction;
let outdir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawops-lazy-bundles-"));
  for (const [name, source] of Object.entries(FIXTURE)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), source);
  }
  outdir = join(dir, "out");
  built = await buildFunction(join(dir, "handler.ts"), outdir);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Calls one export of the built handler in a fresh Node process, from another directory. */
async function call(name: string): Promise<unknown> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(built.entryFile).href)}); console.log(JSON.stringify(await m.${name}()));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLECANARY00",
      AWS_SECRET_ACCESS_KEY: "example-secret",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  return JSON.parse(stdout);
}

describe("Plugin: lazyBundles", () => {
  it("keeps code only a lazily imported client uses out of what a cold start loads", () => {
    const cold = coldOutputsOf(built.metafile, entryOutputOf(built.metafile, join(dir, "handler.ts")));
    const coldInputs = [...cold].flatMap((output) =>
      Object.keys(built.metafile.outputs[output]?.inputs ?? {}),
    );

    expect(coldInputs.some((input) => input.includes("@aws-sdk/client-dynamodb/"))).toBe(true);
    expect(coldInputs.filter((input) => /protocols\/(query|xml)\/|client-cloudwatch\//.test(input))).toEqual(
      [],
    );
    expect(coldInputs.filter((input) => input.includes("credential-provider-ini"))).toEqual([]);
  });

  it("builds each lazily imported package, and a file that only re-exports one, as a bundle of its own", async () => {
    const files = await readdir(outdir);
    const lazy = files.filter((f) => f.startsWith(LAZY_BUNDLE_PREFIX) && f.endsWith(".mjs"));

    expect(lazy).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lazy-aws-sdk-client-cloudwatch-[0-9a-f]{8}\.mjs$/),
        expect.stringMatching(/^lazy-sqs-[0-9a-f]{8}\.mjs$/),
        expect.stringMatching(/^lazy-aws-sdk-credential-provider-ini-[0-9a-f]{8}\.mjs$/),
      ]),
    );
    expect(lazy.filter((f) => f.includes("own"))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(lazy.map((f) => `${f}.map`)));
  });

  it("loads each lazy bundle when its path runs, from the function's directory", async () => {
    await expect(call("cloudWatch")).resolves.toBe("CloudWatch");
    await expect(call("reexported")).resolves.toBe("lazy");
  });

  it("resolves credentials through the SDK's credential chain, whose providers are lazy bundles", async () => {
    await expect(call("credentials")).resolves.toMatchObject({ accessKeyId: "AKIAEXAMPLECANARY00" });
  });

  it("keeps a lazily imported file of clawops code in the function's build, sharing its modules", async () => {
    await expect(call("shared")).resolves.toBe(true);
  });

  it("builds a package that imports itself lazily (an import cycle) without waiting on itself", async () => {
    await expect(call("cyclic")).resolves.toBe("cyclic");
  });

  it("fails the function's build where a lazily imported module has its error", async () => {
    await expect(buildFunction(join(dir, "broken.ts"), join(dir, "broken-out"))).rejects.toThrow(
      /node_modules\/broken\/index\.js:1:\d+: ERROR: Unexpected ";"/,
    );
  });
});
