/**
 * The restore drill's control-plane overhead: one drill of the fleet's two file systems through the real
 * `restore-drill.asl.json` on the sandbox's Step Functions engine (Waits and Retry intervals spent on the
 * sandbox clock), with the real handlers against the sandbox's Backup, EFS and Lambda models. Overhead is the
 * drill's wall time minus the time AWS spent restoring (the union of the restore jobs' run times: two jobs
 * running at once are one stretch of restoring, two jobs one after the other are two). Every Lambda invocation
 * is tracked on the clock, so its real I/O (DynamoDB on loopback) takes no sandbox time; what AWS's own API
 * latency and cold starts would add is not modelled here.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { logger, metrics, setMetricsSink, withFunctionEnvironment } from "@clawops/core";
import { setClientInterceptor } from "@clawops/core/aws";
import { setDrillClock } from "@clawops/core/drills";
import type { Context } from "aws-lambda";
import { backupModel, type RestoreTimings } from "../packages/sandbox/src/aws/backup.js";
import { dynamoDbProxyModel } from "../packages/sandbox/src/aws/dynamodb-proxy.js";
import { type EfsTimings, efsModel, lambdaMountModel } from "../packages/sandbox/src/aws/efs.js";
import { eventBridgeModel } from "../packages/sandbox/src/aws/eventbridge.js";
import { AwsSimulator } from "../packages/sandbox/src/aws/simulator.js";
import { ssmModel } from "../packages/sandbox/src/aws/ssm.js";
import { SandboxWorld } from "../packages/sandbox/src/aws/world.js";
import { SandboxClock } from "../packages/sandbox/src/clock.js";
import { createStateTable, startDynamo } from "../packages/sandbox/src/dynamo.js";
import { LocalStepFunctions } from "../packages/sandbox/src/stepfunctions.js";

/** One Task invocation of the drill, on the sandbox clock (seconds from the execution's start). */
export interface TimelineEntry {
  readonly at: number;
  readonly seconds: number;
  readonly task: string;
  readonly fileSystem: string;
  readonly outcome: string;
}

/** Where one file system's branch spent its time, in sandbox seconds. */
export type BranchPhases = Record<string, number>;

/** The drill's overhead and where it went. */
export interface DrillOverhead {
  readonly overheadSeconds: number;
  readonly wallSeconds: number;
  /** Union of the restore jobs' run times (what is subtracted). */
  readonly restoreSeconds: number;
  /** Sum of the restore jobs' run times (equal to the union when they ran one after the other). */
  readonly restoreSumSeconds: number;
  /** By source file system. */
  readonly phases: Record<string, BranchPhases>;
  readonly invocations: number;
  readonly timeline: TimelineEntry[];
  readonly status: string;
}

const round = (n: number) => Math.round(n * 10) / 10;
const FUNCTIONS = ["Plan", "Choose", "Start", "Poll", "Prepare", "Verifier", "Cleanup", "Report"] as const;

/** The models' timings to measure with (defaults: the models' own, see efs.ts and backup.ts). */
export interface OverheadOptions {
  /** Lambda's update of a VPC function's mount. @default LAMBDA_VPC_UPDATE_MS (60 s) */
  readonly lambdaUpdateMs?: number;
  readonly efs?: Partial<EfsTimings>;
  /** When the restored file system appears in EFS (AWS does not say). @default "running" (backup.ts) */
  readonly fileSystemAppears?: RestoreTimings["fileSystemAppears"];
}

