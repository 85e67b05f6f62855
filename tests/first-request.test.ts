import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FIRST_REQUESTS,
  type FirstRequestPart,
  type FunctionInvocation,
  firstRequestSample,
  SLACK_REFERENCE,
  startLocalEndpoint,
} from "../bench/first-request.js";
import { firstRequestSection } from "../bench/report.js";
import { type BuiltFunction, buildFunction } from "../scripts/bundling.js";

const dir = await mkdtemp(join(tmpdir(), "clawops-first-request-test-"));
const built: Record<string, BuiltFunction> = {};
const build = async (name: string, part: FirstRequestPart) => {
  if ("entry" in part) {
    built[name] = await buildFunction(join(process.cwd(), part.entry), join(dir, name));
    return;
  }
  await writeFile(join(dir, `${name}.ts`), part.source);
  built[name] = await buildFunction(join(dir, `${name}.ts`), join(dir, name));
};
const complete = FIRST_REQUESTS["lifecycle/complete (the function)"] as FunctionInvocation;
const router = FIRST_REQUESTS["alerts/router (the function)"] as FunctionInvocation;
const endpoint = await startLocalEndpoint();

beforeAll(async () => {
  await build("reference", { source: SLACK_REFERENCE });
  await build("complete", complete);
  await build("router", router);
  await build("autoscaling", FIRST_REQUESTS["Auto Scaling client + 1 command"]!);
  await build("dynamodb", FIRST_REQUESTS["DynamoDB client + 1 command"]!);
  await build("chain", FIRST_REQUESTS["middy + Powertools Logger + Metrics"]!);
}, 120_000);
afterAll(async () => {
  await endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Benchmark: cold import plus the first request", () => {
  it("measures the reference's Slack call through to the answer of the local endpoint", async () => {
    const sample = await firstRequestSample(built.reference!.entryFile, endpoint.url);

    expect(sample.response).toMatchObject({ ok: true, user_id: "U0BENCH" });
    expect(endpoint.requests).toContain("POST /api/auth.test");
    expect(sample.firstRequestCpuMs).toBeGreaterThan(sample.importCpuMs);
  });

  it("measures each SDK client's first signed call through to a parsed successful response", async () => {
    const autoscaling = await firstRequestSample(built.autoscaling!.entryFile, endpoint.url);
    const dynamodb = await firstRequestSample(built.dynamodb!.entryFile, endpoint.url);

    expect(autoscaling.response).toMatchObject({ $metadata: { httpStatusCode: 200, requestId: "bench" } });
    expect(dynamodb.response).toMatchObject({
      $metadata: { httpStatusCode: 200, requestId: "bench" },
      Item: { pk: { S: "drill#1" } },
    });
    expect(autoscaling.firstRequestCpuMs).toBeGreaterThan(autoscaling.importCpuMs);
  });

  it("invokes a clawops function as deployed once, its SDK client sent to the local endpoint", async () => {
    const before = endpoint.requests.length;

    const sample = await firstRequestSample(built.complete!.entryFile, endpoint.url, complete);

    expect(sample.response).toEqual({ completed: true, result: "CONTINUE" });
    expect(endpoint.requests.slice(before)).toEqual(["POST /"]);
    expect(sample.firstRequestCpuMs).toBeGreaterThan(sample.importCpuMs);
  });

  it("invokes the alert router once: secret, dedup claim, Slack post and record, all answered", async () => {
    const before = endpoint.requests.length;

    const sample = await firstRequestSample(built.router!.entryFile, endpoint.url, router);

    expect(sample.response).toMatchObject({ status: "posted", channel: "ops-alerts" });
    expect(endpoint.requests.slice(before)).toEqual([
      "POST / secretsmanager.GetSecretValue",
      "POST / DynamoDB_20120810.PutItem",
      "POST /api/chat.postMessage",
      "POST / DynamoDB_20120810.PutItem",
    ]);
  });

  it("measures the handler chain's first invocation, which answers without a request", async () => {
    const before = endpoint.requests.length;

    const chain = await firstRequestSample(built.chain!.entryFile, endpoint.url);

    expect(chain.response).toEqual({ ok: true });
    expect(endpoint.requests).toHaveLength(before);
  });

  it("fails, instead of measuring it, a first request the service refuses", async () => {
    // A DynamoDB error the SDK does not retry: the sample must not time a failed call as a cold start.
    const refusing = createServer((request, response) => {
      request.resume();
      response
        .writeHead(400, { "content-type": "application/x-amz-json-1.0" })
        .end('{"__type":"com.amazon.coral.validate#ValidationException","message":"no such table"}');
    }).listen(0, "127.0.0.1");
    await once(refusing, "listening");
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    try {
      await expect(firstRequestSample(built.dynamodb!.entryFile, url)).rejects.toThrow(/no such table/);
    } finally {
      refusing.close();
    }
  });
});

describe("Function: firstRequestSection", () => {
  it("lists the reference first, then each part with its import and first-request ratios", () => {
    const section = firstRequestSection({
      runs: 15,
      reference: { importCpuMs: 25, firstRequestCpuMs: 140 },
      parts: [
        {
          name: "Auto Scaling client + 1 command",
          importCpuMs: 50,
          importRatio: 2,
          firstRequestCpuMs: 105,
          firstRequestRatio: 0.75,
        },
      ],
    });

    expect(section).toContain("| `@slack/web-api` (the reference) | 25 | 1x | 140 | 1x |");
    expect(section).toContain("| Auto Scaling client + 1 command | 50 | 2x | 105 | 0.75x |");
    expect(section).toContain("15 rounds");
  });
});
