/**
 * The local endpoint bench/first-request.ts sends every first request to: it answers each call the measured
 * bundles make as the service would answer a successful one, and records what it served. A call it has no
 * answer for gets a 404 and is counted in `unanswered`, so the benchmark can refuse a run in which a handler
 * tolerated a failed call. `FIRST_REQUEST_TRACE=1` prints each request and its answer to stderr.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

interface Answer {
  readonly type: string;
  readonly body: string;
}

const JSON_1_0 = "application/x-amz-json-1.0";
const JSON_1_1 = "application/x-amz-json-1.1";

/** The answer to one request, or undefined when the endpoint has none. */
function answer(request: IncomingMessage, body: string): Answer | undefined {
  const target = String(request.headers["x-amz-target"] ?? "");
  if (request.url?.startsWith("/api/"))
    return {
      type: "application/json",
      body: '{"ok":true,"url":"https://bench.slack.com/","user_id":"U0BENCH","channel":"C0BENCH","ts":"1764400000.000100"}',
    };
  if (target === "DynamoDB_20120810.GetItem" && body.includes('"drill#1"'))
    return { type: JSON_1_0, body: '{"Item":{"pk":{"S":"drill#1"}}}' };
  if (target === "DynamoDB_20120810.PutItem") return { type: JSON_1_0, body: "{}" };
  // The router's dedup claim (a first claim: no earlier item) and its note of the post Slack accepted.
  if (target === "DynamoDB_20120810.UpdateItem") return { type: JSON_1_0, body: "{}" };
  if (target === "secretsmanager.GetSecretValue")
    return {
      type: JSON_1_1,
      body: JSON.stringify({ Name: "bench", SecretString: JSON.stringify({ botToken: "xoxb-bench" }) }),
    };
  if (target === "AWSEvents.PutEvents")
    return { type: JSON_1_1, body: '{"FailedEntryCount":0,"Entries":[{"EventId":"bench-event"}]}' };
  if (request.method === "PUT" && request.url === "/restore-jobs")
    return { type: "application/json", body: '{"RestoreJobId":"RJ-bench"}' };
  if (new URLSearchParams(body).get("Action") === "CompleteLifecycleAction")
    return {
      type: "text/xml",
      body:
        '<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">' +
        "<CompleteLifecycleActionResult/><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>" +
        "</CompleteLifecycleActionResponse>",
    };
  return undefined;
}

/** One request the endpoint served: `POST /path`, then the `X-Amz-Target` if any; whether it was signed. */
export interface ServedRequest {
  readonly call: string;
  readonly signed: boolean;
}

export interface LocalEndpoint {
  readonly url: string;
  readonly served: ServedRequest[];
  /** The calls it had no answer for (each got a 404). */
  readonly unanswered: string[];
  close(): Promise<void>;
}

/** Starts the endpoint on a free port of 127.0.0.1. */
export async function startLocalEndpoint(): Promise<LocalEndpoint> {
  const served: ServedRequest[] = [];
  const unanswered: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const target = request.headers["x-amz-target"];
      const call = `${request.method} ${request.url}${target ? ` ${target}` : ""}`;
      const signed = String(request.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ");
      const found = answer(request, body);
      served.push({ call, signed });
      if (!found) unanswered.push(call);
      if (process.env.FIRST_REQUEST_TRACE)
        console.error(call, body.slice(0, 300), "->", found?.body.slice(0, 100) ?? "404");
      response
        .writeHead(found ? 200 : 404, {
          "content-type": found?.type ?? "text/plain",
          "x-amzn-requestid": "bench",
        })
        .end(found?.body ?? `no answer for ${call}`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    unanswered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
