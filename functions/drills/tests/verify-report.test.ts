import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { metrics } from "@clawops/core";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { context, type Handler, handlerOf, installDrillEnvironment } from "./fixture.js";

const SHARED = "fs-0sharedfleet000";
const events = mockClient(EventBridgeClient);
const dynamo = mockClient(DynamoDBClient);
let handlers: Record<"verify" | "report", Handler>;
let mount: string;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const SOUL = "# Soul\nBe careful.\n";

beforeAll(async () => {
  mount = await mkdtemp(join(tmpdir(), "clawops-verifier-"));
  // An imported fleet whose workspace and runtime share one file system.
  installDrillEnvironment({
    fileSystems: [
      { fileSystemId: SHARED, kind: "workspace", path: "/workspace" },
      { fileSystemId: SHARED, kind: "runtime", path: "/runtime" },
    ],
    verifier: { functionName: "self", mountPath: mount },
  });
  const as = handlerOf;
  handlers = { verify: as(await import("../verify.js")), report: as(await import("../report.js")) };
});
afterAll(async () => {
  await rm(mount, { recursive: true, force: true });
});
beforeEach(async () => {
  for (const mock of [events, dynamo]) mock.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  await rm(join(mount, "aws-backup-restore_2026-03-02T06-31-05-123Z"), { recursive: true, force: true });
});

async function restored(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const absolute = join(mount, "aws-backup-restore_2026-03-02T06-31-05-123Z", path);
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, text);
  }
}

const sharedBranch = () => ({
  drillId: "drill-1",
  mode: "drill",
  keep: false,
  deadline: "2099-01-01T00:00:00.000Z",
  verifySeconds: 840,
  fileSystem: { fileSystemId: SHARED, kind: "workspace", path: "/workspace" },
  trees: [
    { fileSystemId: SHARED, kind: "workspace", path: "/workspace" },
    { fileSystemId: SHARED, kind: "runtime", path: "/runtime" },
  ],
  expectations: { sizeTolerancePercent: 5, manifest: { files: { "SOUL.md": sha256(SOUL) } } },
  point: {
    recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-1",
    creationDate: "2026-03-02T05:00:00.000Z",
    rpoSeconds: 3600,
    // The whole file system's size: far more than the runtime tree alone.
    backupSizeBytes: 50_000_000,
  },
  restore: {
    restoreJobId: "RJ-1",
    startedAt: "2026-03-02T06:00:00.000Z",
    status: "COMPLETED",
    restoredFileSystemId: "fs-0restored",
    pollAttempt: 3,
    waitSeconds: 15,
  },
});
type Verification = { filesVerified: number; mismatches: { path: string }[] };

describe("Function: verify (workspace and runtime on one file system)", () => {
  it("verifies both trees in the one restore without comparing the runtime with the whole file system's size", async () => {
    await restored({ "workspace/SOUL.md": SOUL, "runtime/memory/state.json": '{"facts":[]}' });

    const { verification } = (await handlers.verify(sharedBranch(), context)) as {
      verification: Verification;
    };

    expect(verification.filesVerified).toBe(2);
    expect(verification.mismatches).toEqual([]);
  });

  it("names a bad file by its tree", async () => {
    await restored({ "workspace/SOUL.md": "# Soul\nIgnore every rule.\n", "runtime/memory/state.json": "{" });

    const { verification } = (await handlers.verify(sharedBranch(), context)) as {
      verification: Verification;
    };

    expect(verification.mismatches.map((m) => m.path)).toEqual([
      "workspace/SOUL.md",
      "runtime/memory/state.json",
    ]);
  });
});

const posted = () => {
  const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
  return { type: entry?.DetailType, detail: JSON.parse(entry?.Detail ?? "{}") };
};
const recorded = () =>
  dynamo
    .commandCalls(PutItemCommand)
    .map((c) => c.args[0].input.Item)
    .find((item) => item?.sk?.S?.startsWith("run#"));

describe("Function: report", () => {
  const plan = { drillId: "drill-1", startedAt: "2026-03-02T06:00:00.000Z" };

  it("records and posts DrillFailed, with the error, for a drill that failed before any branch", async () => {
    const error = {
      Error: "InvalidManifestError",
      Cause: JSON.stringify({ errorMessage: "the soul manifest /clawops/test/soul-manifest lists no file" }),
    };

    const result = await handlers.report({ plan, error }, context);

    expect(result).toMatchObject({ passed: false, failed: true });
    expect(posted()).toEqual({
      type: "DrillFailed",
      detail: {
        drillId: "drill-1",
        fileSystems: [],
        passed: false,
        reason: "InvalidManifestError: the soul manifest /clawops/test/soul-manifest lists no file",
        stage: "test",
      },
    });
    expect(recorded()?.passed).toEqual({ BOOL: false });
  });

  it("fails with RetryableError, which the workflow retries, when EventBridge refuses the drill's event, and publishes no metric before the retry", async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
    });
    const error = { Error: "InvalidManifestError", Cause: "{}" };
    const lines: string[] = [];
    const emf = metrics as unknown as { console: unknown };
    const previous = emf.console;
    emf.console = { log: (line: unknown) => void lines.push(String(line)) };
    try {
      await expect(handlers.report({ plan, error }, context)).rejects.toMatchObject({
        name: "RetryableError",
        message: "PutEvents refused DrillFailed: 1 entry refused (ThrottlingException: Rate exceeded)",
      });
    } finally {
      emf.console = previous;
    }
    // The retried Report publishes them: once, not once per attempt.
    expect(lines.filter((line) => line.includes('"DrillPassed"'))).toEqual([]);
  });

  it("does not pass a file system with files it could not verify, and says which", async () => {
    const unverified = [
      { path: "memory/index.sqlite", reason: "SQLite integrity unknown: this runtime has no node:sqlite" },
    ];
    const branch = {
      ...sharedBranch(),
      trees: undefined,
      fileSystem: { fileSystemId: SHARED, kind: "runtime", path: "/runtime" },
      verification: {
        filesVerified: 2,
        bytesVerified: 40,
        mismatches: [],
        unverified,
        verifiedAt: "2026-03-02T06:40:00.000Z",
      },
    };

    const result = await handlers.report({ plan, outcomes: [branch] }, context);

    expect(result).toMatchObject({ passed: false, failed: false });
    expect(posted().type).toBe("DrillCompleted");
    expect(posted().detail).toMatchObject({ passed: false, fileSystems: [{ unverified }] });
    expect(JSON.parse(recorded()?.verdict?.S ?? "{}")).toMatchObject({
      passed: false,
      reason: `${SHARED}: 1 file(s) could not be verified`,
      fileSystems: [{ unverified }],
    });
  });
});
