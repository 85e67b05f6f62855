import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { client } from "@clawops/core/aws";
import {
  ConcurrentRunError,
  type ReadinessReport,
  type RunStatuses,
  statusesOf,
} from "@clawops/core/readiness";

const PK = { S: "readiness" };
const LATEST = { pk: PK, sk: { S: "latest" } };
const RUN_RECORD_DAYS = 90;

/** The previous run's statuses by check id (what drift compares against), and its run id. */
export interface PreviousRun {
  readonly runId: string;
  readonly statuses: RunStatuses;
}

export async function previousRun(table: string): Promise<PreviousRun | undefined> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({ TableName: table, Key: LATEST, ConsistentRead: true }),
  );
  if (!Item?.runId?.S || !Item.statuses?.S) return undefined;
  return { runId: Item.runId.S, statuses: JSON.parse(Item.statuses.S) as RunStatuses };
}

/**
 * Stores the run (`sk=run#<at>#<runId>`, kept 90 days) and moves `latest` to it, on condition that `latest` is
 * still the run this one compared against: two overlapping runs must not both report the same drift.
 */
export async function storeRun(
  table: string,
  report: ReadinessReport,
  previous: PreviousRun | undefined,
): Promise<void> {
  const dynamo = client(DynamoDBClient);
  const expiresAt = { N: String(Math.floor(Date.parse(report.at) / 1000) + RUN_RECORD_DAYS * 86400) };
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: PK,
        sk: { S: `run#${report.at}#${report.runId}` },
        runId: { S: report.runId },
        passed: { BOOL: report.passed },
        report: { S: JSON.stringify(report) },
        expiresAt,
      },
    }),
  );
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...LATEST,
          runId: { S: report.runId },
          at: { S: report.at },
          statuses: { S: JSON.stringify(statusesOf(report)) },
        },
        ...(previous
          ? {
              ConditionExpression: "runId = :previous",
              ExpressionAttributeValues: { ":previous": { S: previous.runId } },
            }
          : { ConditionExpression: "attribute_not_exists(pk)" }),
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException")
      throw new ConcurrentRunError(`another readiness run stored its result while ${report.runId} ran`, {
        cause: error,
      });
    throw error;
  }
}
