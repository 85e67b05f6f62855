import { setTimeout as realDelay } from "node:timers/promises";
import {
  CloudWatchClient,
  GetMetricWidgetImageCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AlertRouterSettings } from "@clawops/core/alerts";
import type { DeadLetterRecord } from "@clawops/core/handler";
import { createStateTable, dynamoClientConfig, type LocalDynamo, startDynamo } from "@clawops/sandbox/dynamo";
import { type SlackServer, startSlackServer } from "@clawops/sandbox/slack/server";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { makeAlertRouter } from "../router.js";
import type { DeliveryClock } from "../slack.js";

/** A clock whose sleeps move time forward at once: retries and Retry-After cost no real time. */
export class VirtualClock implements DeliveryClock {
  constructor(public current = Date.parse("2026-03-02T12:05:00Z")) {}
  now = (): number => this.current;
  sleep = async (ms: number): Promise<void> => {
    this.current += ms;
  };
}

/** A virtual clock whose sleeps also give up a little real time, so concurrent invocations interleave. */
export class YieldingClock extends VirtualClock {
  override sleep = async (ms: number): Promise<void> => {
    this.current += ms;
    await realDelay(Math.min(ms, 20));
  };
}

/**
 * A virtual clock for invocations that run at once (each started with `run`): time moves only once every
 * running invocation sleeps, to the earliest wake-up, so their sleeps overlap as in real time (with
 * {@link YieldingClock} two invocations' 2 s and 4 s sleeps move the clock 6 s).
 */
export class OverlappingClock implements DeliveryClock {
  private running = 0;
  private sleepers: { at: number; wake: () => void }[] = [];
  constructor(public current = Date.parse("2026-03-02T12:05:00Z")) {}
  now = (): number => this.current;
  sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.sleepers.push({ at: this.current + ms, wake });
      this.tick();
    });

  /** Runs one invocation's work on this clock. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.tick();
    }
  }

  private tick(): void {
    if (this.sleepers.length === 0 || this.sleepers.length < this.running) return;
    this.sleepers.sort((a, b) => a.at - b.at);
    const next = this.sleepers.shift() as { at: number; wake: () => void };
    this.current = Math.max(this.current, next.at);
    next.wake();
  }
}

export const CHANNELS = { "ops-alerts": "C0ALERTS", "ops-critical": "C0CRITICAL", "ops-info": "C0INFO" };
export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawops-test-slack-AbCdEf";
export const DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-test-dlq";
/** A one-pixel PNG. */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export function routerSettings(
  apiUrl: string,
  overrides: Partial<AlertRouterSettings["alerts"]> = {},
  channels: Readonly<Record<string, string>> = CHANNELS,
): AlertRouterSettings {
  return {
    stage: "test",
    slackSecretArn: SECRET_ARN,
    fleetLogGroupName: "/openclaw/test/openclaw/gateway",
    slack: {
      defaultChannel: "ops-alerts",
      routes: [
        { severity: "critical", channel: "ops-critical", mention: "<!subteam^S0123ABC>" },
        { severity: "info", channel: "ops-info" },
      ],
      insufficientData: "post-as-info",
      apiUrl,
      channels,
      metricGraphs: true,
    },
    alerts: {
      stormWindowSeconds: 60,
      stormThreshold: 5,
      alarmSeverities: {},
      defaultSeverity: "high",
      stateTtlDays: 14,
      ...overrides,
    },
  };
}

