/**
 * The records a readiness run writes to the state table, measured by running the real run handler (and so its
 * store code, functions/readiness/store.ts) once on the readiness benchmark's fake account: the run record holds
 * the whole report (~17.5 KB: 18 write units a PutItem, 1 per KB) and is kept until its TTL; the `latest` record
 * holds every check's status (~3.5 KB: 4 write units). "Amazon DynamoDB Pricing", on-demand.
 */
import { type AttributeValue, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { setMetricsSink } from "@clawops/core";
import type { Context } from "aws-lambda";
import { dynamoItemBytes } from "./cost-monitor-state.js";

/** Readiness's two records a run, as its store code writes them. */
export interface ReadinessRecords {
  /** Bytes of the run record (`sk=run#<at>#<runId>`: the whole report). */
  readonly runBytes: number;
  /** Bytes of the `latest` record (the run's statuses and the known ones). */
  readonly latestBytes: number;
  /** Days the run record is kept (its `expiresAt` after the run). */
  readonly runRetentionDays: number;
}

const CONTEXT = {
  functionName: "cost",
  awsRequestId: "cost",
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

/** The items of the PutItems one scheduled readiness run sends, on the benchmark's fake account. */
export async function readinessPutItems(instances = 10): Promise<Record<string, AttributeValue>[]> {
  const { installFakeAws } = await import("../functions/readiness/tests/fake-aws.js");
  const { NOW, settings } = await import("../packages/core/tests/readiness/fixtures.js");
  process.env.CLAWOPS_SETTINGS = JSON.stringify(settings());
  process.env.CLAWOPS_STATE_TABLE = "clawops-bench-state";
  process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-bench-dlq";
  const quiet = () => {};
  const restoreSink = setMetricsSink({ log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet });
  const { createRunHandler } = await import("../functions/readiness/run.js");
  installFakeAws({ instances });
  const items: Record<string, AttributeValue>[] = [];
  // The fake answers through aws-sdk-client-mock's stub of `send`; this wrapper only records what is put.
  const send = DynamoDBClient.prototype.send;
  DynamoDBClient.prototype.send = function (this: DynamoDBClient, command: unknown, ...rest: unknown[]) {
    if (command instanceof PutItemCommand && command.input.Item) items.push(command.input.Item);
    return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof send;
  try {
    await createRunHandler({ sleep: async () => {}, now: () => NOW })(
      { source: "aws.events", "detail-type": "Scheduled Event", detail: {} },
      CONTEXT,
    );
  } finally {
    DynamoDBClient.prototype.send = send;
    restoreSink();
  }
  return items;
}

/** Readiness's records, sized as DynamoDB sizes them, from one run of the real handler. */
export async function measureReadinessRecords(instances = 10): Promise<ReadinessRecords> {
  const items = await readinessPutItems(instances);
  const run = items.find((i) => i.sk?.S?.startsWith("run#"));
  const latest = items.find((i) => i.sk?.S === "latest");
  if (!run || !latest) throw new Error("a readiness run stored no run record or no latest record");
  const at = Date.parse(run.sk?.S?.split("#")[1] ?? "");
  return {
    runBytes: dynamoItemBytes(run),
    latestBytes: dynamoItemBytes(latest),
    runRetentionDays: Math.round((Number(run.expiresAt?.N) - at / 1000) / 86_400),
  };
}
