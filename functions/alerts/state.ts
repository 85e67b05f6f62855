import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type AlarmThread,
  alarmLockItemKey,
  dedupItemKey,
  deliveryItemKey,
  expiresAt,
  type StormEntry,
  stormItemKey,
  threadItemKey,
} from "@clawops/core/alerts";

/**
 * A storm window's counter and render slot as stored. Its transitions are items of their own (see
 * {@link StoredStormEntry}), so a window of any size stays far below DynamoDB's 400 KB item limit.
 */
export interface StormItem {
  readonly count: number;
  /** `ts` of the group message and of its continuation replies, by page. */
  readonly pages: readonly string[];
  readonly renderedCount: number;
  readonly nextRenderAt: number;
  /** The channel id Slack answered for the group message (the window is keyed by the routed channel). */
  readonly channelId?: string;
}

/** One transition of a storm window, stored as its own item. */
export interface StoredStormEntry {
  /** 1-based position in the window (from the window's counter). */
  readonly position: number;
  /** When the router stored it (ms): a gap older than this was left by an invocation that died. */
  readonly joinedAt: number;
  readonly entry: StormEntry;
}

/**
 * How long an open thread is kept after its latest transition: an alarm stays in ALARM for weeks without a
 * single event, and its OK must still find the thread; yet a thread whose OK never got through must not
 * stay open for ever (later ALARMs would only reply into it).
 */
export const OPEN_THREAD_TTL_DAYS = 90;

/** Positions are zero-padded so the sort key orders entries by arrival. */
const POSITION_DIGITS = 9;

/** The item of the `position`-th transition of a channel's storm window. */
export function stormEntryItemKey(
  channel: string,
  windowStart: number,
  position: number,
): { pk: string; sk: string } {
  return {
    pk: stormEntriesPk(channel, windowStart),
    sk: `entry#${String(position).padStart(POSITION_DIGITS, "0")}`,
  };
}

function stormEntriesPk(channel: string, windowStart: number): string {
  return `alert#storm-entries#${channel}#${windowStart}`;
}

function arrayOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function numberOf(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
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

/** A message Slack accepted for an event (`threadTs` for a reply in a thread). */
export interface PostedRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
}

/** The storm window position an event took (its transition is listed there). */
export interface JoinedRecord {
  readonly channel: string;
  readonly windowStart: number;
  readonly position: number;
}

/** The failure of an event whose record was sent to the dead-letter queue: what its announcement says. */
export interface DeadLetteredRecord {
  readonly channel: string;
  /** Slack's reason (`token_revoked`, `retries exhausted: HTTP 503`, ...). */
  readonly reason: string;
}

/**
 * An event claimed for delivery, with what an earlier try of it did before it failed: `posted` when it got
 * a message into Slack, `joined` when it took a storm window position, `deadLettered` when it sent the
 * event's record to the dead-letter queue (with the failure, so a retry that has nothing left to deliver
 * still announces it).
 */
export interface EventClaim {
  readonly posted?: PostedRecord;
  readonly joined?: JoinedRecord;
  readonly deadLettered?: DeadLetteredRecord;
}

function isJoinedRecord(value: unknown): value is JoinedRecord {
  const record = value as Partial<JoinedRecord> | undefined;
  return (
    typeof record?.channel === "string" &&
    typeof record.windowStart === "number" &&
    typeof record.position === "number"
  );
}

/**
 * The outcomes of an event that put its message in Slack. Not `skipped` (a retry of a dead-lettered OK finds
 * its own thread write and skips as stale: its message never reached Slack) nor `dead-lettered`.
 */
const POSTED_OUTCOMES = new Set(["opened", "replied", "resolved", "posted", "grouped", "replayed"]);

/** `deadLettered: true`, as claims noted before the failure was kept, reads as a failure of unknown reason. */
function deadLetteredRecord(value: unknown): DeadLetteredRecord | undefined {
  const record = value as Partial<DeadLetteredRecord> | undefined;
  if (typeof record?.channel === "string" && typeof record.reason === "string")
    return { channel: record.channel, reason: record.reason };
  return value === true ? { channel: "unknown", reason: "dead-lettered by an earlier try" } : undefined;
}