/** Runs one drill of two small file systems and measures it. */
export async function measureDrillOverhead(options: OverheadOptions = {}): Promise<DrillOverhead> {
  const root = await mkdtemp(join(tmpdir(), "clawops-bench-drill-run-"));
  const dynamo = await startDynamo();
  const undo: (() => void)[] = [];
  try {
    await createStateTable(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }),
      "bench",
    );
    const clock = new SandboxClock();
    const world = new SandboxWorld(clock);
    const efs = efsModel(world, {
      root: join(root, "efs"),
      subnetZones: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b" },
      ...(options.efs ? { timings: options.efs } : {}),
    });
    const backup = backupModel(world, efs, {
      root: join(root, "backup"),
      ...(options.fileSystemAppears ? { timings: { fileSystemAppears: options.fileSystemAppears } } : {}),
    });
    const ssm = ssmModel(world);
    await mkdir(join(root, "mnt"));
    const sim = new AwsSimulator(clock)
      .register(efs)
      .register(backup)
      .register(
        lambdaMountModel(world, efs, {
          mountPath: join(root, "mnt", "drill"),
          ...(options.lambdaUpdateMs === undefined ? {} : { updateMs: options.lambdaUpdateMs }),
        }),
      )
      .register(ssm)
      .register(eventBridgeModel(world))
      .register(dynamoDbProxyModel(dynamo.endpoint));
    const sources = [
      await efs.createFileSystem({ creationToken: "w" }),
      await efs.createFileSystem({ creationToken: "r" }),
    ];
    for (const fs of sources) {
      await mkdir(join(fs.dir, "data"), { recursive: true });
      await writeFile(join(fs.dir, "data", "a.json"), "{}");
      await backup.backup(fs.fileSystemId, "bench");
    }
    ssm.parameters.set("/bench/manifest", {
      // The soul manifest the drill verifies the workspace against (paths under /data): a drill refuses an empty one.
      Value: JSON.stringify({ files: { "a.json": createHash("sha256").update("{}").digest("hex") } }),
      Type: "String",
      Version: 1,
      LastModifiedDate: clock.now(),
    });
    const settings = {
      fleetName: "bench",
      vaultName: "bench",
      restoreRoleArn: "arn:aws:iam::123456789012:role/bench",
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/bench",
      fileSystems: sources.map((fs, i) => ({
        fileSystemId: fs.fileSystemId,
        kind: i === 0 ? "workspace" : "runtime",
        path: "/data",
      })),
      manifestParameterName: "/bench/manifest",
      // As the stack deploys it: a verifier of its own per file system.
      verifier: {
        functionName: "bench-verifier",
        subnetIds: ["subnet-a", "subnet-b"],
        mountTargetSecurityGroupIds: ["sg-1"],
        mountPath: join(root, "mnt", "drill"),
        perFileSystem: Object.fromEntries(
          sources.map((fs, i) => [
            fs.fileSystemId,
            { functionName: `bench-verifier-${i}`, mountPath: join(root, "mnt", `drill-${i}`) },
          ]),
        ),
      },
      compareRuntimeBytes: false,
    };
    const env = { CLAWOPS_STATE_TABLE: "bench", CLAWOPS_SETTINGS: JSON.stringify(settings) };
    logger.setLogLevel("SILENT");
    // Powertools prints EMF through its own console: keep the benchmark's output to its result.
    const emf = metrics as unknown as { console: unknown };
    const previousConsole = emf.console;
    const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
    emf.console = quiet;
    undo.push(() => {
      emf.console = previousConsole;
    });
    undo.push(
      setClientInterceptor(sim),
      setDrillClock(() => clock.now()),
      setMetricsSink(quiet),
    );

    const { drillTasks } = (await import("../functions/drills/tasks.js")) as unknown as {
      drillTasks: Record<string, (event: unknown, context: Context) => Promise<unknown>>;
    };
    const engine = new LocalStepFunctions(world);
    const timeline: TimelineEntry[] = [];
    let startedAt = 0;
    const verifiers = Object.values(settings.verifier.perFileSystem).map((v) => v.functionName);
    const lambdas = Object.fromEntries(
      [...FUNCTIONS, ...verifiers].map((name) => {
        const task = name.startsWith("bench-verifier") ? "Verifier" : name;
        const fn = drillTasks[`${task}FunctionArn`];
        if (!fn) throw new Error(`functions/drills/tasks.ts has no ${task}FunctionArn`);
        const context = {
          functionName: `bench-${name}`,
          awsRequestId: "r",
          getRemainingTimeInMillis: () => 900_000,
        } as unknown as Context;
        return [
          task === name ? `bench-${name.toLowerCase()}` : name,
          async (payload: unknown) => {
            const at = clock.now();
            const entry = (outcome: string) =>
              timeline.push({
                at: (at - startedAt) / 1000,
                seconds: (clock.now() - at) / 1000,
                task,
                fileSystem: fileSystemOf(payload),
                outcome,
              });
            try {
              const output = await clock.track(
                withFunctionEnvironment({ ...env, POWERTOOLS_SERVICE_NAME: name }, () =>
                  fn(payload, context),
                ),
              );
              entry(summary(task, output));
              return output;
            } catch (error) {
              entry(`${(error as Error).name}: ${(error as Error).message}`);
              throw error;
            }
          },
        ];
      }),
    );
    const machine = engine.define({
      name: "bench-restore-drill",
      definition: fileURLToPath(new URL("../stacks/workflows/restore-drill.asl.json", import.meta.url)),
      substitutions: Object.fromEntries(
        FUNCTIONS.map((name) => [
          `${name}FunctionArn`,
          `arn:aws:lambda:us-east-1:123456789012:function:bench-${name.toLowerCase()}`,
        ]),
      ),
      lambdas,
    });
    startedAt = clock.now();
    const execution = engine.start(machine, {}, "bench-drill");
    await clock.runUntil(() => execution.status !== "RUNNING", { step: 1_000, limitMs: 4 * 3_600_000 });
    await execution.done;
    const wallMs = (execution.stopDate ?? clock.now()) - startedAt;
    const jobs = [...backup.restoreJobs.values()].map((job) => ({
      fileSystem: job.recoveryPoint.fileSystemId,
      from: job.creationDate,
      to: job.completionDate ?? job.creationDate,
    }));
    const restoreMs = unionMs(jobs);
    const restoreSumMs = jobs.reduce((n, j) => n + (j.to - j.from), 0);
    return {
      overheadSeconds: round((wallMs - restoreMs) / 1000),
      wallSeconds: round(wallMs / 1000),
      restoreSeconds: round(restoreMs / 1000),
      restoreSumSeconds: round(restoreSumMs / 1000),
      phases: Object.fromEntries(
        jobs.map((job) => [job.fileSystem, branchPhases(timeline, job, startedAt, sim, wallMs)]),
      ),
      invocations: timeline.length,
      timeline,
      status: execution.status,
    };
  } finally {
    for (const fn of undo.reverse()) fn();
    await dynamo.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** The source file system a Task's payload is about (a branch, or a branch wrapped for StartCleanup). */
function fileSystemOf(payload: unknown): string {
  type WithFs = { fileSystem?: { fileSystemId?: string } };
  const p = payload as WithFs & { branch?: WithFs };
  return p.fileSystem?.fileSystemId ?? p.branch?.fileSystem?.fileSystemId ?? "drill";
}

/** What a task answered, in a few words (the timeline's outcome column). */
function summary(task: string, output: unknown): string {
  const o = output as Record<string, Record<string, unknown> | undefined> & { passed?: unknown };
  if (task === "Poll") return `restore ${String(o.restore?.status)} ${String(o.restore?.percentDone ?? "")}%`;
  if (task === "Prepare") return o.mount?.ready ? "ready" : `not ready (${String(o.mount?.phase ?? "")})`;
  if (task === "Verifier") return "verified";
  if (task === "Cleanup") {
    const reports = (o.cleanup?.reports ?? []) as { fileSystemDeleted?: boolean }[];
    return reports.some((r) => r.fileSystemDeleted) ? "file system deleted" : "started";
  }
  if (task === "Report") return `passed ${String(o.passed)}`;
  return "ok";
}

/** Total length of a set of intervals, overlaps counted once. */
function unionMs(intervals: { from: number; to: number }[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const { from, to } of [...intervals].sort((a, b) => a.from - b.from)) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

/**
 * One branch's critical path, phase by phase: each phase ends at the first moment the next step could see it
 * done. The last phase runs to the end of the execution (the report, and cleanup of any slower branch).
 */
function branchPhases(
  timeline: TimelineEntry[],
  job: { fileSystem: string; from: number; to: number },
  startedAt: number,
  sim: AwsSimulator,
  wallMs: number,
): BranchPhases {
  const mine = timeline.filter((e) => e.fileSystem === job.fileSystem);
  const end = (e: TimelineEntry | undefined) => (e ? e.at + e.seconds : Number.NaN);
  const restoreStart = (job.from - startedAt) / 1000;
  const restoreEnd = (job.to - startedAt) / 1000;
  const seen = end(mine.find((e) => e.task === "Poll" && e.outcome.startsWith("restore COMPLETED")));
  const ready = end(mine.find((e) => e.task === "Prepare" && e.outcome === "ready" && e.at >= seen));
  const verify = mine.find((e) => e.task === "Verifier");
  const attach = sim
    .calls("Lambda", "UpdateFunctionConfiguration")
    .filter((c) => ((c.input.FileSystemConfigs as unknown[] | undefined) ?? []).length > 0)
    .map((c) => (c.at - startedAt) / 1000)
    .filter((at) => at >= seen && at <= ready)
    .shift();
  const cleaned = end(mine.filter((e) => e.task === "Cleanup" && e.outcome === "file system deleted").pop());
  const phases: BranchPhases = {
    "plan, choose, start restore": restoreStart,
    "restore job (AWS, subtracted)": restoreEnd - restoreStart,
    "restore done → seen by a poll": seen - restoreEnd,
    "mount targets + access point available": (attach ?? ready) - seen,
    "verifier attach (Lambda update)": attach === undefined ? 0 : ready - attach,
    verify: end(verify) - ready,
    "cleanup (mount targets deleted, file system deleted)": cleaned - end(verify),
    "until the execution ends": wallMs / 1000 - cleaned,
  };
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v)]));
}

