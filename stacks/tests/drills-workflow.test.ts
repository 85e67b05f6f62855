import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { logger, setMetricsSink } from "@clawops/core";
import { client, setClientInterceptor } from "@clawops/core/aws";
import { type DrillSettings, restoreCreationToken, setDrillClock } from "@clawops/core/drills";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type BackupModel,
  backupModel,
  type SandboxRecoveryPoint,
} from "../../packages/sandbox/src/aws/backup.js";
import { dynamoDbProxyModel } from "../../packages/sandbox/src/aws/dynamodb-proxy.js";
import { type EfsModel, efsModel, lambdaMountModel } from "../../packages/sandbox/src/aws/efs.js";
import { eventBridgeModel } from "../../packages/sandbox/src/aws/eventbridge.js";
import { AwsSimulator } from "../../packages/sandbox/src/aws/simulator.js";
import { ssmModel } from "../../packages/sandbox/src/aws/ssm.js";
import { type SandboxEvent, SandboxWorld } from "../../packages/sandbox/src/aws/world.js";
import { SandboxClock } from "../../packages/sandbox/src/clock.js";
import { createStateTable, type LocalDynamo, startDynamo } from "../../packages/sandbox/src/dynamo.js";
import { type ExecutionRecord, LocalStepFunctions } from "../../packages/sandbox/src/stepfunctions.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const definition = JSON.parse(
  await readFile(new URL("../workflows/restore-drill.asl.json", import.meta.url), "utf8"),
);
const context = {
  functionName: "clawops-test-drills",
  awsRequestId: "r",
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const SOUL = { "SOUL.md": "# Soul\nBe careful.\n", "IDENTITY.md": "# Identity\nclawops\n" };
const RUNTIME = {
  "sessions/2026-11-26.jsonl": '{"role":"user","text":"hi"}\n',
  "memory/state.json": '{"facts":[]}',
};

let dynamo: LocalDynamo;
let root: string;
let clock: SandboxClock;
let world: SandboxWorld;
let efs: EfsModel;
let backup: BackupModel;
let events: SandboxEvent[];
let fleet: { workspace: string; runtime: string };
let points: Record<"workspace" | "runtime", SandboxRecoveryPoint>;
let sim: AwsSimulator;
let ssm: ReturnType<typeof ssmModel>;
let tasks: Record<string, Handler>;
let ended: Handler;
let restore: (() => void)[] = [];
/** When the sandbox's restores make their file system (AWS does not document it; clawops handles both). */
let fileSystemAppears: "running" | "completed" = "running";
/** How long the sandbox's restore jobs run (its default unless a test sets it). */
let restoreRunMs: number | undefined;
const table = "clawops-test-state";

beforeAll(async () => {
  dynamo = await startDynamo();
  await createStateTable(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    }),
    table,
  );
  logger.setLogLevel("SILENT");
  process.env.CLAWOPS_STATE_TABLE = table;
  process.env.CLAWOPS_STAGE = "test";
  root = await mkdtemp(join(tmpdir(), "clawops-drill-wf-"));
  process.env.CLAWOPS_SETTINGS = JSON.stringify({
    fleetName: "openclaw",
    vaultName: "clawops-test-openclaw",
    restoreRoleArn: "arn:aws:iam::123456789012:role/clawops-test-restore",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    // The world's ids are deterministic: the fleet's two file systems are made first, in this order.
    fileSystems: [],
    manifestParameterName: "/clawops/test/soul-manifest",
    verifier: {
      functionName: "clawops-test-verifier",
      subnetIds: ["subnet-a", "subnet-b"],
      mountTargetSecurityGroupIds: ["sg-0drill"],
      mountPath: join(root, "mnt", "drill"),
      perFileSystem: {},
    },
    timeoutMinutes: 180,
    verifyTimeoutSeconds: 1,
  } satisfies Partial<DrillSettings>);
});
afterAll(async () => {
  await dynamo.close();
  await rm(root, { recursive: true, force: true });
});

