import { type AttributeValue, DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import { parseManifest } from "@clawops/core/fleet";
import type { EvalReport, FailureDrillRecord, RestoreDrillRecord } from "@clawops/core/readiness";

/**
 * Where readiness reads and writes in the state table:
 * - restore drills: the drills flow's `pk=drill`, `sk=run#<start>#<id>`, attribute `verdict` (JSON);
 * - failure drills: `pk=drill#failure`, `sk=run#<start>#<id>`, attribute `record` (JSON FailureDrillRecord);
 * - eval results: `pk=evals` (and `pk=evals#scheduled` for scheduled runs), `sk=run#<runAt>`, attribute `report`.
 */
export const RecordKeys = {
  restoreDrill: "drill",
  failureDrill: "drill#failure",
  evals: "evals",
  scheduledEvals: "evals#scheduled",
} as const;

const EVAL_RECORD_DAYS = 400;

async function latest(table: string, pk: string): Promise<Record<string, { S?: string }> | undefined> {
  const { Items = [] } = await client(DynamoDBClient).send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
      ExpressionAttributeValues: { ":pk": { S: pk }, ":run": { S: "run#" } },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return Items[0] as Record<string, { S?: string }> | undefined;
}

/** Records read per page, and pages at most, while looking for a drill of every fleet file system. */
const DRILL_PAGE = 25;
const DRILL_PAGES = 8;

/**
 * For each of `fileSystemIds`, the newest restore drill record that covered it, newest first (a drill that
 * covered several is listed once). Restore-testing validations are one record per file system, so the newest
 * record alone may be about another one: this reads back (at most 200 records) until each is found.
 */
export async function lastRestoreDrills(
  table: string,
  fileSystemIds: readonly string[],
): Promise<RestoreDrillRecord[]> {
  const wanted = new Set(fileSystemIds);
  const found: RestoreDrillRecord[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < DRILL_PAGES && wanted.size > 0; page++) {
    const { Items = [], LastEvaluatedKey } = await client(DynamoDBClient).send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
        ExpressionAttributeValues: { ":pk": { S: RecordKeys.restoreDrill }, ":run": { S: "run#" } },
        ScanIndexForward: false,
        Limit: DRILL_PAGE,
        ExclusiveStartKey,
      }),
    );
    for (const item of Items) {
      const record = restoreDrillRecord(item as Record<string, { S?: string }>);
      // A record without file systems failed before it reached any: it speaks for all of them.
      const covered = record?.fileSystems.length
        ? record.fileSystems.map((f) => f.fileSystemId).filter((id) => wanted.has(id))
        : [...wanted];
      if (!record || covered.length === 0) continue;
      found.push(record);
      for (const id of covered) wanted.delete(id);
    }
    ExclusiveStartKey = LastEvaluatedKey;
    if (!ExclusiveStartKey) break;
  }
  return found;
}

/** A drill record (the drills flow's `verdict`), reduced to what the checks read. */
function restoreDrillRecord(item: Record<string, { S?: string }>): RestoreDrillRecord | undefined {
  if (!item.verdict?.S) return undefined;
  const verdict = JSON.parse(item.verdict.S) as Omit<RestoreDrillRecord, "at">;
  return {
    drillId: verdict.drillId,
    at: item.finishedAt?.S ?? item.startedAt?.S ?? new Date(0).toISOString(),
    passed: verdict.passed,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
    fileSystems: (verdict.fileSystems ?? []).map((f) => ({
      fileSystemId: f.fileSystemId,
      rpoSeconds: f.rpoSeconds,
      rtoSeconds: f.rtoSeconds,
      mismatches: f.mismatches ?? [],
      ...(typeof f.passed === "boolean" ? { passed: f.passed } : {}),
      ...(f.failure ? { failure: f.failure } : {}),
    })),
  };
}

export async function lastFailureDrill(table: string): Promise<FailureDrillRecord | null> {
  const item = await latest(table, RecordKeys.failureDrill);
  return item?.record?.S ? (JSON.parse(item.record.S) as FailureDrillRecord) : null;
}

export async function lastEvals(
  table: string,
): Promise<{ latest: EvalReport | null; lastScheduled: EvalReport | null }> {
  const [any, scheduled] = await Promise.all([
    latest(table, RecordKeys.evals),
    latest(table, RecordKeys.scheduledEvals),
  ]);
  const report = (item: typeof any) => (item?.report?.S ? (JSON.parse(item.report.S) as EvalReport) : null);
  return { latest: report(any), lastScheduled: report(scheduled) };
}

/** Stores ingested eval results (under the scheduled key too when they come from the scheduled run). */
export async function storeEvals(table: string, report: EvalReport): Promise<void> {
  const expiresAt = {
    N: String(Math.floor(Date.parse(report.ingestedAt) / 1000) + EVAL_RECORD_DAYS * 86400),
  };
  const keys = report.scheduled ? [RecordKeys.evals, RecordKeys.scheduledEvals] : [RecordKeys.evals];
  for (const pk of keys)
    await client(DynamoDBClient).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: pk },
          sk: { S: `run#${report.runAt}` },
          report: { S: JSON.stringify(report) },
          expiresAt,
        },
      }),
    );
}

/** The deployed soul-document manifest (path → SHA-256); `null` when the parameter does not exist. */
export async function deployedManifest(parameterName: string): Promise<Record<string, string> | null> {
  try {
    const { Parameter } = await client(SSMClient).send(new GetParameterCommand({ Name: parameterName }));
    return Parameter?.Value ? { ...parseManifest(Parameter.Value).files } : null;
  } catch (error) {
    if (error instanceof Error && error.name === "ParameterNotFound") return null;
    throw error;
  }
}
