import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { client } from "@clawops/core/aws";
import { FailureDrillKeys, type FailureDrillResult } from "@clawops/core/failure-drill";
import type { FailureDrillRecord } from "@clawops/core/readiness";

/**
 * One item per drill: `pk=drill#failure`, `sk=run#<start ISO>#<id>`. Attribute `record` is exactly the
 * `FailureDrillRecord` readiness reads (functions/readiness/records.ts); `result` keeps the whole verdict
 * for `clawops drill --failure` and the history.
 */
export async function storeDrillRecord(
  table: string,
  result: FailureDrillResult,
  record: FailureDrillRecord,
  days: number,
): Promise<void> {
  const finished = Date.parse(result.finishedAt);
  await client(DynamoDBClient).send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: FailureDrillKeys.pk },
        sk: { S: FailureDrillKeys.run(result.startedAt, result.drillId) },
        drillId: { S: result.drillId },
        startedAt: { S: result.startedAt },
        finishedAt: { S: result.finishedAt },
        passed: { BOOL: result.passed },
        record: { S: JSON.stringify(record) },
        result: { S: JSON.stringify(result) },
        expiresAt: { N: String(Math.floor(finished / 1000) + days * 86_400) },
      },
    }),
  );
}