async function put(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

beforeEach(async () => {
  const base = await mkdtemp(join(root, "run-"));
  await mkdir(join(root, "mnt"), { recursive: true });
  clock = new SandboxClock();
  world = new SandboxWorld(clock);
  events = [];
  world.onEvent((e) => events.push(e));
  efs = efsModel(world, {
    root: join(base, "efs"),
    subnetZones: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b" },
  });
  backup = backupModel(world, efs, {
    root: join(base, "backup"),
    timings: { fileSystemAppears, ...(restoreRunMs ? { runMs: restoreRunMs } : {}) },
  });
  ssm = ssmModel(world);
  sim = new AwsSimulator(clock)
    .register(efs)
    .register(backup)
    .register(lambdaMountModel(world, efs, { mountPath: join(root, "mnt", "drill") }))
    .register(ssm)
    .register(eventBridgeModel(world))
    .register(dynamoDbProxyModel(dynamo.endpoint));
  const workspace = await efs.createFileSystem({ creationToken: "fleet-workspace" });
  const runtime = await efs.createFileSystem({ creationToken: "fleet-runtime" });
  fleet = { workspace: workspace.fileSystemId, runtime: runtime.fileSystemId };
  await put(join(workspace.dir, "workspace"), SOUL);
  await put(join(runtime.dir, "runtime"), RUNTIME);
  ssm.parameters.set("/clawops/test/soul-manifest", {
    Value: JSON.stringify({
      files: Object.fromEntries(Object.entries(SOUL).map(([p, t]) => [p, sha256(t)])),
    }),
    Type: "String",
    Version: 1,
    LastModifiedDate: clock.now(),
  });
  await clock.advance(3_600_000);
  points = {
    workspace: await backup.backup(fleet.workspace, "clawops-test-openclaw"),
    runtime: await backup.backup(fleet.runtime, "clawops-test-openclaw"),
  };
  await clock.advance(4 * 3_600_000);
  const settings = JSON.parse(process.env.CLAWOPS_SETTINGS ?? "{}");
  settings.fileSystems = [
    { fileSystemId: fleet.workspace, kind: "workspace", path: "/workspace" },
    { fileSystemId: fleet.runtime, kind: "runtime", path: "/runtime" },
  ];
  // As the stack deploys it: a verifier per file system, each with its own mount.
  settings.verifier.perFileSystem = {
    [fleet.workspace]: {
      functionName: "clawops-test-verifier-workspace",
      mountPath: join(root, "mnt", "drill-w"),
    },
    [fleet.runtime]: {
      functionName: "clawops-test-verifier-runtime",
      mountPath: join(root, "mnt", "drill-r"),
    },
  };
  process.env.CLAWOPS_SETTINGS = JSON.stringify(settings);
  restore = [
    setClientInterceptor(sim),
    setDrillClock(() => clock.now()),
    setMetricsSink({ log() {}, info() {}, warn() {}, error() {}, debug() {} }),
  ];
  ({ drillTasks: tasks } = (await import("../../functions/drills/tasks.js")) as unknown as {
    drillTasks: Record<string, Handler>;
  });
  ({ handler: ended } = (await import("../../functions/drills/execution-ended.js")) as unknown as {
    handler: Handler;
  });
});
afterEach(() => {
  for (const undo of restore.reverse()) undo();
});

/** Each Task state's function, as the stack's definition substitutions (and Plan, for Verify) name it. */
const FUNCTION_OF_STATE: Record<string, string> = {
  Plan: "PlanFunctionArn",
  ChooseRecoveryPoint: "ChooseFunctionArn",
  StartRestore: "StartFunctionArn",
  PollRestore: "PollFunctionArn",
  PrepareWhileRestoring: "PrepareFunctionArn",
  PrepareVerification: "PrepareFunctionArn",
  Verify: "VerifierFunctionArn",
  StartCleanup: "CleanupFunctionArn",
  StartCleanupAfterError: "CleanupFunctionArn",
  FinishCleanup: "CleanupFunctionArn",
  CleanupDrill: "CleanupFunctionArn",
  Report: "ReportFunctionArn",
  ReportFailure: "ReportFunctionArn",
  ReportTheReportError: "ReportFunctionArn",
};

type Override = (payload: Record<string, unknown>) => Promise<unknown>;

/** A task that fails with `message`, as a function whose dependency is down. */
const failing =
  (message: string): Override =>
  async () => {
    throw new Error(message);
  };

/** EventBridge down: the report of the outcomes fails, and so does the report of that failure. */
const EVENTBRIDGE_DOWN: Record<string, Override> = {
  Report: failing("PutEvents is down"),
  ReportTheReportError: failing("PutEvents is down"),
};

/**
 * Runs the drill on the sandbox's Step Functions engine (Waits and Retry intervals on the sandbox clock, every
 * Task state mapped to its in-process handler) and moves the clock until the execution ends. `stopAt` stops
 * the execution when that state first runs. Returns the states that ran, in order, with their inputs.
 */
async function runDrill(
  name: string,
  options: {
    overrides?: Record<string, Override>;
    stopAt?: string;
    verifyTimeoutSeconds?: number;
    input?: unknown;
  } = {},
) {
  const asl = structuredClone(definition);
  // The Verify state's TimeoutSeconds (900 s, real time in the local engine) shortened for the timeout path.
  if (options.verifyTimeoutSeconds)
    asl.States.DrillEachFileSystem.ItemProcessor.States.Verify.TimeoutSeconds = options.verifyTimeoutSeconds;
  const engine = new LocalStepFunctions(world);
  const ran: string[] = [];
  const inputs: { state: string; input: { FunctionName?: string; Payload: Record<string, unknown> } }[] = [];
  let execution: ExecutionRecord | undefined;
  const handlers = Object.fromEntries(
    Object.entries(FUNCTION_OF_STATE).map(([state, fn]) => [
      state,
      async (input: unknown) => {
        const call = input as { FunctionName?: string; Payload: Record<string, unknown> };
        ran.push(state);
        inputs.push({ state, input: call });
        if (state === options.stopAt && execution) engine.stop(execution.executionArn);
        const override = options.overrides?.[state];
        // A handler's real I/O (DynamoDB on loopback) takes no sandbox time; an override may hang on purpose.
        const output = override
          ? await override(call.Payload)
          : await clock.track(tasks[fn]!(call.Payload, context));
        return { Payload: output };
      },
    ]),
  );
  const machine = engine.define({ name: "restore-drill", definition: asl, handlers });
  execution = engine.start(machine, options.input ?? {}, name);
  const record = execution;
  // The clock moves while something waits on it; while a Task works (or hangs) in real time, real time passes.
  while (record.status === "RUNNING") {
    if (clock.pending() > 0) await clock.advance(1_000);
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await record.done;
  return { execution: record, ran, inputs };
}

/** The guard held: the fleet's file systems are intact, and no drill resource is left. */
async function expectCleanedUpAndFleetIntact(): Promise<void> {
  expect(efs.deleted).not.toContain(fleet.workspace);
  expect(efs.deleted).not.toContain(fleet.runtime);
  expect(
    await readFile(join(efs.fileSystems.get(fleet.workspace)!.dir, "workspace", "SOUL.md"), "utf8"),
  ).toBe(SOUL["SOUL.md"]);
  expect([...efs.fileSystems.keys()].sort()).toEqual([fleet.workspace, fleet.runtime].sort());
  expect(efs.accessPoints.size).toBe(0);
  expect(efs.mountTargets.size).toBe(0);
  // No verifier is left mounted on a deleted access point, or locked for the next drill.
  for (const name of VERIFIERS) {
    const config = await client(LambdaClient).send(
      new GetFunctionConfigurationCommand({ FunctionName: name }),
    );
    expect({ name, mounts: config.FileSystemConfigs ?? [] }).toEqual({ name, mounts: [] });
    expect({ name, lock: await verifierLockHolder(name) }).toEqual({ name, lock: undefined });
  }
}

const VERIFIERS = ["clawops-test-verifier-workspace", "clawops-test-verifier-runtime"];

/** Which drill branch holds a verifier's lock item, if any. */
async function verifierLockHolder(functionName: string): Promise<string | undefined> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: "drill#verifier" }, sk: { S: `lock#${functionName}` } },
      ConsistentRead: true,
    }),
  );
  return Item?.holder?.S;
}

