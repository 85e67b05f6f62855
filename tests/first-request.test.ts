import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPart,
  checkFirstRequest,
  firstRequestSample,
  runFirstRequestBench,
} from "../bench/first-request.js";
import { type LocalEndpoint, startLocalEndpoint } from "../bench/first-request-endpoint.js";
import {
  FIRST_REQUESTS,
  type FirstRequestPart,
  type FunctionInvocation,
  SLACK_REFERENCE,
} from "../bench/first-request-parts.js";
import { firstRequestSection } from "../bench/report.js";
import type { BuiltFunction } from "../scripts/bundling.js";

const PARTS = {
  reference: SLACK_REFERENCE,
  autoscaling: FIRST_REQUESTS["Auto Scaling client + 1 command"]!,
  dynamodb: FIRST_REQUESTS["DynamoDB client + 1 command"]!,
  chain: FIRST_REQUESTS["middy + Powertools middlewares + a handler (no request)"]!,
  complete: FIRST_REQUESTS["lifecycle/complete (the function)"]!,
  publish: FIRST_REQUESTS["lifecycle/publish (the function)"]!,
  start: FIRST_REQUESTS["drills/start (the function)"]!,
  router: FIRST_REQUESTS["alerts/router (the function)"]!,
} satisfies Record<string, FirstRequestPart>;

let dir: string;
let endpoint: LocalEndpoint;
const built = {} as Record<keyof typeof PARTS, BuiltFunction>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawops-first-request-test-"));
  endpoint = await startLocalEndpoint();
  for (const [name, part] of Object.entries(PARTS))
    built[name as keyof typeof PARTS] = await buildPart(part, name, dir);
}, 180_000);
afterAll(async () => {
  await endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

/** One sample of a part, and the calls the endpoint served for it. */
async function sampleOf(name: keyof typeof PARTS, url = endpoint.url) {
  const part = PARTS[name];
  const before = endpoint.served.length;
  const sample = await firstRequestSample(
    built[name].entryFile,
    url,
    "entry" in part ? (part as FunctionInvocation) : undefined,
  );
  return { sample, served: endpoint.served.slice(before), succeeded: part.succeeded(sample.response) };
}

describe("Benchmark: cold import plus the first request", () => {
  it("finds the reference's HTTP stack (fetch) loaded by its first request, not by its import", async () => {
    const { sample, served, succeeded } = await sampleOf("reference");

    expect(succeeded).toBe(true);
    expect(served.map((s) => s.call)).toEqual(["POST /api/auth.test"]);
    expect(sample.stacks).toEqual({ afterImport: [], afterFirstRequest: ["fetch"] });
  });

  it("finds an SDK client's HTTP stack (https) loaded by its import, and its first call signed and parsed", async () => {
    const autoscaling = await sampleOf("autoscaling");
    const dynamodb = await sampleOf("dynamodb");

    expect(autoscaling.sample.stacks.afterImport).toEqual(["https"]);
    expect(autoscaling.sample.stacks.afterFirstRequest).toEqual(["https"]);
    expect(autoscaling.succeeded).toBe(true);
    expect(autoscaling.sample.response).toMatchObject({ $metadata: { requestId: "bench" } });
    expect(dynamodb.succeeded).toBe(true);
    expect([...autoscaling.served, ...dynamodb.served]).toEqual([
      { call: "POST /", signed: true },
      { call: "POST / DynamoDB_20120810.GetItem", signed: true },
    ]);
  });

  it.each([
    ["lifecycle/complete", "complete", ["POST /"], { completed: true, result: "CONTINUE" }],
    ["lifecycle/publish", "publish", ["POST / AWSEvents.PutEvents"], { published: "LifecycleAbandoned" }],
    [
      "drills/start",
      "start",
      ["PUT /restore-jobs"],
      { restore: { restoreJobId: "RJ-bench", status: "PENDING" } },
    ],
  ] as const)(
    "invokes %s as deployed once, its SDK client sent to the endpoint",
    async (_, name, calls, answer) => {
      const { sample, served, succeeded } = await sampleOf(name);

      expect(sample.response).toMatchObject(answer);
      expect(succeeded).toBe(true);
      expect(served.map((s) => s.call)).toEqual(calls);
      expect(served.every((s) => s.signed)).toBe(true);
    },
  );

  it("invokes the alert router once: secret, dedup claim, Slack post, its note on the claim and the record, all answered", async () => {
    const { sample, served, succeeded } = await sampleOf("router");

    expect(sample.response).toMatchObject({ status: "posted", channel: "ops-alerts" });
    expect(succeeded).toBe(true);
    expect(served.map((s) => s.call)).toEqual([
      "POST / secretsmanager.GetSecretValue",
      "POST / DynamoDB_20120810.UpdateItem",
      "POST /api/chat.postMessage",
      "POST / DynamoDB_20120810.UpdateItem",
      "POST / DynamoDB_20120810.PutItem",
    ]);
    expect(sample.stacks.afterFirstRequest).toEqual(["fetch", "https"]);
  });

  it("measures the handler chain's first invocation, which answers without a request", async () => {
    const { sample, served, succeeded } = await sampleOf("chain");

    expect(succeeded).toBe(true);
    expect(served).toEqual([]);
    expect(sample.stacks.afterFirstRequest).toEqual([]);
  });

  it.each([
    ["a handler's answer after tolerating a failure", { status: "dead-lettered" }, [], /did not succeed/],
    [
      "a call the endpoint had no answer for",
      { status: "posted" },
      ["POST / Sqs.SendMessage"],
      /no answer for/,
    ],
  ] as const)("refuses to measure a first request with %s", (_, response, unanswered, error) => {
    const sample = {
      importCpuMs: 90,
      firstRequestCpuMs: 200,
      stacks: { afterImport: [], afterFirstRequest: [] },
    };

    expect(() =>
      checkFirstRequest("alerts/router", PARTS.router, { ...sample, response }, unanswered),
    ).toThrow(error);
    expect(() =>
      checkFirstRequest("alerts/router", PARTS.router, { ...sample, response: { status: "posted" } }, []),
    ).not.toThrow();
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
      await expect(firstRequestSample(built.dynamodb.entryFile, url)).rejects.toThrow(/no such table/);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it("records a call it has no answer for, and answers it 404", async () => {
    const response = await fetch(`${endpoint.url}/unknown`, { method: "POST", body: "Action=Nothing" });

    expect(response.status).toBe(404);
    expect(endpoint.unanswered).toEqual(["POST /unknown"]);
    endpoint.unanswered.length = 0;
  });

  it("refuses a round count that would measure nothing", async () => {
    await expect(runFirstRequestBench({ runs: 0 })).rejects.toThrow(/runs must be a whole number ≥ 1, got 0/);
    await expect(runFirstRequestBench({ runs: Number.NaN })).rejects.toThrow(/got NaN/);
  });
});

describe("Function: firstRequestSection", () => {
  it("lists the reference first, then each part with its import and first-request ratios", () => {
    const section = firstRequestSection({
      status: "ok",
      seconds: 30,
      result: {
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
      },
    });

    expect(section).toContain("| `@slack/web-api` (the reference) | 25 | 1x | 140 | 1x |");
    expect(section).toContain("| Auto Scaling client + 1 command | 50 | 2x | 105 | 0.75x |");
    expect(section).toContain("ran in 30 s");
    expect(section).toContain("15 rounds");
  });
});