function isPostedRecord(value: unknown): value is PostedRecord {
  const record = value as Partial<PostedRecord> | undefined;
  return typeof record?.channel === "string" && typeof record.ts === "string";
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
   * Claims an event id for this invocation. Undefined when it was delivered already, or another invocation
   * is delivering it right now (its lease has not run out): the duplicate is dropped. A claim taken over
   * from an earlier try of the event (released, or its invocation died) says what that try had posted.
   */
  async claimEvent(eventId: string, leaseMs: number): Promise<EventClaim | undefined> {
    const now = this.now();
    try {
      const { Attributes: earlier } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: dedupItemKey(eventId),
          UpdateExpression: "SET #status = :processing, leaseUntil = :lease, expiresAt = :ttl",
          ConditionExpression:
            "attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :processing AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":now": now,
            ":nowSeconds": Math.floor(now / 1000),
            ":processing": "processing",
            ":lease": now + leaseMs,
            ":ttl": this.ttl(),
          },
          ReturnValues: "ALL_OLD",
        }),
      );
      const live =
        earlier?.status === "processing" && !(numberOf(earlier.expiresAt) < Math.floor(now / 1000));
      if (!live) return {};
      const deadLettered = deadLetteredRecord(earlier.deadLettered);
      return {
        ...(isPostedRecord(earlier.posted) ? { posted: earlier.posted } : {}),
        ...(isJoinedRecord(earlier.joined) ? { joined: earlier.joined } : {}),
        ...(deadLettered ? { deadLettered } : {}),
      };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records on the event's claim a message Slack accepted for it, before any other write: should a later
   * write fail, Lambda's retry of the event takes the claim over and resumes from this message.
   */
  async notePosted(eventId: string, posted: PostedRecord): Promise<void> {
    await this.noteOnClaim(eventId, "posted", posted);
  }

  /** Records on the event's claim the storm window position it took, so a retry does not join again. */
  async noteJoined(eventId: string, joined: JoinedRecord): Promise<void> {
    await this.noteOnClaim(eventId, "joined", joined);
  }

  /**
   * Records on the event's claim that its dead-letter record was sent, and why, so a retry does not send
   * another and can still announce the failure.
   */
  async noteDeadLettered(eventId: string, failure: DeadLetteredRecord): Promise<void> {
    await this.noteOnClaim(eventId, "deadLettered", { channel: failure.channel, reason: failure.reason });
  }

  private async noteOnClaim(eventId: string, name: string, value: unknown): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: dedupItemKey(eventId),
        UpdateExpression: "SET #name = :value",
        ExpressionAttributeNames: { "#name": name },
        ExpressionAttributeValues: { ":value": value },
      }),
    );
  }

  /**
   * True when the event reached Slack already: it was handled with an outcome other than dead-lettered,
   * or a try of it got its message into Slack (noted on its claim) before a later write failed.
   */
  async eventDelivered(eventId: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: dedupItemKey(eventId), ConsistentRead: true }),
    );
    if (!Item || numberOf(Item.expiresAt) < Math.floor(this.now() / 1000)) return false;
    if (Item.status === "done") return POSTED_OUTCOMES.has(String(Item.outcome));
    return isPostedRecord(Item.posted);
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

  /**
   * Gives an event's claim back so Lambda's retry of it is not mistaken for a duplicate. The claim's lease
   * ends now, but what it records as posted stays for the retry.
   */
  async releaseEvent(eventId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: dedupItemKey(eventId),
          UpdateExpression: "SET leaseUntil = :zero",
          ConditionExpression: "#status = :processing",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":zero": 0, ":processing": "processing" },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // Completed meanwhile, or never claimed: nothing to give.
    }
  }

  /**
   * Takes an alarm's delivery lock for `owner` (an event id) until `leaseMs` from now. False while another
   * invocation holds it; a lease that ran out (its invocation died) is taken over.
   */
  async lockAlarm(alarmName: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...alarmLockItemKey(alarmName), owner, leaseUntil: now + leaseMs, expiresAt: this.ttl() },
          ConditionExpression: "attribute_not_exists(pk) OR leaseUntil < :now OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":now": now, ":owner": owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Gives the lock back, unless its lease ran out and another invocation holds it now. */
  async unlockAlarm(alarmName: string, owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: alarmLockItemKey(alarmName),
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getThread(alarmName: string): Promise<AlarmThread | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: threadItemKey(alarmName), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    if (typeof Item.expiresAt === "number" && Item.expiresAt < Math.floor(this.now() / 1000))
      return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _e, ...thread } = Item;
    return thread as AlarmThread;
  }

  /**
   * Saves a thread unless a newer transition of the alarm was saved meanwhile. An open thread is kept
   * {@link OPEN_THREAD_TTL_DAYS} after its latest transition (each save starts that again); a resolved one
   * expires `stateTtlDays` from now, as every other item.
   */
  async putThread(thread: AlarmThread): Promise<void> {
    const open = thread.ts !== undefined && !thread.resolved;
    const ttl = open ? expiresAt(Math.max(thread.lastStateAt, this.now()), OPEN_THREAD_TTL_DAYS) : this.ttl();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...threadItemKey(thread.alarmName), ...thread, expiresAt: ttl },
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

  /**
   * Adds a transition to a channel's window; returns its 1-based position in the window. The counter
   * item hands out the position, then the transition is written as its own item under that position.
   */
  async joinStorm(channel: string, windowStart: number, entry: StormEntry): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        UpdateExpression: "ADD #count :one SET expiresAt = :ttl",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":one": 1, ":ttl": this.ttl() },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const position = numberOf(Attributes?.count);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...stormEntryItemKey(channel, windowStart, position),
          alarmName: entry.alarmName,
          state: entry.state,
          at: entry.at,
          position,
          joinedAt: this.now(),
          expiresAt: this.ttl(),
        },
      }),
    );
    return position;
  }

  /** The window's counter and render slot (not its transitions: see {@link readStormEntries}). */
  async readStorm(channel: string, windowStart: number): Promise<StormItem> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        ConsistentRead: true,
      }),
    );
    return {
      count: numberOf(Item?.count),
      pages: arrayOf<string>(Item?.pages),
      renderedCount: numberOf(Item?.renderedCount),
      nextRenderAt: numberOf(Item?.nextRenderAt),
      ...(typeof Item?.channelId === "string" ? { channelId: Item.channelId } : {}),
    };
  }

  /** Every stored transition item of a window in position order (a paginated, consistent Query). */
  private async stormEntryItems(channel: string, windowStart: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :entry)",
          ExpressionAttributeValues: { ":pk": stormEntriesPk(channel, windowStart), ":entry": "entry#" },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...arrayOf<Record<string, unknown>>(page.Items));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Every stored transition of a window in position order. */
  async readStormEntries(channel: string, windowStart: number): Promise<StoredStormEntry[]> {
    return (await this.stormEntryItems(channel, windowStart)).map((item) => ({
      position: numberOf(item.position),
      joinedAt: numberOf(item.joinedAt),
      entry: {
        alarmName: String(item.alarmName),
        state: item.state as StormEntry["state"],
        at: numberOf(item.at),
      },
    }));
  }

  /**
   * Whether the window's counter and every transition it counted are still stored (not expired): a window
   * whose records ran out of TTL cannot be rendered again without losing the lines it showed.
   */
  async stormStored(channel: string, windowStart: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const live = (item: Record<string, unknown> | undefined) =>
      item !== undefined && !(typeof item.expiresAt === "number" && item.expiresAt < nowSeconds);
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        ConsistentRead: true,
      }),
    );
    const count = numberOf(Item?.count);
    if (!live(Item) || count === 0) return false;
    return (await this.stormEntryItems(channel, windowStart)).filter(live).length >= count;
  }

  /** Takes the window's render slot until `leaseUntil`; false when another invocation holds it. */
  async claimStormRender(channel: string, windowStart: number, leaseUntil: number): Promise<boolean> {
    return this.leaseStormRender(channel, windowStart, leaseUntil, {
      condition: "attribute_not_exists(nextRenderAt) OR nextRenderAt <= :now",
      values: { ":now": this.now() },
    });
  }

  /**
   * Extends the render slot this invocation holds (taken until `heldUntil`) to `leaseUntil`; false when
   * another invocation took it over meanwhile (or it was finished): the renderer must not call Slack then.
   */
  async renewStormRender(
    channel: string,
    windowStart: number,
    heldUntil: number,
    leaseUntil: number,
  ): Promise<boolean> {
    return this.leaseStormRender(channel, windowStart, leaseUntil, {
      condition: "nextRenderAt = :held",
      values: { ":held": heldUntil },
    });
  }

  /** Sets the window's render slot to `leaseUntil` if `when` holds; false when it does not. */
  private async leaseStormRender(
    channel: string,
    windowStart: number,
    leaseUntil: number,
    when: { readonly condition: string; readonly values: Record<string, number> },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: stormItemKey(channel, windowStart),
          UpdateExpression: "SET nextRenderAt = :lease",
          ConditionExpression: when.condition,
          ExpressionAttributeValues: { ":lease": leaseUntil, ...when.values },
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
    rendered: { count: number; pages: readonly string[]; nextRenderAt: number; channelId?: string },
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: stormItemKey(channel, windowStart),
        UpdateExpression: `SET renderedCount = :count, pages = :pages, nextRenderAt = :next${
          rendered.channelId ? ", channelId = :channelId" : ""
        }`,
        ExpressionAttributeValues: {
          ":count": rendered.count,
          ":pages": [...rendered.pages],
          ":next": rendered.nextRenderAt,
          ...(rendered.channelId ? { ":channelId": rendered.channelId } : {}),
        },
      }),
    );
  }
}
