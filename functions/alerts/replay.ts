import { randomUUID } from "node:crypto";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  type AlertReplayRequest,
  type AlertRouterSettings,
  alertSubject,
  type DeadLetterMessage,
  deadLetteredAlert,
  isDeliveryFailedAnnouncement,
  toAlert,
} from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import { type AlarmStateChangeEvent, ClawopsAlarm, clawopsAlarmName } from "@clawops/core/events";
import { type ReplayOutcome, repostAlert } from "./repost.js";
import { systemClock } from "./router-deps.js";
import { type SlackDeliveryContext, slackClient } from "./slack.js";

export type { ReplayOutcome } from "./repost.js";

/** What `replayDeadLetters` did. */
export interface ReplayReport {
  readonly replayed: number;
  /** Records left in the queue because Slack still refused them. */
  readonly failed: readonly { readonly reason: string; readonly channel: string }[];
  /**
   * Records left in the queue: not alerts (other flows' failures), alerts that routing skips now, and
   * announcements whose alert this replay did not deliver.
   */
  readonly skipped: number;
  /**
   * `AlertDeliveryFailed` announcements deleted unposted: each announced an alert that this replay delivered
   * (or found superseded), and posting it would page about a problem the replay has just fixed. The
   * announcement of an alert still failing, or not reached (`limit`), stays in the queue (counted in `skipped`).
   */
  readonly announcements: number;
  /** Alarm transitions deleted unposted: the alarm changed state since, and a newer transition was delivered. */
  readonly superseded: number;
}

/** Re-sends one dead-lettered alert and says how it went. */
export type ReplaySender = (request: AlertReplayRequest) => Promise<unknown>;

/**
 * What replay needs: the DLQ, and who posts. A deployed stage sends each alert to the alert router (Lambda
 * Invoke), which posts with its own token: the secret's resource policy lets no other principal read it.
 * Tests and the sandbox's fault matrix may post directly with the router's settings and a token instead.
 */
export type ReplayOptions = {
  readonly queueUrl: string;
  /** @default the factory's SQS client */
  readonly sqs?: SQSClient;
  /** @default 100 */
  readonly limit?: number;
} & ({ readonly send: ReplaySender } | { readonly settings: AlertRouterSettings; readonly token: string });

/** How long one receive waits for a message: long polling asks every SQS server, so empty means empty. */
const RECEIVE_WAIT_SECONDS = 2;

function directSender(settings: AlertRouterSettings, token: string): ReplaySender {
  const slack: SlackDeliveryContext = {
    client: slackClient(token, settings.slack.apiUrl),
    clock: systemClock,
    remainingMs: () => 60_000,
  };
  return (request) => repostAlert(request.replay.event, settings, slack, {}, request.replay.failedAt);
}

function outcomeOf(answer: unknown): ReplayOutcome {
  const outcome = answer as Partial<ReplayOutcome> | null;
  const statuses: readonly unknown[] = ["replayed", "skipped", "failed", "superseded"];
  if (statuses.includes(outcome?.status)) return outcome as ReplayOutcome;
  return { status: "failed", reason: `unexpected answer from the alert router: ${JSON.stringify(answer)}` };
}

/**
 * `clawops alerts replay`: receives the dead-letter queue (long polling, until a poll brings no message),
 * re-sends every alert in it (clawops' own records and the events Lambda dead-lettered after its retries),
 * and deletes each once Slack took it. What still fails stays in the queue, with its reason reported.
 * Superseded alerts are deleted without a post, and so, once the whole queue is read, are the
 * `AlertDeliveryFailed` announcements of the alerts this replay delivered or superseded (matched by the
 * announcement's `alertKey`); any other announcement stays in the queue.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const sqs = options.sqs ?? client(SQSClient);
  const send = "send" in options ? options.send : directSender(options.settings, options.token);
  const limit = options.limit ?? 100;
  let replayed = 0;
  let skipped = 0;
  let announcements = 0;
  let superseded = 0;
  const failed: { reason: string; channel: string }[] = [];
  // A record left in the queue (not an alert, still failing) comes back once its visibility timeout ends,
  // while the replay may still run: each message is handled once, by id.
  const handled = new Set<string>();
  // Announcements wait for the end of the queue: the alert each announces may come after it. By message id,
  // with the latest receipt handle (one received again after its visibility timeout has a new one).
  const waiting = new Map<string, { alertKey: string; receiptHandle: string | undefined }>();
  const settled = new Set<string>();
  // Alerts whose record stays queued (still failing, or not replayable): their announcements stay with them.
  const unsettled = new Set<string>();
  let wholeQueueRead = false;
  for (let seen = 0; seen < limit; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - seen),
        WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
    );
    // Only an empty long poll ends the replay: a receive may bring back only records handled already
    // (visible again after their timeout) while unhandled alerts still wait behind them.
    if (Messages.length === 0) {
      wholeQueueRead = true;
      break;
    }
    for (const again of Messages) {
      const announced = waiting.get(again.MessageId ?? again.Body ?? "");
      if (announced) announced.receiptHandle = again.ReceiptHandle;
    }
    const fresh = Messages.filter((m) => !handled.has(m.MessageId ?? m.Body ?? ""));
    for (const sqsMessage of fresh) {
      const id = sqsMessage.MessageId ?? sqsMessage.Body ?? "";
      handled.add(id);
      seen += 1;
      const message: DeadLetterMessage = {
        body: sqsMessage.Body ?? "",
        ...(sqsMessage.MessageAttributes ? { attributes: sqsMessage.MessageAttributes } : {}),
        ...(sqsMessage.Attributes?.SentTimestamp
          ? { sentTimestamp: sqsMessage.Attributes.SentTimestamp }
          : {}),
      };
      const alert = deadLetteredAlert(message);
      if (alert && isDeliveryFailedAnnouncement(alert.event)) {
        const { alertKey } = alert.event.detail as { alertKey?: unknown };
        waiting.set(id, { alertKey: String(alertKey), receiptHandle: sqsMessage.ReceiptHandle });
        continue;
      }
      const outcome: ReplayOutcome = !alert
        ? { status: "skipped", reason: "not an alert" }
        : outcomeOf(await send({ replay: alert }));
      if (outcome.status === "skipped" || outcome.status === "failed") {
        if (alert) unsettled.add(alertSubject(toAlert(alert.event, {})));
        if (outcome.status === "skipped") skipped += 1;
        else failed.push({ reason: outcome.reason, channel: outcome.channel ?? "" });
      } else {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: sqsMessage.ReceiptHandle }),
        );
        if (alert) settled.add(alertSubject(toAlert(alert.event, {})));
        if (outcome.status === "superseded") superseded += 1;
        else replayed += 1;
      }
    }
  }
  // An announcement goes once its alert was replayed or superseded in this run, or, when this run read the
  // whole queue, once its alert's record is no longer in it (an earlier run replayed it, or a --limit run did).
  for (const { alertKey, receiptHandle } of waiting.values()) {
    const gone = settled.has(alertKey) || (wholeQueueRead && !unsettled.has(alertKey));
    if (!gone) {
      skipped += 1;
      continue;
    }
    await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle }));
    announcements += 1;
  }
  return { replayed, failed, skipped, announcements, superseded };
}

/** A CloudWatch alarm state change for clawops' test alarm (`clawops-<stage>-test-alert`), ALARM or OK. */
export function testAlarmEvent(
  stage: string,
  where: { region: string; account: string },
  state: "ALARM" | "OK" = "ALARM",
  now = Date.now(),
): AlarmStateChangeEvent {
  const alarmName = clawopsAlarmName(stage, ClawopsAlarm.TestAlert);
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
