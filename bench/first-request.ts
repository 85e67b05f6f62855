/**
 * Cold import plus the first request, for the reference and the floors of bench/bundles.ts: what a cold start
 * costs once the handler has made its first call, not only once its module is loaded.
 *
 * Why: the reference (`@slack/web-api` 8) sends with Node's global `fetch`, and Node loads `fetch`'s HTTP stack
 * (undici) on first use. An SDK v3 client loads its own (`node:https`, `node:crypto`) when the module is
 * imported. So the import-only ratio counts an SDK client's HTTP stack and not the reference's. Each sample
 * here is one fresh Node process: it imports a bundle, sends one request to a local endpoint (a Slack
 * `auth.test`; a signed AWS call, credentials from the environment as on Lambda), and reports the CPU time
 * after the import and after the response. A request that fails fails the benchmark: a failed call can take
 * another path through the client than a real one.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type BuiltFunction, buildFunction } from "../scripts/bundling.js";

const run = promisify(execFile);

/** Every bundle here exports `first(endpoint)`: one request to the local endpoint, the response's payload back. */
export const SLACK_REFERENCE = `import { WebClient } from "@slack/web-api";
export async function first(endpoint: string) {
  return new WebClient("xoxb-bench", { slackApiUrl: endpoint + "/api/" }).auth.test();
}
`;

/**
 * A part: library code alone, whose bundle exports `first(endpoint)`, or a clawops function (`entry`) invoked
 * once with `event`; its SDK clients reach the local endpoint through `AWS_ENDPOINT_URL`, which the SDK reads.
 */
export type FirstRequestPart = { readonly source: string } | FunctionInvocation;

/** A clawops function invoked once: its entry, the event, and the `CLAWOPS_*` variables its stack sets. */
export interface FunctionInvocation {
  readonly entry: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** @default none */
  readonly env?: (endpoint: string) => Readonly<Record<string, string>>;
}

const LAUNCH_ACTION = {
  asgName: "fleet",
  hookName: "launch-gate",
  instanceId: "i-0123456789abcdef0",
  token: "bench-token",
  transition: "launch",
};

/** What lifecycle/publish sends when a launch gate gives up: the alert router's first event here. */
const LIFECYCLE_ABANDONED = {
  version: "0",
  id: "bench-0001-4e5f-8a9b-0c1d2e3f4a5b",
  "detail-type": "LifecycleAbandoned",
  source: "clawops",
  account: "123456789012",
  time: "2026-11-29T11:10:00Z",
  region: "us-east-1",
  resources: [],
  detail: {
    asgName: "fleet",
    instanceId: LAUNCH_ACTION.instanceId,
    hookName: LAUNCH_ACTION.hookName,
    reason: "gateway never answered healthy 3 times in a row before the deadline",
  },
};

/**
 * The parts bench/bundles.ts measures as floors, each with the first thing a handler does with it (the
 * handler chain makes no request: its first call is one invocation that logs a line and flushes a metric), and
 * three whole functions, invoked once with an event they get in production: two of the lightest, and the alert
 * router, the heaviest, which sends with both stacks (the SDK's and, to Slack, `fetch`).
 */
export const FIRST_REQUESTS: Readonly<Record<string, FirstRequestPart>> = {
  "Auto Scaling client + 1 command": {
    source: `import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
export async function first(endpoint: string) {
  return new AutoScalingClient({ endpoint }).send(new CompleteLifecycleActionCommand({
    AutoScalingGroupName: "fleet", LifecycleHookName: "launch-gate", LifecycleActionResult: "CONTINUE", InstanceId: "i-0123456789abcdef0",
  }));
}
`,
  },
  "DynamoDB client + 1 command": {
    source: `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
export async function first(endpoint: string) {
  return new DynamoDBClient({ endpoint }).send(new GetItemCommand({ TableName: "drills", Key: { pk: { S: "drill#1" } } }));
}
`,
  },
  "middy + Powertools Logger + Metrics": {
    source: `import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
const logger = new Logger({ serviceName: "bench" });
const metrics = new Metrics({ namespace: "clawops", serviceName: "bench" });
const handler = middy(async (event: { n: number }) => {
  logger.info("first invocation", { n: event.n });
  metrics.addMetric("Invocations", MetricUnit.Count, 1);
  return { ok: true };
}).use(injectLambdaContext(logger)).use(logMetrics(metrics));
export async function first() {
  return handler({ n: 1 }, { functionName: "bench", awsRequestId: "r-1", getRemainingTimeInMillis: () => 3000 } as never);
}
`,
  },
  "lifecycle/complete (the function)": {
    entry: "functions/lifecycle/complete.ts",
    event: { action: LAUNCH_ACTION, result: "CONTINUE" },
  },
  "alerts/router (the function)": {
    entry: "functions/alerts/router.ts",
    event: LIFECYCLE_ABANDONED,
    env: (endpoint) => ({
      CLAWOPS_STATE_TABLE: "clawops-bench-state",
      CLAWOPS_SETTINGS: JSON.stringify({
        stage: "bench",
        slackSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawops-alerts-slack-AbCdEf",
        slack: {
          defaultChannel: "ops-alerts",
          routes: [],
          insufficientData: "ignore",
          apiUrl: `${endpoint}/api/`,
          channels: {},
          metricGraphs: false,
        },
        alerts: {
          stormWindowSeconds: 60,
          stormThreshold: 5,
          alarmSeverities: {},
          defaultSeverity: "warning",
          stateTtlDays: 7,
        },
      }),
    }),
  },
  "lifecycle/publish (the function)": {
    entry: "functions/lifecycle/publish.ts",
    event: { action: LAUNCH_ACTION, gate: { startedAt: 1_764_400_000_000, reason: "gateway never healthy" } },
  },
};