/** The timeline and phases as lines, for `npx tsx bench/drill-overhead.ts`. */
export function formatOverhead(result: DrillOverhead): string[] {
  const lines = result.timeline.map(
    (e) =>
      `${e.at.toFixed(1).padStart(8)}s ${e.fileSystem.padEnd(22)} ${e.task.padEnd(9)} ${e.outcome.slice(0, 90)}`,
  );
  lines.push("");
  for (const [fs, phases] of Object.entries(result.phases)) {
    lines.push(`${fs}:`);
    for (const [phase, seconds] of Object.entries(phases)) lines.push(`  ${phase.padEnd(56)} ${seconds} s`);
  }
  lines.push(
    "",
    `execution ${result.status}; wall ${result.wallSeconds} s, restoring ${result.restoreSeconds} s (sum of jobs ${result.restoreSumSeconds} s), ` +
      `overhead ${result.overheadSeconds} s; ${result.invocations} task invocations`,
  );
  return lines;
}

/**
 * `npx tsx bench/drill-overhead.ts [--lambda-update-ms N] [--mount-target-ms CREATE,DELETE]
 * [--file-system-appears running|completed]`: the timeline, the phases and the overhead; the options measure
 * how the figure moves with AWS's timings.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const lambda = arg("--lambda-update-ms");
  const [create, remove] = (arg("--mount-target-ms") ?? "").split(",").map(Number);
  const appears = arg("--file-system-appears");
  const result = await measureDrillOverhead({
    ...(appears === "running" || appears === "completed" ? { fileSystemAppears: appears } : {}),
    ...(lambda ? { lambdaUpdateMs: Number(lambda) } : {}),
    ...(create && remove ? { efs: { mountTargetAvailableMs: create, mountTargetDeletedMs: remove } } : {}),
  });
  console.log(formatOverhead(result).join("\n"));
  process.exit(0);
}
