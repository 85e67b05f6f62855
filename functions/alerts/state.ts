import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type AlarmThread,
  dedupItemKey,
  deliveryItemKey,
  expiresAt,
  type StormEntry,
  stormItemKey,
  threadItemKey,
} from "@clawops/core/alerts";

/** A storm window as stored: every transition in arrival order and what the group message shows. */
export interface StormItem {
  readonly count: number;
  readonly entries: readonly StormEntry[];
  /** `ts` of the group message and of its continuation replies, by page. */
  readonly pages: readonly string[];
  readonly renderedCount: number;
  readonly nextRenderAt: number;
}

/** When an alarm's last transition reached Slack (the failure drill reads these). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly state: string;
  readonly stateChangedAt: number;
  readonly deliveredAt: number;
  readonly channel: string;
  readonly ts?: string;
}

function isConditionFailure(error: unknown): boolean {
  return (error as Error).name === "ConditionalCheckFailedException";
}

/**
 * The alert router's state in the Core table: dedup claims, alarm threads, storm windows and delivery
 * times. Every write that decides something is conditional, so concurrent invocations agree; every item
 * carries `expiresAt`, and reads ignore expired items (TTL deletion lags).
 */
export class AlertState {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
    private readonly now: () => number,
  ) {}

  private ttl(): number {
    return expiresAt(this.now(), this.ttlDays);
  }

  /**
   * Claims an event id for this invocation. False when it was delivered already, or another invocation is
   * delivering it right now (its lease has not run out): the duplicate is dropped.
   */
  async claimEvent(eventId: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...dedupItemKey(eventId),
            status: "processing",
            leaseUntil: now + leaseMs,
            expiresAt: this.ttl(),
          },
          ConditionExpression:
            "attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :processing AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":now": now,
            ":nowSeconds": Math.floor(now / 1000),
            ":processing": "processing",
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks an event handled (delivered, skipped or dead-lettered): later copies are duplicates. */
  async completeEvent(eventId: string, outcome: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...dedupItemKey(eventId), status: "done", outcome, expiresAt: this.ttl() },
      }),
    );
  }

  /** Gives an event's claim back so Lambda's retry of it is not mistaken for a duplicate. */
  async releaseEvent(eventId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: dedupItemKey(eventId) }));
  }

  async getThread(alarmName: string): Promise<AlarmThread | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: threadItemKey(alarmName), ConsistentRead: true }),
    );
    if (!Item || (Item.expiresAt as number) < Math.floor(this.now() / 1000)) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _e, ...thread } = Item;
    return thread as AlarmThread;
  }

  /** Saves a thread unless a newer transition of the alarm was saved meanwhile. */
  async putThread(thread: AlarmThread): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...threadItemKey(thread.alarmName), ...thread, expiresAt: this.ttl() },
          ConditionExpression: "attribute_not_exists(pk) OR lastStateAt < :at OR expiresAt < :nowSeconds",
          ExpressionAttributeValues: {
            ":at": thread.lastStateAt,
            ":nowSeconds": Math.floor(this.now() / 1000),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // A newer transition won: its record stays.
    }
  }

  async recordDelivery(alarmName: string, record: DeliveryRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...deliveryItemKey(alarmName), ...record, expiresAt: this.ttl() },
      }),
    );
  }

  /** Appends a transition to a channel's window; returns its 1-based position in the window. */
  async joinStorm(channel: string, windowStart: number, entry: StormEntry): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        UpdateExpression:
          "ADD #count :one SET entries = list_append(if_not_exists(entries, :empty), :entry), expiresAt = :ttl",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":one": 1, ":empty": [], ":entry": [entry], ":ttl": this.ttl() },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Attributes?.count as number;
  }

  async readStorm(channel: string, windowStart: number): Promise<StormItem> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        ConsistentRead: true,
      }),
    );
    return {
      count: (Item?.count as number) ?? 0,
      entries: (Item?.entries as StormEntry[]) ?? [],
      pages: (Item?.pages as string[]) ?? [],
      renderedCount: (Item?.renderedCount as number) ?? 0,
      nextRenderAt: (Item?.nextRenderAt as number) ?? 0,
    };
  }

  /** Takes the window's render slot until `leaseUntil`; false when another invocation holds it. */
  async claimStormRender(channel: string, windowStart: number, leaseUntil: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: stormItemKey(channel, windowStart),
          UpdateExpression: "SET nextRenderAt = :lease",
          ConditionExpression: "attribute_not_exists(nextRenderAt) OR nextRenderAt <= :now",
          ExpressionAttributeValues: { ":lease": leaseUntil, ":now": this.now() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Records what the group message now shows and when the next render may run. */
  async finishStormRender(
    channel: string,
    windowStart: number,
    rendered: { count: number; pages: readonly string[]; nextRenderAt: number },
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        UpdateExpression: "SET renderedCount = :count, pages = :pages, nextRenderAt = :next",
        ExpressionAttributeValues: {
          ":count": rendered.count,
          ":pages": [...rendered.pages],
          ":next": rendered.nextRenderAt,
        },
      }),
    );
  }
}
