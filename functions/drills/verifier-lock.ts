import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { client } from "@clawops/core/aws";
import { drillNow, NotReadyError, VerifierBusyError, VerifierMountError } from "@clawops/core/drills";

/** The lock item of one verifier function. */
const lockKey = (functionName: string) => ({
  pk: { S: "drill#verifier" },
  sk: { S: `lock#${functionName}` },
});

/** Who holds a verifier: one file system's branch of one drill. */
export interface VerifierHolder {
  readonly drillId: string;
  readonly sourceFileSystemId: string;
}

const holderOf = ({ drillId, sourceFileSystemId }: VerifierHolder) => `${drillId}#${sourceFileSystemId}`;

/**
 * Takes a verifier for one branch of a drill (a DynamoDB item per verifier function, with a conditional
 * write): no two branches, of this drill or another, mount their file systems on the same verifier at once.
 * Re-taking it by its holder is fine; an expired lock (a crashed drill) is taken over. Another holder →
 * `VerifierBusyError`, which the state machine retries with backoff.
 */
export async function acquireVerifier(
  table: string,
  functionName: string,
  holder: VerifierHolder,
  holdSeconds: number,
): Promise<void> {
  const now = Math.floor(drillNow() / 1000);
  const me = holderOf(holder);
  try {
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: { ...lockKey(functionName), holder: { S: me }, expiresAt: { N: String(now + holdSeconds) } },
        ConditionExpression: "attribute_not_exists(pk) OR holder = :me OR expiresAt < :now",
        ExpressionAttributeValues: { ":me": { S: me }, ":now": { N: String(now) } },
      }),
    );
  } catch (error) {
    if ((error as Error).name === "ConditionalCheckFailedException")
      throw new VerifierBusyError(`the verifier ${functionName} is in use by another drill or file system`, {
        drillId: holder.drillId,
        cause: error,
      });
    throw error;
  }
}

/**
 * Releases a verifier if this branch holds it (or, with no file system given, any branch of this drill),
 * detaching its mount first (`detach`, true once the detach is applied or under way), so another drill can
 * never have its fresh mount detached by this one. A detach that cannot start yet (Lambda is still applying
 * this drill's attach) keeps the lock and throws `NotReadyError`: the caller retries. A lock someone else
 * holds is left alone.
 */
export async function releaseVerifier(
  table: string,
  functionName: string,
  holder: { readonly drillId: string; readonly sourceFileSystemId?: string },
  detach: () => Promise<boolean>,
): Promise<boolean> {
  const dynamo = client(DynamoDBClient);
  const Key = lockKey(functionName);
  const { Item } = await dynamo.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
  const current = Item?.holder?.S ?? "";
  const ours = holder.sourceFileSystemId
    ? current === holderOf({ drillId: holder.drillId, sourceFileSystemId: holder.sourceFileSystemId })
    : current.startsWith(`${holder.drillId}#`);
  if (!ours) return false;
  if (!(await detach()))
    throw new NotReadyError(
      `the verifier ${functionName} is still applying the drill's mount; detaching it next`,
      {
        drillId: holder.drillId,
      },
    );
  try {
    await dynamo.send(
      new DeleteItemCommand({
        TableName: table,
        Key,
        ConditionExpression: "holder = :held",
        ExpressionAttributeValues: { ":held": { S: current } },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
  }
  return true;
}

/**
 * Detaches the verifier's file system mount. True once it is detached or Lambda is applying the detach (the
 * next attach waits for that update itself); false while Lambda still applies another update (an attach),
 * which cannot be changed until it ends.
 */
export async function detachVerifier(functionName: string): Promise<boolean> {
  const lambda = client(LambdaClient);
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  if (!current.FileSystemConfigs?.length) return true;
  if (current.LastUpdateStatus === "InProgress") return false;
  try {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: functionName, FileSystemConfigs: [] }),
    );
  } catch (error) {
    // Another update started between the two calls.
    if ((error as Error).name === "ResourceConflictException") return false;
    throw error;
  }
  return true;
}

/**
 * Points the verifier's file system mount at an access point. Returns true once Lambda reports the update
 * done: until then the function still has the old configuration. An update of this mount that Lambda reports
 * Failed throws `VerifierMountError` with Lambda's reason (it would not apply by waiting).
 */
export async function attachVerifier(
  functionName: string,
  accessPointArn: string,
  mountPath: string,
  drillId?: string,
): Promise<boolean> {
  const lambda = client(LambdaClient);
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  if (current.FileSystemConfigs?.[0]?.Arn === accessPointArn) {
    if (current.LastUpdateStatus === "Failed")
      throw new VerifierMountError(
        `Lambda could not mount the restored file system on the verifier ${functionName}: ${current.LastUpdateStatusReasonCode ?? "Failed"}: ${current.LastUpdateStatusReason ?? "no reason given"}`,
        drillId ? { drillId } : undefined,
      );
    return current.LastUpdateStatus === "Successful";
  }
  if (current.LastUpdateStatus === "InProgress") return false;
  try {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        FileSystemConfigs: [{ Arn: accessPointArn, LocalMountPath: mountPath }],
      }),
    );
  } catch (error) {
    // Another update started between the two calls.
    if ((error as Error).name !== "ResourceConflictException") throw error;
  }
  return false;
}