const drillEvent = () => events.find((e) => e.source === "clawops");

/** The drill's restored file systems still in EFS (not the fleet's). */
const restoredLeft = () =>
  [...efs.fileSystems.keys()].filter((id) => id !== fleet.workspace && id !== fleet.runtime);

/** The ended-execution rule's handler on the event Step Functions published as the execution ended. */
async function ruleOnEnd(name: string): Promise<void> {
  const endEvent = events.find(
    (e) => e.source === "aws.states" && e.detail.name === name && e.detail.status !== "RUNNING",
  );
  expect(endEvent?.detail.input).toBeTypeOf("string");
  await ended(endEvent, context);
}

/**
 * The ended-execution rule's handler on a stopped drill: the first call starts deleting the mount targets and
 * asks to be retried; the retry, once EFS has deleted them (60 s in the model), removes the file systems.
 */
async function cleanUpAfterStop(name: string): Promise<void> {
  const event = {
    source: "aws.states",
    "detail-type": "Step Functions Execution Status Change",
    detail: { name, status: "ABORTED" },
  };
  await expect(ended(event, context)).rejects.toMatchObject({ name: "RetryableError" });
  await clock.advance(60_000);
  await ended(event, context);
}

describe("Workflow: restore-drill", () => {
  it("restores every file system at once, verifies each on its own verifier, reports RPO and RTO, and cleans up", async () => {
    const { execution, ran, inputs } = await runDrill("drill-success");

    expect(execution.status).toBe("SUCCEEDED");
    expect(JSON.parse(execution.output ?? "{}").report.passed).toBe(true);
    expect(ran.filter((s) => s === "StartCleanup")).toHaveLength(2);
    expect(ran.filter((s) => s === "FinishCleanup").length).toBeGreaterThanOrEqual(2);
    expect(ran).not.toContain("StartCleanupAfterError");
    expect(efs.deleted).toHaveLength(2);
    await expectCleanedUpAndFleetIntact();
    // Both restores started at the same moment, each verified by the verifier of its file system.
    const started = [...backup.restoreJobs.values()].map((job) => job.creationDate);
    expect(new Set(started).size).toBe(1);
    expect(inputs.filter((c) => c.state === "Verify").map((c) => c.input.FunctionName)).toEqual(
      expect.arrayContaining(["clawops-test-verifier-workspace", "clawops-test-verifier-runtime"]),
    );
    const attached = sim
      .calls("Lambda", "UpdateFunctionConfiguration")
      .filter((c) => ((c.input.FileSystemConfigs as unknown[] | undefined) ?? []).length > 0)
      .map((c) => c.input.FunctionName);
    expect(attached.sort()).toEqual(["clawops-test-verifier-runtime", "clawops-test-verifier-workspace"]);
    const event = drillEvent();
    expect(event?.["detail-type"]).toBe("DrillCompleted");
    const detail = event?.detail as {
      passed: boolean;
      fileSystems: { rpoSeconds: number; rtoSeconds: number; filesVerified: number }[];
    };
    expect(detail.passed).toBe(true);
    expect(detail.fileSystems.map((fs) => fs.rpoSeconds)).toEqual([4 * 3600, 4 * 3600]);
    expect(detail.fileSystems.every((fs) => fs.rtoSeconds >= 630)).toBe(true);
    expect(detail.fileSystems.map((fs) => fs.filesVerified)).toEqual([2, 2]);
  });

  it("prepares the mount targets, access point and verifier mount while the restore runs, and verifies as soon as a poll sees it completed", async () => {
    const verifyAt: number[] = [];
    const { execution, ran } = await runDrill("drill-overlap", {
      overrides: {
        Verify: async (payload) => {
          verifyAt.push(clock.now());
          return clock.track(tasks.VerifierFunctionArn!(payload, context));
        },
      },
    });

    expect(execution.status).toBe("SUCCEEDED");
    expect(ran).toContain("PrepareWhileRestoring");
    const completed = Math.max(...[...backup.restoreJobs.values()].map((job) => job.completionDate ?? 0));
    const attaches = sim
      .calls("Lambda", "UpdateFunctionConfiguration")
      .filter((c) => ((c.input.FileSystemConfigs as unknown[] | undefined) ?? []).length > 0);
    expect(attaches).toHaveLength(2);
    expect(attaches.every((c) => c.at < completed)).toBe(true);
    expect(sim.calls("EFS", "CreateMountTarget").every((c) => c.at < completed)).toBe(true);
    // One restore poll interval (15 s) at most between the restore's end and its verification.
    expect(verifyAt).toHaveLength(2);
    for (const at of verifyAt) expect(at - completed).toBeLessThanOrEqual(15_000);
    await expectCleanedUpAndFleetIntact();
  });

  describe("when the restored file system appears only as the job completes", () => {
    beforeAll(() => {
      fileSystemAppears = "completed";
    });
    afterAll(() => {
      fileSystemAppears = "running";
    });

    it("prepares the verification after the restore instead, and still passes and cleans up", async () => {
      const { execution, ran } = await runDrill("drill-late-file-system");

      expect(execution.status).toBe("SUCCEEDED");
      expect(JSON.parse(execution.output ?? "{}").report.passed).toBe(true);
      expect(ran).not.toContain("PrepareWhileRestoring");
      const completed = Math.min(...[...backup.restoreJobs.values()].map((job) => job.completionDate ?? 0));
      expect(sim.calls("EFS", "CreateMountTarget").every((c) => c.at >= completed)).toBe(true);
      await expectCleanedUpAndFleetIntact();
    });
  });

  it("reports the verdict while EFS deletes the mount targets, and ends only once the file systems are gone", async () => {
    let reportedAt = 0;
    const { execution } = await runDrill("drill-report-first", {
      overrides: {
        Report: async (payload) => {
          reportedAt = clock.now();
          return clock.track(tasks.ReportFunctionArn!(payload, context));
        },
      },
    });

    const deletes = sim.calls("EFS", "DeleteFileSystem").filter((c) => c.outcome === "ok");
    expect(deletes).toHaveLength(2);
    expect(reportedAt).toBeGreaterThan(0);
    expect(deletes.every((c) => c.at > reportedAt)).toBe(true);
    expect(execution.stopDate).toBeGreaterThanOrEqual(Math.max(...deletes.map((c) => c.at)));
    await expectCleanedUpAndFleetIntact();
  });

  it("still cleans up everything when the report fails while the cleanup is finishing", async () => {
    const { execution, ran } = await runDrill("drill-report-fails", {
      overrides: EVENTBRIDGE_DOWN,
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("CleanupDrill");
    expect(efs.deleted).toHaveLength(2);
    await expectCleanedUpAndFleetIntact();
  });

  it("never mounts two file systems on one verifier at once when they share it", async () => {
    const settings = JSON.parse(process.env.CLAWOPS_SETTINGS ?? "{}");
    const shared = { ...settings, verifier: { ...settings.verifier, perFileSystem: {} } };
    process.env.CLAWOPS_SETTINGS = JSON.stringify(shared);
    try {
      const { execution, ran } = await runDrill("drill-shared-verifier");

      expect(execution.status).toBe("SUCCEEDED");
      const attaches = sim
        .calls("Lambda", "UpdateFunctionConfiguration")
        .map((c) => ((c.input.FileSystemConfigs as unknown[] | undefined) ?? []).length > 0);
      // attach, detach, attach, detach: the second branch waited for the first to let go.
      expect(attaches).toEqual([true, false, true, false]);
      expect(ran.filter((s) => s === "Verify")).toHaveLength(2);
      await expectCleanedUpAndFleetIntact();
    } finally {
      process.env.CLAWOPS_SETTINGS = JSON.stringify(settings);
    }
  });

  it("validates a restore-testing job: removes its own mount targets before setting the status, leaves the file system to AWS", async () => {
    const job = backup.startRestoreTestingJob(
      points.runtime.arn,
      "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:weekly",
    );
    await clock.advance(631_000);
    const completed = events.find((e) => e.source === "aws.backup" && e.detail.status === "COMPLETED");
    const restored = job.createdFileSystemId ?? "";
    let mountTargetsAtReport = -1;

    const { execution } = await runDrill("validate-runtime", {
      input: completed,
      overrides: {
        Report: async (payload) => {
          mountTargetsAtReport = [...efs.mountTargets.values()].filter(
            (m) => m.fileSystemId === restored,
          ).length;
          return clock.track(tasks.ReportFunctionArn!(payload, context));
        },
      },
    });

    expect(execution.status).toBe("SUCCEEDED");
    expect(backup.restoreJobs.get(job.restoreJobId)?.validationStatus).toBe("SUCCESSFUL");
    expect(mountTargetsAtReport).toBe(0);
    expect(efs.accessPoints.size).toBe(0);
    expect(efs.fileSystems.has(restored)).toBe(true);
    expect(efs.deleted).toEqual([]);
  });

  it("fails a drill whose restored soul document differs, names it, and still cleans up", async () => {
    await backup.corruptRecoveryPoint(
      points.workspace.arn,
      "workspace/SOUL.md",
      "# Soul\nDelete everything.\n",
    );

    const { execution, ran } = await runDrill("drill-mismatch");

    expect(execution.status).toBe("FAILED");
    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("StartCleanup");
    await expectCleanedUpAndFleetIntact();
    const detail = drillEvent()?.detail as {
      passed: boolean;
      fileSystems: { mismatches: { path: string }[] }[];
    };
    expect(drillEvent()?.["detail-type"]).toBe("DrillCompleted");
    expect(detail.passed).toBe(false);
    expect(detail.fileSystems[0]?.mismatches.map((m) => m.path)).toEqual(["SOUL.md"]);
  });

  it("keeps the restored file systems of a --keep drill that does not pass, and the ended-execution rule keeps them too", async () => {
    await backup.corruptRecoveryPoint(
      points.workspace.arn,
      "workspace/SOUL.md",
      "# Soul\nDelete everything.\n",
    );

    const { execution } = await runDrill("drill-keep-mismatch", { input: { keep: true } });

    expect(execution.error).toBe("DrillFailed");
    expect(restoredLeft()).toHaveLength(2);
    await ruleOnEnd("drill-keep-mismatch");
    expect(restoredLeft()).toHaveLength(2);
    expect(efs.deleted).toEqual([]);
    expect(efs.accessPoints.size).toBe(0);
    expect(efs.mountTargets.size).toBe(0);
  });

  it("keeps the restored file systems of a --keep drill whose report fails (cleanup by drill id)", async () => {
    const { execution, ran } = await runDrill("drill-keep-report-fails", {
      input: { keep: true },
      overrides: EVENTBRIDGE_DOWN,
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("CleanupDrill");
    expect(restoredLeft()).toHaveLength(2);
    expect(efs.deleted).toEqual([]);
    expect(efs.mountTargets.size).toBe(0);
  });

  it("reports a drill whose Plan fails (a soul manifest that is not one) as DrillFailed, and records it", async () => {
    ssm.parameters.set("/clawops/test/soul-manifest", {
      Value: JSON.stringify({ "SOUL.md": sha256(SOUL["SOUL.md"]) }),
      Type: "String",
      Version: 2,
      LastModifiedDate: clock.now(),
    });

    const { execution, ran } = await runDrill("drill-bad-manifest");

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toEqual(["Plan", "ReportFailure", "CleanupDrill"]);
    expect(drillEvent()?.["detail-type"]).toBe("DrillFailed");
    expect(String(drillEvent()?.detail.reason)).toContain("InvalidManifestError");
    const { drillHistory } = await import("../../functions/drills/records.js");
    const record = (await drillHistory(table)).find((r) => r.drillId === "drill-bad-manifest");
    expect(record).toMatchObject({ passed: false });
    expect(record?.verdict.reason).toContain("InvalidManifestError");
  });

  it("posts and records a drill whose report of the outcomes fails, as DrillFailed with the report's error", async () => {
    const { execution, ran } = await runDrill("drill-report-broken", {
      overrides: {
        Report: async () => {
          throw new Error("the outcomes could not be read");
        },
      },
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("ReportTheReportError");
    expect(drillEvent()?.["detail-type"]).toBe("DrillFailed");
    expect(String(drillEvent()?.detail.reason)).toContain("the outcomes could not be read");
    const { drillHistory } = await import("../../functions/drills/records.js");
    const record = (await drillHistory(table)).find((r) => r.drillId === "drill-report-broken");
    expect(record).toMatchObject({ passed: false });
    await expectCleanedUpAndFleetIntact();
  });

  it("reports a drill whose cleanup fails after its report as DrillFailed too, so the leftover is not silent", async () => {
    const { execution, ran } = await runDrill("drill-cleanup-refused", {
      overrides: {
        FinishCleanup: async () => {
          throw Object.assign(new Error("not authorized to perform: elasticfilesystem:DeleteFileSystem"), {
            name: "AccessDeniedException",
          });
        },
      },
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("ReportFailure");
    const posted = events.filter((e) => e.source === "clawops").map((e) => e["detail-type"]);
    expect(posted).toContain("DrillFailed");
    expect(ran.at(-1)).toBe("CleanupDrill");
  });

  it("reports a drill whose branches fail as a whole (the Map fails) as DrillFailed", async () => {
    const { execution, ran } = await runDrill("drill-map-fails", {
      overrides: {
        ChooseRecoveryPoint: async () => {
          throw new Error("Backup is down");
        },
        StartCleanupAfterError: async () => {
          throw new Error("the cleanup function is down");
        },
      },
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("ReportFailure");
    expect(ran.at(-1)).toBe("CleanupDrill");
    expect(drillEvent()?.["detail-type"]).toBe("DrillFailed");
    expect(String(drillEvent()?.detail.reason)).toContain("the cleanup function is down");
    await expectCleanedUpAndFleetIntact();
  });

  it("fails a drill whose restore job FAILED and deletes the file system the failed restore made", async () => {
    backup.failRestores(points.runtime.arn, "Access denied to the KMS key");

    const { execution, ran } = await runDrill("drill-restore-failed");

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("StartCleanupAfterError");
    expect(efs.deleted).toHaveLength(2);
    await expectCleanedUpAndFleetIntact();
    expect(drillEvent()?.["detail-type"]).toBe("DrillFailed");
    expect(String(drillEvent()?.detail.reason)).toContain("RestoreFailedError");
  });

  it("times out a verifier that never answers (TimeoutSeconds) and cleans up", async () => {
    const { execution, ran } = await runDrill("drill-timeout", {
      overrides: { Verify: () => new Promise<never>(() => undefined) },
      verifyTimeoutSeconds: 1,
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toContain("StartCleanupAfterError");
    expect(ran).not.toContain("StartCleanup");
    await expectCleanedUpAndFleetIntact();
    expect(String(drillEvent()?.detail.reason)).toContain("States.Timeout");
  });

  it("cleans up a drill stopped mid-way through the ended-execution rule's handler", async () => {
    const { execution, ran } = await runDrill("drill-stopped", { stopAt: "PrepareVerification" });

    expect(execution.status).toBe("ABORTED");
    expect(ran).not.toContain("StartCleanup");
    expect(efs.fileSystems.size).toBeGreaterThan(2);
    expect(efs.mountTargets.size).toBeGreaterThan(0);

    await cleanUpAfterStop("drill-stopped");

    await expectCleanedUpAndFleetIntact();
  });

  it("cleans up a drill stopped while its restore still runs, mount targets and all, and the restore then fails", async () => {
    const { execution, ran } = await runDrill("drill-stopped-restoring", { stopAt: "PrepareWhileRestoring" });

    expect(execution.status).toBe("ABORTED");
    expect(ran).not.toContain("PrepareVerification");
    expect([...backup.restoreJobs.values()].every((job) => job.status === "RUNNING")).toBe(true);
    expect(efs.mountTargets.size).toBeGreaterThan(0);

    await cleanUpAfterStop("drill-stopped-restoring");
    await expectCleanedUpAndFleetIntact();

    await clock.advance(600_000);
    expect([...backup.restoreJobs.values()].map((job) => job.status)).toEqual(["FAILED", "FAILED"]);
    expect(world.problems).toEqual([]);
    await expectCleanedUpAndFleetIntact();
  });

  it("detaches the verifiers of a drill stopped while verifying before it releases their locks", async () => {
    const { execution } = await runDrill("drill-stopped-verifying", { stopAt: "Verify" });

    expect(execution.status).toBe("ABORTED");
    expect(await verifierLockHolder("clawops-test-verifier-runtime")).toMatch(/^drill-stopped-verifying#/);

    await cleanUpAfterStop("drill-stopped-verifying");

    await expectCleanedUpAndFleetIntact();
  });

  describe("when a restore fails while Lambda still applies its verifier's mount", () => {
    beforeAll(() => {
      // The runtime restore fails 135 s in: its verifier's attach (a minute long) started moments before.
      restoreRunMs = 135_000;
    });
    afterAll(() => {
      restoreRunMs = undefined;
    });

    it("waits for the attach to end, detaches the verifier, then releases its lock", async () => {
      backup.failRestores(points.runtime.arn, "Access denied to the KMS key");

      const { execution, ran } = await runDrill("drill-failed-attaching");

      expect(execution.error).toBe("DrillFailed");
      expect(ran).toContain("StartCleanupAfterError");
      const detaches = sim
        .calls("Lambda", "UpdateFunctionConfiguration")
        .filter((c) => c.input.FunctionName === "clawops-test-verifier-runtime")
        .map((c) => ((c.input.FileSystemConfigs as unknown[] | undefined) ?? []).length);
      expect(detaches).toEqual([1, 0]);
      await expectCleanedUpAndFleetIntact();
    });
  });

  it("refuses to delete a fleet file system even when it carries the drill's tags", async () => {
    efs.fileSystems.get(fleet.runtime)!.tags = [
      { Key: "clawops:drill-id", Value: "drill-hostile" },
      { Key: "clawops:created-by", Value: "clawops-drill" },
      { Key: "clawops:stage", Value: "test" },
    ];

    const { execution, ran } = await runDrill("drill-hostile", {
      overrides: {
        Plan: async () => {
          throw new Error("boom");
        },
      },
    });

    expect(execution.error).toBe("DrillFailed");
    expect(ran).toEqual(["Plan", "ReportFailure", "CleanupDrill"]);
    expect(efs.deleted).toEqual([]);
    expect(efs.fileSystems.has(fleet.runtime)).toBe(true);
    expect((await stat(efs.fileSystems.get(fleet.runtime)!.dir)).isDirectory()).toBe(true);
    expect(restoreCreationToken("drill-hostile", fleet.runtime, "test")).not.toBe(
      efs.fileSystems.get(fleet.runtime)!.creationToken,
    );
  });

  it("retries a task AWS throttled past the SDK's own attempts, instead of failing the drill", async () => {
    let armed = false;
    const { execution, ran } = await runDrill("throttled-poll", {
      overrides: {
        PollRestore: async (payload) => {
          if (!armed) {
            armed = true;
            // Every attempt of the SDK's next DescribeRestoreJob call is throttled: the task fails once.
            sim.inject("Backup.DescribeRestoreJob", { throttle: 5 });
          }
          return clock.track(tasks.PollFunctionArn!(payload, context));
        },
      },
    });
    expect(execution.status).toBe("SUCCEEDED");
    expect(ran).not.toContain("StartCleanupAfterError");
    expect(drillEvent()?.["detail-type"]).toBe("DrillCompleted");
  });
});
