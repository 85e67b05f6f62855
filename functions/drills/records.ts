import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { client } from "@clawops/core/aws";
import type { DrillVerdict } from "@clawops/core/drills";

const DRILL_PK = { S: "drill" };
const RECORD_DAYS = 400;

/**
 * Stores a drill's verdict for `clawops drill --history` (pk `drill`, sk `run#<ISO start>#<drill id>`), and
 * on a pass the time of the last pass, which the no-passing-drill metric reads.
 */
export async function recordDrill(
  table: string,
  verdict: DrillVerdict,
  startedAt: string,
  finishedAt: number,
): Promise<void> {
  const dynamo = client(DynamoDBClient);
  const expiresAt = { N: String(Math.floor(finishedAt / 1000) + RECORD_DAYS * 86400) };
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: DRILL_PK,
        sk: { S: `run#${startedAt}#${verdict.drillId}` },
        drillId: { S: verdict.drillId },
        startedAt: { S: startedAt },
        finishedAt: { S: new Date(finishedAt).toISOString() },
        passed: { BOOL: verdict.passed },
        verdict: { S: JSON.stringify(verdict) },
        expiresAt,
      },
    }),
  );
  if (verdict.passed)
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: DRILL_PK, sk: { S: "last-pass" }, at: { N: String(finishedAt) } },
      }),
    );
}

/**
 * Days since the last passing drill. With none ever, days since clawops first looked (written on first
 * call), so a new deployment gets `maxDaysWithoutPass` days to pass its first drill.
 */
export async function daysSinceLastPass(table: string, now: number): Promise<number> {
  const dynamo = client(DynamoDBClient);
  const read = async (sk: string) =>
    (
      await dynamo.send(
        new GetItemCommand({ TableName: table, Key: { pk: DRILL_PK, sk: { S: sk } }, ConsistentRead: true }),
      )
    ).Item?.at?.N;
  let at = (await read("last-pass")) ?? (await read("first-seen"));
  if (at === undefined) {
    await dynamo
      .send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: DRILL_PK, sk: { S: "first-seen" }, at: { N: String(now) } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      )
      .catch((error: Error) => {
        if (error.name !== "ConditionalCheckFailedException") throw error;
      });
    at = String(now);
  }
  return Math.max(0, (now - Number(at)) / 86_400_000);
}

/**
 * The latest drill records, newest first (for `clawops drill --history`). The CLI passes its target's client
 * (its region); the default is the process's.
 */
export async function drillHistory(
  table: string,
  limit = 20,
  dynamo: DynamoDBClient = client(DynamoDBClient),
): Promise<{ drillId: string; startedAt: string; passed: boolean; verdict: DrillVerdict }[]> {
  const { Items = [] } = await dynamo.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
      ExpressionAttributeValues: { ":pk": DRILL_PK, ":run": { S: "run#" } },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map((item) => ({
    drillId: item.drillId?.S ?? "",
    startedAt: item.startedAt?.S ?? "",
    passed: item.passed?.BOOL ?? false,
    verdict: JSON.parse(item.verdict?.S ?? "{}") as DrillVerdict,
  }));
}
