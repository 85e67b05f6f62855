import { createHash } from "node:crypto";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

/** One message as SQS keeps it: hidden until `visibleAt` once received, gone once deleted. */
export interface SandboxMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Record<string, unknown>;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receiptHandle?: string;
}

/** One standard queue. */
export interface SandboxQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly createdAt: number;
  /** Seconds a received message stays hidden. @default 30, as SQS */
  visibilityTimeoutSeconds: number;
  readonly messages: SandboxMessage[];
  tags: Record<string, string>;
}

export interface SqsModel extends ServiceModel {
  readonly queues: Map<string, SandboxQueue>;
  /** Creates a queue directly (the sandbox's dead-letter queue); returns its URL. */
  create(name: string): string;
}

const NO_QUEUE = "The specified queue does not exist.";
const MAX_BODY_BYTES = 262_144;

/**
 * SQS standard queues, enough for the dead-letter queue: send, receive with a visibility timeout on the
 * sandbox clock, delete by receipt handle, and the approximate counts `clawops status` reads.
 */
export function sqsModel(world: SandboxWorld): SqsModel {
  const queues = new Map<string, SandboxQueue>();
  const create = (name: string): string => {
    const existing = [...queues.values()].find((q) => q.name === name);
    if (existing) return existing.url;
    const url = `https://sqs.${world.region}.amazonaws.com/${world.account}/${name}`;
    queues.set(url, {
      name,
      url,
      arn: world.arn("sqs", name),
      createdAt: world.clock.now(),
      visibilityTimeoutSeconds: 30,
      messages: [],
      tags: {},
    });
    return url;
  };
  const find = (input: Input): SandboxQueue => {
    const queue = queues.get(String(input.QueueUrl ?? ""));
    if (!queue) throw awsError("QueueDoesNotExist", NO_QUEUE);
    return queue;
  };
  const visible = (queue: SandboxQueue) => queue.messages.filter((m) => m.visibleAt <= world.clock.now());
  return {
    service: "SQS",
    queues,
    create,
    commands: {
      CreateQueue(input) {
        const url = create(String(input.QueueName ?? ""));
        const queue = queues.get(url);
        const timeout = (input.Attributes as Record<string, string> | undefined)?.VisibilityTimeout;
        if (queue && timeout !== undefined) queue.visibilityTimeoutSeconds = Number(timeout);
        if (queue && input.tags) queue.tags = { ...(input.tags as Record<string, string>) };
        return { QueueUrl: url };
      },
      GetQueueUrl(input) {
        const queue = [...queues.values()].find((q) => q.name === input.QueueName);
        if (!queue) throw awsError("QueueDoesNotExist", NO_QUEUE);
        return { QueueUrl: queue.url };
      },
      SendMessage(input) {
        const queue = find(input);
        const body = String(input.MessageBody ?? "");
        if (body.length === 0)
          throw awsError("InvalidParameterValue", "The request must contain the parameter MessageBody.");
        if (Buffer.byteLength(body) > MAX_BODY_BYTES)
          throw awsError(
            "InvalidParameterValue",
            `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`,
          );
        const delay = Number(input.DelaySeconds ?? 0) * 1000;
        const message: SandboxMessage = {
          messageId: world.uuid("sqs-message"),
          body,
          attributes: (input.MessageAttributes as Record<string, unknown> | undefined) ?? {},
          sentAt: world.clock.now(),
          visibleAt: world.clock.now() + delay,
          receiveCount: 0,
        };
        queue.messages.push(message);
        return {
          MessageId: message.messageId,
          MD5OfMessageBody: createHash("md5").update(body).digest("hex"),
        };
      },
      ReceiveMessage(input) {
        const queue = find(input);
        const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
        const timeout = Number(input.VisibilityTimeout ?? queue.visibilityTimeoutSeconds) * 1000;
        const batch = visible(queue).slice(0, max);
        for (const message of batch) {
          message.receiveCount += 1;
          message.visibleAt = world.clock.now() + timeout;
          message.receiptHandle = world.uuid("sqs-receipt");
        }
        if (batch.length === 0) return {};
        return {
          Messages: batch.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            Body: m.body,
            MD5OfBody: createHash("md5").update(m.body).digest("hex"),
            MessageAttributes: m.attributes,
            Attributes: {
              ApproximateReceiveCount: String(m.receiveCount),
              SentTimestamp: String(m.sentAt),
            },
          })),
        };
      },
      DeleteMessage(input) {
        const queue = find(input);
        const at = queue.messages.findIndex((m) => m.receiptHandle === input.ReceiptHandle);
        if (at < 0)
          throw awsError(
            "ReceiptHandleIsInvalid",
            `The input receipt handle "${String(input.ReceiptHandle)}" is not a valid receipt handle.`,
          );
        queue.messages.splice(at, 1);
        return {};
      },
      ChangeMessageVisibility(input) {
        const queue = find(input);
        const message = queue.messages.find((m) => m.receiptHandle === input.ReceiptHandle);
        if (!message)
          throw awsError("ReceiptHandleIsInvalid", "The input receipt handle is not a valid receipt handle.");
        message.visibleAt = world.clock.now() + Number(input.VisibilityTimeout ?? 0) * 1000;
        return {};
      },
      GetQueueAttributes(input) {
        const queue = find(input);
        const shown = visible(queue).length;
        const all: Record<string, string> = {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(shown),
          ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - shown),
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
        };
        const names = (input.AttributeNames as string[] | undefined) ?? ["All"];
        const Attributes = names.includes("All")
          ? all
          : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
        return { Attributes };
      },
      PurgeQueue(input) {
        find(input).messages.length = 0;
        return {};
      },
    },
  };
}
