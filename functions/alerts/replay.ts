import { randomUUID } from "node:crypto";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  type AlertRouterSettings,
  isAlarmEvent,
  parseAlertEvent,
  renderAlarmMessage,
  renderClawopsMessage,
  routeAlert,
  toAlert,
} from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { AlarmStateChangeEvent } from "@clawops/core/events";
import type { DeadLetterRecord } from "@clawops/core/handler";
import type { SlackMessage } from "@clawops/core/slack";
import { systemClock } from "./router-deps.js";
import { postMessage, type SlackDeliveryContext, slackClient } from "./slack.js";

/** What `replayDeadLetters` did. */
export interface ReplayReport {
  readonly replayed: number;
  /** Records left in the queue because Slack still refused them. */
  readonly failed: readonly { readonly reason: string; readonly channel: string }[];
  /** Records that are not alerts (other flows' failures): left in the queue for their own tooling. */
  readonly skipped: number;
}

/** What replay needs: the DLQ, the router's settings and the Slack token (read by the CLI from the secret). */
export interface ReplayOptions {
  readonly queueUrl: string;
  readonly settings: AlertRouterSettings;
  readonly token: string;
  /** @default 100 */
  readonly limit?: number;
}

/** The message and channel to re-send for a dead-lettered record, or undefined when it is not an alert. */
export function replayable(record: DeadLetterRecord, settings: AlertRouterSettings) {
  const extra = record.extra as { kind?: string; channel?: string; message?: SlackMessage } | undefined;
  if (extra?.kind === "alert" && extra.channel && extra.message)
    return { channel: extra.channel, message: extra.message };
  let event: ReturnType<typeof parseAlertEvent>;
  try {
    event = parseAlertEvent(record.event);
  } catch {
    return undefined; // Not an alert event (another flow's failure): not ours to replay.
  }
  const decision = routeAlert(toAlert(event), settings);
  if (decision.action === "skip") return undefined;
  const message = isAlarmEvent(event)
    ? renderAlarmMessage(event, { route: decision })
    : renderClawopsMessage(event, { route: decision });
  return { channel: decision.channel, message };
}

/**
 * `clawops alerts replay`: receives the dead-letter queue, re-sends every alert record (its rendered
 * message to its channel, or the event rendered again when the router failed before rendering), and
 * deletes each record once Slack took it. What still fails stays in the queue, with its reason reported.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const sqs = client(SQSClient);
  const slack: SlackDeliveryContext = {
    client: slackClient(options.token, options.settings.slack.apiUrl),
    clock: systemClock,
    remainingMs: () => 60_000,
  };
  const limit = options.limit ?? 100;
  let replayed = 0;
  let skipped = 0;
  const failed: { reason: string; channel: string }[] = [];
  for (let seen = 0; seen < limit; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) break;
    for (const sqsMessage of Messages) {
      seen += 1;
      const target = replayable(JSON.parse(sqsMessage.Body ?? "{}") as DeadLetterRecord, options.settings);
      if (!target) {
        skipped += 1;
        continue;
      }
      try {
        await postMessage(slack, target.channel, target.message);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: sqsMessage.ReceiptHandle }),
        );
        replayed += 1;
      } catch (error) {
        failed.push({ reason: (error as Error).message, channel: target.channel });
      }
    }
  }
  return { replayed, failed, skipped };
}

/** A CloudWatch alarm state change for clawops' test alarm (`clawops-<stage>-test-alert`), ALARM or OK. */
export function testAlarmEvent(
  stage: string,
  where: { region: string; account: string },
  state: "ALARM" | "OK" = "ALARM",
  now = Date.now(),
): AlarmStateChangeEvent {
  const alarmName = `clawops-${stage}-test-alert`;
  const at = new Date(now).toISOString();
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: where.account,
    time: at,
    region: where.region,
    resources: [`arn:aws:cloudwatch:${where.region}:${where.account}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: state,
        reason: "clawops alerts test: a test of the alert path, nothing is wrong",
        timestamp: at,
      },
      previousState: { value: state === "ALARM" ? "OK" : "ALARM", timestamp: at },
      configuration: { description: "A test alert sent by `clawops alerts test`. It resolves by itself." },
    },
  };
}

/**
 * `clawops alerts test`: sends a test ALARM and its OK through the real path (`invoke` is the deployed
 * router, through Lambda Invoke, or the in-process handler in the sandbox) and returns both results.
 */
export async function sendTestAlert(options: {
  readonly stage: string;
  readonly region: string;
  readonly account: string;
  readonly invoke: (event: AlarmStateChangeEvent) => Promise<unknown>;
  readonly now?: () => number;
}): Promise<{ alarm: unknown; ok: unknown }> {
  const now = options.now ?? Date.now;
  const alarm = await options.invoke(testAlarmEvent(options.stage, options, "ALARM", now()));
  const ok = await options.invoke(testAlarmEvent(options.stage, options, "OK", now() + 1000));
  return { alarm, ok };
}