/** Answers what each bundle sends, as the service would for a successful call. */
function respond(request: IncomingMessage, body: string): { type: string; body: string } {
  const target = String(request.headers["x-amz-target"] ?? "");
  if (request.url?.startsWith("/api/"))
    return {
      type: "application/json",
      body: '{"ok":true,"url":"https://bench.slack.com/","user_id":"U0BENCH","channel":"C0BENCH","ts":"1764400000.000100"}',
    };
  if (target === "DynamoDB_20120810.GetItem" && body.includes('"drill#1"'))
    return { type: "application/x-amz-json-1.0", body: '{"Item":{"pk":{"S":"drill#1"}}}' };
  if (target.startsWith("DynamoDB_20120810.")) return { type: "application/x-amz-json-1.0", body: "{}" };
  if (target === "secretsmanager.GetSecretValue")
    return {
      type: "application/x-amz-json-1.1",
      body: JSON.stringify({ Name: "bench", SecretString: JSON.stringify({ botToken: "xoxb-bench" }) }),
    };
  if (target === "AWSEvents.PutEvents")
    return {
      type: "application/x-amz-json-1.1",
      body: '{"FailedEntryCount":0,"Entries":[{"EventId":"bench-event"}]}',
    };
  if (String(request.headers.authorization ?? "").includes("/autoscaling/aws4_request"))
    return {
      type: "text/xml",
      body:
        '<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">' +
        "<CompleteLifecycleActionResult/><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>" +
        "</CompleteLifecycleActionResponse>",
    };
  return { type: "text/plain", body: `no answer for ${request.method} ${request.url}` };
}

