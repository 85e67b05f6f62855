import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltFunction, buildFunction, coldOutputsOf } from "../../scripts/bundling.js";
import {
  pruneRegistrations,
  queryCodedErrors,
  readsQueryCodes,
  retryableErrors,
  SDK_SCHEMAS_PLUGIN,
  staticKeys,
} from "../sdk-schemas.js";

const ROOT = process.cwd();

/**
 * A handler with clients of each protocol family clawops uses: JSON (SSM, DynamoDB), query (Auto Scaling) and
 * JSON that keeps its query error codes (SQS).
 */
const HANDLER = `
import { AutoScalingClient, SetInstanceHealthCommand } from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, PutItemCommand, ReplicatedWriteConflictException, DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { SQSClient, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { SSMClient, GetParameterCommand, SSMServiceException } from "@aws-sdk/client-ssm";
const options = (endpoint) => ({
  endpoint, region: "us-east-1", maxAttempts: 3, retryMode: "standard",
  credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" },
});
const caught = async (send) => {
  try { await send(); return undefined; } catch (error) { return error; }
};
const described = (error, Base) => ({
  name: error.name, message: error.message, fault: error.$fault, status: error.$metadata?.httpStatusCode,
  attempts: error.$metadata?.attempts, ...(Base ? { serviceException: error instanceof Base } : {}),
});
export const ssm = async (endpoint) => described(
  await caught(() => new SSMClient(options(endpoint)).send(new GetParameterCommand({ Name: "/clawops/x" }))),
  SSMServiceException);
export const dynamo = async (endpoint) => {
  const error = await caught(() => new DynamoDBClient(options(endpoint)).send(
    new PutItemCommand({ TableName: "t", Item: { pk: { S: "k" } } })));
  return { ...described(error, DynamoDBServiceException), registered: error instanceof ReplicatedWriteConflictException };
};
export const autoScaling = async (endpoint) => described(await caught(() => new AutoScalingClient(options(endpoint)).send(
  new SetInstanceHealthCommand({ InstanceId: "i-0abc", HealthStatus: "Unhealthy" }))));
export const sqs = async (endpoint) => described(await caught(() => new SQSClient(options(endpoint)).send(
  new GetQueueUrlCommand({ QueueName: "clawops-dlq" }))));
`;

/** An error response as AWS sends it: status, headers and body. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An error of a JSON protocol (`type`: the `__type` AWS sends, namespace and all). */
function jsonError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): Answer {
  const body = JSON.stringify({ __type: type, message });
  return { status, headers: { "content-type": "application/x-amz-json-1.0", ...headers }, body };
}

