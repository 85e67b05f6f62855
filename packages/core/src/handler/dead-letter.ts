import { client } from "../aws/clients.js";
import type { ClawopsEnvironment } from "../environment.js";

/**
 * What lands in the dead-letter queue: enough to understand the failure and to replay it.
 * @example { "reason": "PermanentError: detail.EC2InstanceId: expected string", "functionName": "clawops-prod-launchGateStarter", ... }
 */
export interface DeadLetterRecord {
  /** `<ErrorName>: <message>` of the failure that sent it here. */
  readonly reason: string;
  readonly errorName: string;
  /** The function (or flow) that gave up on it. */
  readonly functionName: string;
  /** ISO time it was dead-lettered. */
  readonly failedAt: string;
  /** The original input, exactly as received, so it can be replayed. */
  readonly event: unknown;
  /** Flow-specific extras (for alerts: the rendered Slack message and channel). */
  readonly extra?: Record<string, unknown>;
}

/** The record of an input `functionName` gives up on because of `error`. */
export function deadLetterRecordOf(error: Error, functionName: string, event: unknown): DeadLetterRecord {
  return {
    reason: `${error.name}: ${error.message}`,
    errorName: error.name,
    functionName,
    failedAt: new Date().toISOString(),
    event,
  };
}

/** Sends a record to the dead-letter queue. The SQS client is loaded on first use: most invocations never need it. */
export async function sendToDeadLetterQueue(
  record: DeadLetterRecord,
  env: ClawopsEnvironment,
): Promise<void> {
  if (!env.deadLetterQueueUrl) {
    throw new Error(`no dead-letter queue configured (CLAWOPS_DLQ_URL) for: ${record.reason}`);
  }
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await client(SQSClient).send(
    new SendMessageCommand({
      QueueUrl: env.deadLetterQueueUrl,
      MessageBody: JSON.stringify(record),
      MessageAttributes: {
        reason: { DataType: "String", StringValue: record.reason.slice(0, 256) },
        functionName: { DataType: "String", StringValue: record.functionName },
      },
    }),
  );
}