/** A local HTTP endpoint for the first requests; `requests` lists what it served (method, path). */
export async function startLocalEndpoint(): Promise<{
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let sent = "";
    request.setEncoding("utf8").on("data", (chunk: string) => {
      sent += chunk;
    });
    request.on("end", () => {
      const { type, body } = respond(request, sent);
      const target = request.headers["x-amz-target"];
      requests.push(`${request.method} ${request.url}${target ? ` ${target}` : ""}`);
      if (process.env.FIRST_REQUEST_TRACE)
        console.error(requests.at(-1), sent.slice(0, 300), "->", body.slice(0, 100));
      response
        .writeHead(type === "text/plain" ? 404 : 200, { "content-type": type, "x-amzn-requestid": "bench" })
        .end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One cold start in a fresh Node process: CPU ms after the import, after the first response, and the response. */
export interface FirstRequestSample {
  readonly importCpuMs: number;
  readonly firstRequestCpuMs: number;
  readonly response: unknown;
}

/**
 * Imports `file` in a fresh Node process, then makes its first request to `endpoint`: `first(endpoint)`, or
 * one invocation of its `handler` with `event`. Rejects if the call failed.
 */
export async function firstRequestSample(
  file: string,
  endpoint: string,
  invocation?: Omit<FunctionInvocation, "entry">,
): Promise<FirstRequestSample> {
  const call = invocation
    ? `bundle.handler(${JSON.stringify(invocation.event)}, { functionName: "bench", awsRequestId: "bench-request", getRemainingTimeInMillis: () => 30000 })`
    : `bundle.first(${JSON.stringify(endpoint)})`;
  const script = `const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const start = cpu();
const bundle = await import(${JSON.stringify(pathToFileURL(file).href)});
const imported = cpu();
const response = await ${call};
const answered = cpu();
process.stderr.write(JSON.stringify({ importCpuMs: imported - start, firstRequestCpuMs: answered - start, response }) + "\\n", () => process.exit(0));`;
  const { stderr } = await run(process.execPath, ["--input-type=module", "-e", script], {
    // A cold start that has not answered in a minute is stuck (a retry loop on an answer the endpoint lacks).
    timeout: 60_000,
    env: {
      ...process.env,
      AWS_REGION: "us-east-1",
      // As on Lambda: the function role's credentials in the environment, read by the default chain.
      AWS_ACCESS_KEY_ID: "AKIDBENCHFIRSTREQUEST",
      AWS_SECRET_ACCESS_KEY: "bench-secret",
      AWS_SESSION_TOKEN: "bench-session",
      AWS_ENDPOINT_URL: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_DEV: "",
      ...invocation?.env?.(endpoint),
    },
  });
  // Powertools writes its log lines and metrics to stdout; the figures go to stderr, on their own last line.
  // The process exits once they are written: a timer some clients leave (the router's secret cache) would
  // keep it alive, where Lambda would freeze it.
  return JSON.parse(stderr.trim().split("\n").pop() ?? "") as FirstRequestSample;
}

/** One part's import and import + first request, by the median, with the ratio of each to the reference's. */
export interface FirstRequestFigure {
  readonly name: string;
  readonly importCpuMs: number;
  readonly importRatio: number;
  readonly firstRequestCpuMs: number;
  readonly firstRequestRatio: number;
}

export interface FirstRequestBench {
  readonly runs: number;
  readonly reference: { readonly importCpuMs: number; readonly firstRequestCpuMs: number };
  readonly parts: FirstRequestFigure[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tenths = (x: number): number => Math.round(x * 10) / 10;
const hundredths = (x: number): number => Math.round(x * 100) / 100;

/**
 * Builds the reference and each part of FIRST_REQUESTS as bench/bundles.ts builds a function, then measures
 * `runs` rounds, each part right after the reference (so a drift in the machine's speed hits both); the ratios
 * are medians of those pairs' ratios.
 */
export async function runFirstRequestBench(options: { runs?: number } = {}): Promise<FirstRequestBench> {
  const runs = options.runs ?? 7;
  const dir = await mkdtemp(join(tmpdir(), "clawops-bench-first-request-"));
  const endpoint = await startLocalEndpoint();
  try {
    const build = async (name: string, part: FirstRequestPart): Promise<BuiltFunction> => {
      if ("entry" in part) return buildFunction(join(process.cwd(), part.entry), join(dir, name));
      const file = join(dir, `${name}.ts`);
      await writeFile(file, part.source);
      return buildFunction(file, join(dir, name));
    };
    const reference = await build("reference", { source: SLACK_REFERENCE });
    const parts = await Promise.all(
      Object.entries(FIRST_REQUESTS).map(async ([name, part], i) => ({
        name,
        invocation: "entry" in part ? part : undefined,
        fn: await build(`part-${i}`, part),
        samples: [] as { sample: FirstRequestSample; pair: FirstRequestSample }[],
      })),
    );
    const referenceSamples: FirstRequestSample[] = [];
    for (let round = 0; round < runs; round++) {
      for (const part of parts) {
        const pair = await firstRequestSample(reference.entryFile, endpoint.url);
        referenceSamples.push(pair);
        const sample = await firstRequestSample(part.fn.entryFile, endpoint.url, part.invocation);
        part.samples.push({ sample, pair });
      }
    }
    return {
      runs,
      reference: {
        importCpuMs: tenths(median(referenceSamples.map((s) => s.importCpuMs))),
        firstRequestCpuMs: tenths(median(referenceSamples.map((s) => s.firstRequestCpuMs))),
      },
      parts: parts.map(({ name, samples }) => ({
        name,
        importCpuMs: tenths(median(samples.map((s) => s.sample.importCpuMs))),
        importRatio: hundredths(median(samples.map((s) => s.sample.importCpuMs / s.pair.importCpuMs))),
        firstRequestCpuMs: tenths(median(samples.map((s) => s.sample.firstRequestCpuMs))),
        firstRequestRatio: hundredths(
          median(samples.map((s) => s.sample.firstRequestCpuMs / s.pair.firstRequestCpuMs)),
        ),
      })),
    };
  } finally {
    await endpoint.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runFirstRequestBench({ runs: Number(process.env.RUNS ?? 7) });
  console.log(
    `reference @slack/web-api: import ${result.reference.importCpuMs} ms CPU, with its first request ${result.reference.firstRequestCpuMs} ms CPU`,
  );
  for (const p of result.parts)
    console.log(
      `${p.name.padEnd(40)} import ${p.importCpuMs} ms CPU ${p.importRatio}x, with its first request ${p.firstRequestCpuMs} ms CPU ${p.firstRequestRatio}x`,
    );
}
