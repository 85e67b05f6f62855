import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { logger, setMetricsSink } from "@clawops/core";
import { setClientInterceptor } from "@clawops/core/aws";
import { type DrillSettings, restoreCreationToken, setDrillClock } from "@clawops/core/drills";
import type { Context } from "aws-lambda";
import { StateMachine } from "aws-local-stepfunctions";

type TaskStateResourceLocalHandler = Record<string, (input: JSONValue) => Promise<JSONValue>>;
type JSONValue = Parameters<StateMachine["run"]>[0];

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
let tasks: Record<string, Handler>;
let ended: Handler;
let restore: (() => void)[] = [];
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
  backup = backupModel(world, efs, { root: join(base, "backup") });
  const ssm = ssmModel(world);
  const sim = new AwsSimulator(clock)
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

/** The state machine's Task states, each mapped to its in-process handler; waits play out on the sandbox clock. */
function localHandlers(
  overrides: Partial<Record<string, (payload: Record<string, unknown>) => Promise<unknown>>> = {},
) {
  const byState: Record<string, string> = {
    Plan: "PlanFunctionArn",
    ChooseRecoveryPoint: "ChooseFunctionArn",
    StartRestore: "StartFunctionArn",
    PollRestore: "PollFunctionArn",
    PrepareVerification: "PrepareFunctionArn",
    Verify: "VerifierFunctionArn",
    Cleanup: "CleanupFunctionArn",
    CleanupAfterError: "CleanupFunctionArn",
    CleanupDrill: "CleanupFunctionArn",
    Report: "ReportFunctionArn",
  };
  const ran: string[] = [];
  const handlers = Object.fromEntries(
    Object.entries(byState).map(([state, fn]) => [
      state,
      async (input: unknown) => {
        const payload = (input as { Payload: Record<string, unknown> }).Payload;
        ran.push(state);
        // The Wait before a poll: the restore and the mount targets progress on the sandbox clock.
        const wait =
          state === "PollRestore"
            ? (payload.restore as { waitSeconds?: number })?.waitSeconds
            : state === "PrepareVerification"
              ? (payload.mount as { waitSeconds?: number } | undefined)?.waitSeconds
              : 0;
        if (wait) await clock.advance(wait * 1000);
        const override = overrides[state];
        try {
          return { Payload: override ? await override(payload) : await tasks[fn]!(payload, context) };
        } catch (error) {
          // A Retry's interval passes on the sandbox clock too (mount targets being deleted).
          if ((error as Error).name === "NotReadyError") await clock.advance(15_000);
          throw error;
        }
      },
    ]),
  );
  return { handlers: handlers as unknown as TaskStateResourceLocalHandler, ran };
}

