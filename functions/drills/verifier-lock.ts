import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { client } from "@clawops/core/aws";
import { drillNow, VerifierBusyError } from "@clawops/core/drills";

const LOCK_KEY = { pk: { S: "drill#verifier" }, sk: { S: "lock" } };

/**
 * Takes the single verifier for this drill (a DynamoDB item with a conditional write): no two drills mount
 * their file systems on it at once. Re-taking it by its holder is fine; an expired lock (a crashed drill) is
 * taken over. Another holder → `VerifierBusyError`, which the state machine retries with backoff.
 */
export async function acquireVerifier(table: string, drillId: string, holdSeconds: number): Promise<void> {
  const now = Math.floor(drillNow() / 1000);
  try {
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: { ...LOCK_KEY, holder: { S: drillId }, expiresAt: { N: String(now + holdSeconds) } },
        ConditionExpression: "attribute_not_exists(pk) OR holder = :me OR expiresAt < :now",
        ExpressionAttributeValues: { ":me": { S: drillId }, ":now": { N: String(now) } },
      }),
    );
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === "ConditionalCheckFailedException"
    )
      throw new VerifierBusyError(`the verifier is in use by another drill`, { drillId, cause: error });
    throw error;
  }
}

/**
 * Releases the verifier if this drill holds it, running `whileHeld` (detach the mount) first, so another
 * drill can never have its fresh mount detached by this one. A lock someone else holds is left alone.
 */
export async function releaseVerifier(
  table: string,
  drillId: string,
  whileHeld: () => Promise<void>,
): Promise<boolean> {
  const dynamo = client(DynamoDBClient);
  const { Item } = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: LOCK_KEY, ConsistentRead: true }),
  );
  if (Item?.holder?.S !== drillId) return false;
  await whileHeld();
  try {
    await dynamo.send(
      new DeleteItemCommand({
        TableName: table,
        Key: LOCK_KEY,
        ConditionExpression: "holder = :me",
        ExpressionAttributeValues: { ":me": { S: drillId } },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
  }
  return true;
}

/**
 * Points the verifier's file system mount at an access point (or detaches it with `undefined`). Returns
 * true once Lambda reports the update done: until then the function still has the old configuration.
 */
export async function attachVerifier(
  functionName: string,
  accessPointArn: string | undefined,
  mountPath: string,
): Promise<boolean> {
  const lambda = client(LambdaClient);
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const attached = current.FileSystemConfigs?.[0]?.Arn;
  if (attached !== accessPointArn) {
    if (current.LastUpdateStatus === "InProgress") return false;
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        FileSystemConfigs: accessPointArn ? [{ Arn: accessPointArn, LocalMountPath: mountPath }] : [],
      }),
    );
    return false;
  }
  return current.LastUpdateStatus === "Successful";
}
