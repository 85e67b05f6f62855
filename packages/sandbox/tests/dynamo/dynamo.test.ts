import { ConditionalCheckFailedException, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStateTable, dynamoClientConfig, type LocalDynamo, startDynamo } from "../../src/dynamo.js";

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
const table = "clawops-test-state";

beforeAll(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient(dynamoClientConfig(dynamo.endpoint));
  documents = DynamoDBDocumentClient.from(client);
  await createStateTable(client, table);
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

describe("Function: startDynamo", () => {
  it("serves DynamoDB on a loopback endpoint", () => {
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("creates the state table with the Core stack's keys and on-demand billing", async () => {
    const { TableNames } = await client.send(new ListTablesCommand({}));

    expect(TableNames).toContain(table);
  });

  it("stores and reads an item through the real SDK client", async () => {
    const item = { pk: "alarm#cpu-high", sk: "thread", ts: "1764234000.000100", expiresAt: 1_800_000_000 };

    await documents.send(new PutCommand({ TableName: table, Item: item }));
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { pk: item.pk, sk: "thread" } }),
    );

    expect(Item).toEqual(item);
  });

  it("rejects a conditional write on an existing key with ConditionalCheckFailedException", async () => {
    const put = () =>
      documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: "dedup#evt-1", sk: "seen" },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );

    await put();

    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it("queries items of one partition in sort key order", async () => {
    for (const sk of ["b", "a", "c"]) {
      await documents.send(new PutCommand({ TableName: table, Item: { pk: "drill#1", sk } }));
    }

    const { Items } = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": "drill#1" },
      }),
    );

    expect(Items?.map((item) => item.sk)).toEqual(["a", "b", "c"]);
  });

  it("keeps expired items readable, so readers filter on expiresAt (no TTL sweeper)", async () => {
    await documents.send(new PutCommand({ TableName: table, Item: { pk: "old", sk: "x", expiresAt: 1 } }));

    const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { pk: "old", sk: "x" } }));

    expect(Item?.expiresAt).toBe(1);
  });
});