/** An error of the query protocol, by its query code. */
function queryError(status: number, code: string, message: string): Answer {
  const body = `<ErrorResponse><Error><Type>${status < 500 ? "Sender" : "Receiver"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
  return { status, headers: { "content-type": "text/xml" }, body };
}

/** What the local endpoint answers next. */
let answer: Answer;
let requests = 0;
let server: Server;
let endpoint: string;
let dir: string;
let built: BuiltFunction;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    request.resume().on("end", () => {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "clawops-sdk-schemas-"));
  await writeFile(join(dir, "handler.js"), HANDLER);
  built = await buildFunction(join(dir, "handler.js"), join(dir, "out"));
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** What the fixture's bundle saves, at least: the plugin removes 80.7 KB of it (measured by this test). */
const SAVED_KB = 70;

let control: Promise<{ text: string; bytes: number }> | undefined;
/** The fixture built as deployed but without this plugin: the code its cold start loads, and its bytes. */
function unplugged(): Promise<{ text: string; bytes: number }> {
  control ??= (async () => {
    const without = await buildFunction(join(dir, "handler.js"), join(dir, "unplugged"), {
      without: SDK_SCHEMAS_PLUGIN,
    });
    const cold = coldOutputsOf(without.metafile, relative(ROOT, without.entryFile));
    const text = await Promise.all([...cold].map((output) => readFile(join(ROOT, output), "utf8")));
    return { text: text.join("\n"), bytes: without.coldBytes };
  })();
  return control;
}

/** The fixture's bundle as built with the plugin, and without it (see `unplugged`). */
async function bundles(): Promise<{ plugged: string; unplugged: string; unpluggedBytes: number }> {
  const { text, bytes } = await unplugged();
  return { plugged: await readFile(built.entryFile, "utf8"), unplugged: text, unpluggedBytes: bytes };
}

/** Whether a bundle holds `value` as a string literal. */
const holds = (bundle: string, value: string) => bundle.includes(`"${value}"`);

async function send(flow: "ssm" | "dynamo" | "autoScaling" | "sqs", next: Answer) {
  answer = next;
  requests = 0;
  const handler = await import(/* @vite-ignore */ pathToFileURL(built.entryFile).href);
  return { error: await handler[flow](endpoint), requests };
}

describe("Plugin: sdkSchemas, in a function built as deployed", () => {
  it("keeps of a client's schemas only those of the operations the function sends", async () => {
    const { plugged, unplugged } = await bundles();

    // The control: without the plugin, structures of operations the function never sends are there.
    expect(holds(unplugged, "CreateAssociationBatchRequestEntry")).toBe(true);
    expect(holds(plugged, "CreateAssociationBatchRequestEntry")).toBe(false);
    expect(holds(plugged, "GetParameterRequest")).toBe(true);
    expect(holds(plugged, "PutItemInput")).toBe(true);
  });

  it("does not define the error classes of a service the function never tells apart", async () => {
    const { plugged, unplugged, unpluggedBytes } = await bundles();

    expect(holds(unplugged, "com.amazonaws.ssm#AssociationAlreadyExists")).toBe(true);
    expect(holds(plugged, "com.amazonaws.ssm#AssociationAlreadyExists")).toBe(false);
    expect(holds(plugged, "com.amazonaws.dynamodb#TableAlreadyExistsException")).toBe(false);
    expect(holds(plugged, "com.amazonaws.dynamodb#ReplicatedWriteConflictException")).toBe(true);
    // Query-coded, but SSM's JSON protocol never looks the code up; SQS's query-compatible one does.
    expect(holds(unplugged, "com.amazonaws.ssm#AutomationDefinitionNotFoundException")).toBe(true);
    expect(holds(plugged, "com.amazonaws.ssm#AutomationDefinitionNotFoundException")).toBe(false);
    expect(holds(plugged, "com.amazonaws.sqs#QueueDoesNotExist")).toBe(true);
    expect(unpluggedBytes - built.coldBytes).toBeGreaterThan(SAVED_KB * 1024);
  });

  it("throws an error it no longer registers as the service's exception, with its name, message and fault", async () => {
    const { error } = await send(
      "ssm",
      jsonError(400, "com.amazonaws.ssm#ParameterNotFound", "Parameter /clawops/x not found."),
    );

    expect(error).toEqual({
      name: "ParameterNotFound",
      message: "Parameter /clawops/x not found.",
      fault: "client",
      status: 400,
      attempts: 1,
      serviceException: true,
    });
  });

  it("names an error of a JSON service by the name it sends, though its model also gives it a query code", async () => {
    const { error } = await send(
      "ssm",
      jsonError(400, "com.amazonaws.ssm#AutomationDefinitionNotFoundException", "no such automation"),
    );

    expect(error).toMatchObject({
      name: "AutomationDefinitionNotFoundException",
      message: "no such automation",
      serviceException: true,
    });
  });

  it("names a conditional-write conflict as clawops' lock and state code tests for it", async () => {
    const { error } = await send(
      "dynamo",
      jsonError(
        400,
        "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "The conditional request failed",
      ),
    );

    expect(error).toMatchObject({ name: "ConditionalCheckFailedException", fault: "client", attempts: 1 });
  });

  it("names an error of the query protocol by its name, not its query code", async () => {
    const { error, requests } = await send(
      "autoScaling",
      queryError(500, "ResourceContention", "You already have a pending update to an Auto Scaling resource."),
    );

    expect(error).toMatchObject({ name: "ResourceContentionFault", fault: "server", attempts: 3 });
    expect(requests).toBe(3);
  });

  it("names an error of a query-compatible JSON service by its name, not the query code in its header", async () => {
    const { error } = await send(
      "sqs",
      jsonError(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.", {
        "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender",
      }),
    );

    expect(error).toMatchObject({ name: "QueueDoesNotExist", fault: "client", attempts: 1 });
  });

  it("still retries a throttled call whose error class is not registered", async () => {
    const { error, requests } = await send(
      "dynamo",
      jsonError(400, "com.amazonaws.dynamodb.v20120810#ThrottlingException", "Rate exceeded"),
    );

    expect(error).toMatchObject({ name: "ThrottlingException", attempts: 3, registered: false });
    expect(requests).toBe(3);
  });

  it("keeps an error that declares itself retryable registered, so it is retried", async () => {
    const { error, requests } = await send(
      "dynamo",
      jsonError(400, "com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException", "conflict"),
    );

    expect(error).toMatchObject({ name: "ReplicatedWriteConflictException", attempts: 3, registered: true });
    expect(requests).toBe(3);
  });
});

/** Every schemas module of the pinned SDK clients, and of the nested clients the credential chain uses. */
async function schemasModules(): Promise<string[]> {
  const sdk = join(ROOT, "node_modules", "@aws-sdk");
  const found: string[] = [];
  for (const name of await readdir(sdk)) {
    const base =
      name === "nested-clients" ? join(sdk, name, "dist-es", "submodules") : join(sdk, name, "dist-es");
    const dirs =
      name === "nested-clients"
        ? (await readdir(base)).map((d) => join(base, d))
        : name.startsWith("client-")
          ? [base]
          : [];
    for (const d of dirs) {
      const file = join(d, "schemas", "schemas_0.js");
      if (await stat(file).catch(() => undefined)) found.push(file);
    }
  }
  return found;
}

describe("pruneRegistrations", () => {
  it("applies to every SDK client clawops bundles (an SDK upgrade that changes the generated code fails here)", async () => {
    const modules = await schemasModules();
    const unpruned: string[] = [];
    for (const file of modules) {
      const client = join(file, "..", "..");
      const pruned = await pruneRegistrations(
        await readFile(file, "utf8"),
        () => readFile(join(client, "models", "errors.js"), "utf8"),
        readsQueryCodes(await readFile(join(client, "runtimeConfig.shared.js"), "utf8")),
      );
      if (pruned === undefined) unpruned.push(relative(ROOT, file));
    }

    expect(modules.length).toBeGreaterThan(20);
    expect(unpruned).toEqual([]);
  });

  it("reads query codes only for clients whose protocol looks errors up by them", async () => {
    const config = (client: string) =>
      readFile(join(ROOT, "node_modules", "@aws-sdk", client, "dist-es", "runtimeConfig.shared.js"), "utf8");

    expect(readsQueryCodes(await config("client-auto-scaling"))).toBe(true); // query
    expect(readsQueryCodes(await config("client-ec2"))).toBe(true); // EC2 query
    expect(readsQueryCodes(await config("client-sqs"))).toBe(true); // JSON, query-compatible
    expect(readsQueryCodes(await config("client-cloudwatch"))).toBe(true); // JSON, query-compatible
    expect(readsQueryCodes(await config("client-ssm"))).toBe(false);
    expect(readsQueryCodes(await config("client-dynamodb"))).toBe(false);
    expect(readsQueryCodes(await config("client-efs"))).toBe(false); // REST JSON
    // What it cannot tell counts as reading them: the registrations are kept.
    expect(readsQueryCodes(undefined)).toBe(true);
    expect(readsQueryCodes("protocol: config?.protocol ?? SomeNewProtocol,")).toBe(true);
    expect(readsQueryCodes("protocol: AwsJson1_0Protocol, awsQueryCompatible: !0")).toBe(true);
  });

  it("drops query-coded registrations where the client's protocol never reads the code", async () => {
    const source = [
      'const _aQE = "awsQueryError";',
      "export var Coded$ = [-3, n0, _C,",
      "    { [_aQE]: [`CodedError`, 400], [_e]: _c },",
      "    [_m],",
      "    [0]",
      "];",
      "n0_registry.registerError(Coded$, Coded);",
    ].join("\n");

    await expect(pruneRegistrations(source, async () => "", false)).resolves.not.toContain(
      "registerError(Coded$",
    );
    await expect(pruneRegistrations(source, async () => "", true)).resolves.toContain("registerError(Coded$");
  });

  it("leaves a module with a registration of another shape as it is", async () => {
    const source = [
      "n0_registry.registerError(A$, A);",
      "n0_registry.registerError(B$, B, extra);",
      "_s_registry.registerError(Base$, Base);",
    ].join("\n");

    await expect(pruneRegistrations(source, async () => "")).resolves.toBeUndefined();
  });

  it("keeps the registrations of errors the service names by a query code", async () => {
    const source = [
      'const _aQE = "awsQueryError";',
      "export var Contention$ = [-3, n0, _C,",
      "    { [_aQE]: [`ResourceContention`, 500], [_e]: _se, [_hE]: 500 },",
      "    [_m],",
      "    [0]",
      "];",
      "n0_registry.registerError(Contention$, Contention);",
      "export var Plain$ = [-3, n0, _P,",
      "    { [_e]: _c },",
      "    [_m],",
      "    [0]",
      "];",
      "n0_registry.registerError(Plain$, Plain);",
    ].join("\n");

    expect(queryCodedErrors(source)).toEqual(new Set(["Contention"]));
    expect(queryCodedErrors(staticKeys(source))).toEqual(new Set(["Contention"]));
    const pruned = await pruneRegistrations(source, async () => "");
    expect(pruned).toContain("n0_registry.registerError(Contention$, Contention);");
    expect(pruned).not.toContain("n0_registry.registerError(Plain$, Plain);");
  });

  it("drops the registrations of all but retryable errors, and never the service's base exception", async () => {
    const schema = (name: string) => [
      `export var ${name}$ = [-3, n0, _${name},`,
      "    { [_e]: _c },",
      "    [],",
      "    []",
      "];",
    ];
    const source = [
      "_s_registry.registerError(Base$, Base);",
      ...schema("Gone"),
      "n0_registry.registerError(Gone$, Gone);",
      ...schema("Retried"),
      "n0_registry.registerError(Retried$, Retried);",
    ];
    const errors = [
      'export class Gone extends __BaseException {\n    name = "Gone";\n}',
      'export class Retried extends __BaseException {\n    name = "Retried";\n    $retryable = {};\n}',
    ].join("\n");

    expect(retryableErrors(errors)).toEqual(new Set(["Retried"]));
    await expect(pruneRegistrations(source.join("\n"), async () => errors)).resolves.toBe(
      source.map((line) => (line.startsWith("n0_registry.registerError(Gone$") ? "" : line)).join("\n"),
    );
  });

  it("keeps a registration whose error schema it cannot find", async () => {
    const source = "n0_registry.registerError(Elsewhere$, Elsewhere);";

    await expect(pruneRegistrations(source, async () => "")).resolves.toBe(source);
  });
});

describe("staticKeys", () => {
  it("writes a key that is one of the module's string constants as that string", () => {
    const source = [
      'const _xN = "xmlName";',
      'const _A = "Alarm";',
      "var L = [1, n0, _A, 0, [0, { [_xN]: _A }]];",
    ];

    expect(staticKeys(source.join("\n")).split("\n")[2]).toBe(
      'var L = [1, n0, _A, 0, [0, { "xmlName": _A }]];',
    );
  });

  it("leaves a key it has no constant for, and __proto__ however written, computed", () => {
    const source = [
      'const _p = "__proto__";',
      'const _e = "__pro\\u0074o__";',
      "var T = { [_p]: 1, [_e]: 2, [other]: 3 };",
    ].join("\n");

    expect(staticKeys(source)).toBe(source);
  });

  it("leaves no computed key in any pinned client's schemas (an SDK upgrade that changes them fails here)", async () => {
    const left: string[] = [];
    for (const file of await schemasModules()) {
      const keys = staticKeys(await readFile(file, "utf8")).match(/\[[\w$]+\]:/g) ?? [];
      if (keys.length > 0) left.push(`${relative(ROOT, file)}: ${[...new Set(keys)].join(" ")}`);
    }

    expect(left).toEqual([]);
  });
});

/**
 * What a source file can test with `instanceof` that an SDK client exports: the names `import { A, B as C }` and
 * `const { A } = await import(...)` bind (`A`, `C`), and `NS.` for `import * as NS`.
 */
function sdkImports(source: string): string[] {
  const names: string[] = [];
  const client = String.raw`["']@aws-sdk\/(?:client-[^"']+|lib-dynamodb)["']`;
  const named = new RegExp(String.raw`import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*${client}`, "g");
  const dynamic = new RegExp(
    String.raw`(?:const|let|var)\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*${client}\s*\)`,
    "g",
  );
  for (const match of [...source.matchAll(named), ...source.matchAll(dynamic)])
    for (const part of (match[1] ?? "").split(","))
      names.push(
        part
          .trim()
          .split(/\s+as\s+|\s*:\s*/)
          .pop() ?? "",
      );
  for (const match of source.matchAll(
    new RegExp(String.raw`import\s*\*\s*as\s+([\w$]+)\s+from\s*${client}`, "g"),
  ))
    names.push(`${match[1]}.`);
  return names.filter((name) => /^[\w$]+\.?$/.test(name));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const item of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (!["node_modules", "tests", "dist"].includes(item.name)) files.push(...(await sourceFiles(path)));
    } else if (/\.ts$/.test(item.name) && !/\.test\.ts$/.test(item.name)) files.push(path);
  }
  return files;
}

describe("clawops code, as bundled", () => {
  it("finds every way a file binds what an SDK client exports", () => {
    const source = [
      'import { A, B as C } from "@aws-sdk/client-ssm";',
      'import * as sqs from "@aws-sdk/client-sqs";',
      'const { D, E: F } = await import("@aws-sdk/client-backup");',
      'import { G } from "@clawops/core";',
    ].join("\n");

    expect(sdkImports(source).sort()).toEqual(["A", "C", "D", "F", "sqs."]);
  });

  it("tells SDK errors apart by name, never by instanceof of an SDK error class", async () => {
    const offending: string[] = [];
    const packages = (await readdir(join(ROOT, "packages"))).map((p) => join(ROOT, "packages", p, "src"));
    for (const dir of [join(ROOT, "functions"), ...packages]) {
      if (!(await stat(dir).catch(() => undefined))) continue;
      for (const file of await sourceFiles(dir)) {
        const source = await readFile(file, "utf8");
        for (const name of sdkImports(source))
          if (
            new RegExp(
              `instanceof\\s+${name.replace(/[$.]/g, "\\$&")}${name.endsWith(".") ? "" : "\\b"}`,
            ).test(source)
          )
            offending.push(`${relative(ROOT, file)}: instanceof ${name}`);
      }
    }

    expect(offending).toEqual([]);
  });
});
