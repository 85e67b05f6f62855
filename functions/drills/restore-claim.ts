import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { client } from "@clawops/core/aws";
import { drillNow, RESTORE_JOB_CLAIMS_PK } from "@clawops/core/drills";

/**
 * How long a restore job stays claimed: AWS Backup keeps a restore-testing copy at most 168 hours (its
 * validation window), so no duplicate event can still matter after that. DynamoDB's TTL removes the item.
 */
const CLAIM_SECONDS = 168 * 3600;

/**
 * Claims a restore-testing job for one drill: the first drill that plans its validation owns it. EventBridge
 * delivers an event at least once, and each delivery starts an execution of its own; a second validation of
 * the same job would take the restored file system from the first. True when this drill holds the claim (a
 * retried Plan of the same drill holds it again), false when another drill does.
 */
export async function claimRestoreJob(
  table: string,
  restoreJobId: string,
  drillId: string,
): Promise<boolean> {
  const now = Math.floor(drillNow() / 1000);
  try {
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: RESTORE_JOB_CLAIMS_PK },
          sk: { S: `claim#${restoreJobId}` },
          drillId: { S: drillId },
          expiresAt: { N: String(now + CLAIM_SECONDS) },
        },
        // TTL deletes lazily: an expired claim counts as none.
        ConditionExpression: "attribute_not_exists(pk) OR drillId = :me OR expiresAt < :now",
        ExpressionAttributeValues: { ":me": { S: drillId }, ":now": { N: String(now) } },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}
