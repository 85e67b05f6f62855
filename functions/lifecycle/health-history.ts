import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { ClawopsEnvironment } from "@clawops/core";
import { client } from "@clawops/core/aws";
import type { InstanceHealthHistory } from "@clawops/core/lifecycle";

type Histories = Record<string, InstanceHealthHistory>;

/** One item per group holds every instance's history: two calls a run, whatever the fleet size. */
const key = (asgName: string) => ({ pk: { S: "lifecycle#monitor" }, sk: { S: asgName } });

/** A day after the last run the item expires: a monitor that stopped leaves nothing behind. */
const TTL_SECONDS = 86_400;

function tableOf(env: ClawopsEnvironment): string {
  if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
  return env.stateTable;
}

/** The monitor's per-instance histories of a group (consecutive failures, first seen, marked). */
export async function loadHistories(env: ClawopsEnvironment, asgName: string): Promise<Histories> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({ TableName: tableOf(env), Key: key(asgName), ConsistentRead: true }),
  );
  const json = Item?.histories?.S;
  return json ? (JSON.parse(json) as Histories) : {};
}

/** Stores the histories of a group. */
export async function saveHistories(
  env: ClawopsEnvironment,
  asgName: string,
  histories: Histories,
  now: number,
) {
  await client(DynamoDBClient).send(
    new PutItemCommand({
      TableName: tableOf(env),
      Item: {
        ...key(asgName),
        histories: { S: JSON.stringify(histories) },
        updatedAt: { S: new Date(now).toISOString() },
        expiresAt: { N: String(Math.floor(now / 1000) + TTL_SECONDS) },
      },
    }),
  );
}
