import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { lastRestoreDrills } from "../records.js";

const dynamo = mockClient(DynamoDBClient);

/** A drill record as the drills flow stores it (`pk=drill`, `sk=run#<start>#<id>`). */
const item = (drillId: string, startedAt: string, fileSystemIds: string[], passed = true) => ({
  pk: { S: "drill" },
  sk: { S: `run#${startedAt}#${drillId}` },
  startedAt: { S: startedAt },
  finishedAt: { S: startedAt.replace("T06", "T07") },
  verdict: {
    S: JSON.stringify({
      drillId,
      passed,
      failed: false,
      fileSystems: fileSystemIds.map((fileSystemId) => ({
        fileSystemId,
        rpoSeconds: 3600,
        rtoSeconds: 900,
        filesVerified: 2,
        bytesVerified: 10,
        mismatches: [],
        passed,
      })),
    }),
  },
});

describe("Function: lastRestoreDrills", () => {
  beforeEach(() => dynamo.reset());

  it("reads back past the runtime's validations to the workspace's, newest first, and stops there", async () => {
    const runtimeDays = Array.from({ length: 25 }, (_, i) =>
      item(`validation-run-${i}`, `2026-03-${String(28 - i).padStart(2, "0")}T06:00:00Z`, ["fs-0run"]),
    );
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: runtimeDays, LastEvaluatedKey: { pk: { S: "drill" }, sk: { S: "x" } } })
      .resolvesOnce({
        Items: [item("validation-work", "2026-03-03T06:00:00Z", ["fs-0work"])],
        LastEvaluatedKey: { pk: { S: "drill" }, sk: { S: "y" } },
      });
    const drills = await lastRestoreDrills("clawops-test-state", ["fs-0work", "fs-0run"]);
    expect(drills.map((d) => [d.drillId, d.at, d.fileSystems.map((f) => f.fileSystemId)])).toEqual([
      ["validation-run-0", "2026-03-28T07:00:00Z", ["fs-0run"]],
      ["validation-work", "2026-03-03T07:00:00Z", ["fs-0work"]],
    ]);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: { S: "drill" },
      sk: { S: "x" },
    });
  });

  it("lists a drill that covered both file systems once", async () => {
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [item("cli-1", "2026-03-01T06:00:00Z", ["fs-0work", "fs-0run"])] });
    const drills = await lastRestoreDrills("clawops-test-state", ["fs-0work", "fs-0run"]);
    expect(drills.map((d) => d.drillId)).toEqual(["cli-1"]);
    expect(drills[0]?.fileSystems.map((f) => f.passed)).toEqual([true, true]);
  });

  it("returns nothing when no drill ever ran", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    expect(await lastRestoreDrills("clawops-test-state", ["fs-0work"])).toEqual([]);
  });
});