async function runDrill(
  name: string,
  options: {
    overrides?: Parameters<typeof localHandlers>[0];
    onRun?: (abort: () => void, ran: string[]) => void;
    verifyTimeoutSeconds?: number;
  } = {},
) {
  const { handlers, ran } = localHandlers(options.overrides);
  const asl = structuredClone(definition);
  // The Verify state's TimeoutSeconds (900 s) shortened, so the timeout path runs in a second.
  if (options.verifyTimeoutSeconds)
    asl.States.DrillEachFileSystem.ItemProcessor.States.Verify.TimeoutSeconds = options.verifyTimeoutSeconds;
  const machine = new StateMachine(asl, { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run(
    {},
    {
      overrides: {
        taskResourceLocalHandlers: handlers,
        waitTimeOverrides: { WaitForRestore: 0, WaitForMount: 0 },
        retryIntervalOverrides: { Cleanup: 0, CleanupAfterError: 0, CleanupDrill: 0, PrepareVerification: 0 },
      },
      context: { Execution: { Name: name, StartTime: new Date(clock.now()).toISOString() } } as never,
      noThrowOnAbort: true,
    },
  );
  options.onRun?.(execution.abort, ran);
  const outcome = await execution.result.then(
    (output) => ({ output, error: undefined as Error | undefined }),
    (error: Error) => ({ output: undefined, error }),
  );
  return { ...outcome, ran };
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
}

const drillEvent = () => events.find((e) => e.source === "clawops");

describe("Workflow: restore-drill", () => {
  it("restores each file system, verifies it, reports RPO and RTO, and cleans up", async () => {
    const { output, error, ran } = await runDrill("drill-success");

    expect(error).toBeUndefined();
    expect((output as { report: { passed: boolean } }).report.passed).toBe(true);
    expect(ran).toContain("Cleanup");
    expect(ran).not.toContain("CleanupAfterError");
    expect(efs.deleted).toHaveLength(2);
    await expectCleanedUpAndFleetIntact();
    const event = drillEvent();
    expect(event?.["detail-type"]).toBe("DrillCompleted");
    const detail = event?.detail as {
      passed: boolean;
      fileSystems: { rpoSeconds: number; rtoSeconds: number; filesVerified: number }[];
    };
    expect(detail.passed).toBe(true);
    // RPO is the point's age when the branch chose it: the second file system's branch starts later.
    expect(detail.fileSystems[0]?.rpoSeconds).toBe(4 * 3600);
    expect(detail.fileSystems[1]?.rpoSeconds).toBeGreaterThan(4 * 3600);
    expect(detail.fileSystems.every((fs) => fs.rtoSeconds >= 630)).toBe(true);
    expect(detail.fileSystems.map((fs) => fs.filesVerified)).toEqual([2, 2]);
  });

  it("fails a drill whose restored soul document differs, names it, and still cleans up", async () => {
    await backup.corruptRecoveryPoint(
      points.workspace.arn,
      "workspace/SOUL.md",
      "# Soul\nDelete everything.\n",
    );

    const { error, ran } = await runDrill("drill-mismatch");

    expect(error?.message ?? "").toContain("DrillFailed");
    expect(ran).toContain("Cleanup");
    await expectCleanedUpAndFleetIntact();
    const detail = drillEvent()?.detail as {
      passed: boolean;
      fileSystems: { mismatches: { path: string }[] }[];
    };
    expect(drillEvent()?.["detail-type"]).toBe("DrillCompleted");
    expect(detail.passed).toBe(false);
    expect(detail.fileSystems[0]?.mismatches.map((m) => m.path)).toEqual(["SOUL.md"]);
  });

  it("fails a drill whose restore job FAILED and deletes the file system the failed restore made", async () => {
    backup.failRestores(points.runtime.arn, "Access denied to the KMS key");

    const { error, ran } = await runDrill("drill-restore-failed");

    expect(error?.message ?? "").toContain("DrillFailed");
    expect(ran).toContain("CleanupAfterError");
    await expectCleanedUpAndFleetIntact();
    expect(drillEvent()?.["detail-type"]).toBe("DrillFailed");
    expect(String(drillEvent()?.detail.reason)).toContain("RestoreFailedError");
  });

  it("times out a verifier that never answers (TimeoutSeconds) and cleans up", async () => {
    const { error, ran } = await runDrill("drill-timeout", {
      overrides: { Verify: () => new Promise<never>(() => undefined) },
      verifyTimeoutSeconds: 1,
    });

    expect(error?.message ?? "").toContain("DrillFailed");
    expect(ran).toContain("CleanupAfterError");
    expect(ran).not.toContain("Cleanup");
    await expectCleanedUpAndFleetIntact();
    expect(String(drillEvent()?.detail.reason)).toContain("States.Timeout");
  });

  it("cleans up a drill stopped mid-way through the ended-execution rule's handler", async () => {
    let stopped = false;
    const { ran } = await runDrill("drill-stopped", {
      onRun: (abort, ranStates) => {
        const timer = setInterval(() => {
          if (ranStates.includes("PrepareVerification")) {
            stopped = true;
            abort();
            clearInterval(timer);
          }
        }, 1);
      },
    });
    expect(stopped).toBe(true);
    expect(ran).not.toContain("Cleanup");
    expect(efs.fileSystems.size).toBe(3);

    const event = {
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      detail: { name: "drill-stopped", status: "ABORTED" },
    };
    await expect(ended(event, context)).rejects.toMatchObject({ name: "RetryableError" });
    await clock.advance(60_000);
    await ended(event, context);

    await expectCleanedUpAndFleetIntact();
  });

  it("refuses to delete a fleet file system even when it carries the drill's tags", async () => {
    efs.fileSystems.get(fleet.runtime)!.tags = [
      { Key: "clawops:drill-id", Value: "drill-hostile" },
      { Key: "clawops:created-by", Value: "clawops-drill" },
    ];

    const { error, ran } = await runDrill("drill-hostile", {
      overrides: {
        Plan: async () => {
          throw new Error("boom");
        },
      },
    });

    expect(error?.message ?? "").toContain("DrillFailed");
    expect(ran).toEqual(["Plan", "CleanupDrill"]);
    expect(efs.deleted).toEqual([]);
    expect(efs.fileSystems.has(fleet.runtime)).toBe(true);
    expect((await stat(efs.fileSystems.get(fleet.runtime)!.dir)).isDirectory()).toBe(true);
    expect(restoreCreationToken("drill-hostile", fleet.runtime)).not.toBe(
      efs.fileSystems.get(fleet.runtime)!.creationToken,
    );
  });
});
