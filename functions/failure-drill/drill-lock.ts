import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { client } from "@clawops/core/aws";
import { FailureDrillKeys } from "@clawops/core/failure-drill";

const KEY = { pk: { S: FailureDrillKeys.pk }, sk: { S: FailureDrillKeys.lock } };

const isConditionFailure = (error: unknown) => (error as Error).name === "ConditionalCheckFailedException";

/** The drill holding the lock right now, if any (a lock past its `until` has run out: its drill crashed). */
export async function lockHolder(table: string, now: number): Promise<string | null> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({ TableName: table, Key: KEY, ConsistentRead: true }),
  );
  if (!Item || Number(Item.until?.N ?? 0) < now) return null;
  return Item.owner?.S ?? "unknown";
}

/** Takes the lock for `drillId` unless a live drill holds it; false when another drill won the race. */
export async function acquireLock(
  table: string,
  drillId: string,
  now: number,
  seconds: number,
): Promise<boolean> {
  const until = now + seconds * 1000;
  try {
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...KEY,
          owner: { S: drillId },
          until: { N: String(until) },
          expiresAt: { N: String(Math.floor(until / 1000) + 86_400) },
        },
        ConditionExpression: "attribute_not_exists(pk) OR #until < :now",
        ExpressionAttributeNames: { "#until": "until" },
        ExpressionAttributeValues: { ":now": { N: String(now) } },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives the lock back; a lock another drill took after ours ran out stays untouched. */
export async function releaseLock(table: string, drillId: string): Promise<void> {
  try {
    await client(DynamoDBClient).send(
      new DeleteItemCommand({
        TableName: table,
        Key: KEY,
        ConditionExpression: "attribute_not_exists(pk) OR #owner = :me",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":me": { S: drillId } },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
