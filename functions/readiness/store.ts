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

/** The previous run's id, and each check's last known and announced status (what drift compares against). */
export interface PreviousRun {
  readonly runId: string;
  readonly statuses: RunStatuses;
}

/**
 * The `latest` record: `statuses` are the run's own (what `clawops status` shows), `known` each check's last
 * known status as far as drift events have announced it (records from before `known` existed have only
 * `statuses`).
 */
export async function previousRun(table: string): Promise<PreviousRun | undefined> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({ TableName: table, Key: LATEST, ConsistentRead: true }),
  );
  if (!Item?.runId?.S || !Item.statuses?.S) return undefined;
  return { runId: Item.runId.S, statuses: JSON.parse(Item.known?.S ?? Item.statuses.S) as RunStatuses };
}

/**
 * Stores the run (`sk=run#<at>#<runId>`, kept 90 days) and moves `latest` to it, on condition that `latest` is
 * still the run this one compared against: two overlapping runs must not both report the same drift. `known`
 * is what the next run compares against: the previous known statuses while this run's drift events are not
 * published yet (`markAnnounced` moves it once they are), so a failed publish is announced again, not lost.
 */
export async function storeRun(
  table: string,
  report: ReadinessReport,
  previous: PreviousRun | undefined,
  known: RunStatuses,
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
    await dynamo.send(latestRecord(table, report, known, previous ? previous.runId : undefined));
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException")
      throw new ConcurrentRunError(`another readiness run stored its result while ${report.runId} ran`, {
        cause: error,
      });
    throw error;
  }
}

/**
 * Records that the run's drift events were published: `known` becomes its known statuses. When a newer run has
 * moved `latest` meanwhile, that run compared against the older statuses and announces (again) what changed.
 * (A conditional PutItem of the whole record: the function's role may only get, put and query the table.)
 */
export async function markAnnounced(
  table: string,
  report: ReadinessReport,
  known: RunStatuses,
): Promise<void> {
  try {
    await client(DynamoDBClient).send(latestRecord(table, report, known, report.runId));
  } catch (error) {
    if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
  }
}

/** The `latest` record for the run, written only while `latest` is still `expectedRunId` (absent: not there yet). */
function latestRecord(
  table: string,
  report: ReadinessReport,
  known: RunStatuses,
  expectedRunId: string | undefined,
): PutItemCommand {
  return new PutItemCommand({
    TableName: table,
    Item: {
      ...LATEST,
      runId: { S: report.runId },
      at: { S: report.at },
      statuses: { S: JSON.stringify(statusesOf(report)) },
      known: { S: JSON.stringify(known) },
    },
    ...(expectedRunId
      ? {
          ConditionExpression: "runId = :previous",
          ExpressionAttributeValues: { ":previous": { S: expectedRunId } },
        }
      : { ConditionExpression: "attribute_not_exists(pk)" }),
  });
}