/** Everything a router test runs against: dynalite, the local Slack server, SDK mocks and a virtual clock. */
export interface RouterWorld {
  readonly slack: SlackServer;
  readonly clock: DeliveryClock;
  /** The Slack token the router reads from its secret. */
  readonly token: string;
  readonly mocks: {
    secrets: ReturnType<typeof mockClient>;
    cloudwatch: ReturnType<typeof mockClient>;
    sqs: ReturnType<typeof mockClient>;
    events: ReturnType<typeof mockClient>;
  };
  invoke(event: unknown): Promise<unknown>;
  /** An item of the state table. */
  item(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined>;
  /** Writes an item of the state table, as another invocation would have. */
  put(item: Record<string, unknown>): Promise<void>;
  /** Deletes every item under a partition key (or one item of it), as DynamoDB's TTL deletion would. */
  remove(pk: string, sk?: string): Promise<void>;
  /** Records sent to the DLQ so far. */
  deadLetters(): DeadLetterRecord[];
  close(): Promise<void>;
}

let tableCount = 0;

export async function startWorld(
  options: {
    token?: string;
    alerts?: Partial<AlertRouterSettings["alerts"]>;
    /** `slack.channels` (channel names to ids). @default CHANNELS; `{}` routes by name, as the shipped config */
    channels?: Readonly<Record<string, string>>;
    rateLimit?: false;
    /** @default a VirtualClock (sleeps jump time: for sequential tests, not concurrent load) */
    clock?: DeliveryClock;
    /** Sees every DynamoDB command the router sends before it is sent; throw to inject a fault. */
    beforeDb?: (command: { readonly constructor: { readonly name: string }; readonly input: object }) => void;
  } = {},
): Promise<RouterWorld> {
  const clock = options.clock ?? new VirtualClock();
  const dynamo: LocalDynamo = await startDynamo();
  const raw = new DynamoDBClient(dynamoClientConfig(dynamo.endpoint));
  const table = `state-${++tableCount}`;
  await createStateTable(raw, table);
  const slack = await startSlackServer({
    channels: CHANNELS,
    now: clock.now,
    ...(options.rateLimit === false ? { rateLimit: false } : {}),
  });
  const mocks = {
    secrets: mockClient(SecretsManagerClient),
    cloudwatch: mockClient(CloudWatchClient),
    sqs: mockClient(SQSClient),
    events: mockClient(EventBridgeClient),
  };
  mocks.secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ botToken: options.token ?? slack.token }) });
  mocks.cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  mocks.cloudwatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: new Uint8Array(PNG) });
  mocks.sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
  mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  const env = {
    region: "us-east-1",
    stage: "test",
    stateTable: table,
    deadLetterQueueUrl: DLQ_URL,
    eventBusName: "default",
    settings: JSON.stringify(routerSettings(slack.apiUrl, options.alerts, options.channels)),
  };
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const routerDb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const { beforeDb } = options;
  if (beforeDb) {
    const send = routerDb.send.bind(routerDb);
    routerDb.send = (async (command: Parameters<typeof beforeDb>[0]) => {
      beforeDb(command);
      return send(command as never);
    }) as typeof routerDb.send;
  }
  const router = makeAlertRouter({
    env,
    clock,
    db: routerDb,
    secretsCacheKey: `test-${tableCount}`,
    slackTimeoutMs: 300,
    warn: () => undefined,
  });
  const context = {
    functionName: "clawops-test-alertRouter",
    awsRequestId: "req-1",
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
  return {
    slack,
    clock,
    token: options.token ?? slack.token,
    mocks,
    item: async (key) => (await db.send(new GetCommand({ TableName: table, Key: key }))).Item,
    put: async (item) => void (await db.send(new PutCommand({ TableName: table, Item: item }))),
    async remove(pk, sk) {
      const keys =
        sk !== undefined
          ? [{ pk, sk }]
          : ((
              await db.send(
                new QueryCommand({
                  TableName: table,
                  KeyConditionExpression: "pk = :pk",
                  ExpressionAttributeValues: { ":pk": pk },
                }),
              )
            ).Items ?? []);
      for (const key of keys)
        await db.send(new DeleteCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk } }));
    },
    invoke: (event) => router(structuredClone(event), context as never),
    deadLetters: () =>
      mocks.sqs
        .commandCalls(SendMessageCommand)
        .map((call) => JSON.parse(call.args[0].input.MessageBody ?? "{}") as DeadLetterRecord),
    async close() {
      for (const mock of Object.values(mocks)) mock.restore();
      raw.destroy();
      await slack.close();
      await dynamo.close();
    },
  };
}

/** The AlertDeliveryFailed event the router published (as EventBridge hands it back to the router). */
export function announcementOf(w: RouterWorld, index = 0) {
  const entry = w.mocks.events.commandCalls(PutEventsCommand)[index]!.args[0].input.Entries![0]!;
  return {
    version: "0",
    id: `announcement-${index}`,
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: "123456789012",
    time: "2026-03-02T12:05:01Z",
    region: "us-east-1",
    resources: [],
    detail: JSON.parse(entry.Detail!),
  };
}
