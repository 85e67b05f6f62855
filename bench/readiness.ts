/**
 * Readiness benchmark: AWS calls of one readiness run for fleets of 10, 100 and 1,000 instances (they must grow
 * with pages and SSM batches, not instances), and the wall time of a run at 1,000 instances with 100 ms of
 * simulated latency per AWS call (the fixed wait for the bounded probe script excluded). AWS is answered by the
 * handler tests' aws-sdk-client-mock fake of a fleet that meets the checklist.
 */
import { setMetricsSink } from "@clawops/core";
import type { Context } from "aws-lambda";
import { apiCalls, installFakeAws } from "../functions/readiness/tests/fake-aws.js";
import { NOW, settings } from "../packages/core/tests/readiness/fixtures.js";

/** What `npm run bench` reports for the readiness flow. */
export interface ReadinessBenchResult {
  /** AWS calls of one run, by fleet size. */
  readonly calls: { readonly "10": number; readonly "100": number; readonly "1000": number };
  /** Wall seconds of one run at 1,000 instances, 100 ms per call (target ≤ 10 s). */
  readonly wallSeconds1000: number;
}

const CONTEXT = {
  functionName: "bench",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;
const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

export async function runReadinessBench(): Promise<ReadinessBenchResult> {
  process.env.CLAWOPS_SETTINGS = JSON.stringify(settings());
  process.env.CLAWOPS_STATE_TABLE = "clawops-bench-state";
  process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-bench-dlq";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  const quiet = () => {};
  const restoreSink = setMetricsSink({ log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet });
  const { createRunHandler } = await import("../functions/readiness/run.js");
  const run = createRunHandler({ sleep: async () => {}, now: () => NOW });
  const callsFor = async (instances: number, latencyMs = 0) => {
    installFakeAws({ instances }, { latencyMs });
    const started = performance.now();
    await run(SCHEDULED, CONTEXT);
    return { calls: apiCalls().length, seconds: (performance.now() - started) / 1000 };
  };
  const ten = await callsFor(10);
  const hundred = await callsFor(100);
  const thousand = await callsFor(1000);
  const timed = await callsFor(1000, 100);
  restoreSink();
  return {
    calls: { "10": ten.calls, "100": hundred.calls, "1000": thousand.calls },
    wallSeconds1000: Math.round(timed.seconds * 100) / 100,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runReadinessBench().then((result) => console.log(JSON.stringify(result, null, 2)));
}
