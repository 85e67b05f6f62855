/**
 * Restore-drill benchmarks: the verifier's throughput against the machine's own `sha256sum` on the same
 * generated tree, and the control-plane overhead of a drill (its wall time on the sandbox clock minus the
 * restore jobs' own time), from a real run of `restore-drill.asl.json` with the real handlers against the
 * sandbox's Backup and EFS models.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { logger, metrics, setMetricsSink } from "@clawops/core";
import { setClientInterceptor } from "@clawops/core/aws";
import { setDrillClock, verifyTree } from "@clawops/core/drills";
import type { Context } from "aws-lambda";
import { StateMachine } from "aws-local-stepfunctions";
import "../packages/sandbox/src/polyfills.js";
import { backupModel } from "../packages/sandbox/src/aws/backup.js";
import { dynamoDbProxyModel } from "../packages/sandbox/src/aws/dynamodb-proxy.js";
import { efsModel, lambdaMountModel } from "../packages/sandbox/src/aws/efs.js";
import { eventBridgeModel } from "../packages/sandbox/src/aws/eventbridge.js";
import { AwsSimulator } from "../packages/sandbox/src/aws/simulator.js";
import { ssmModel } from "../packages/sandbox/src/aws/ssm.js";
import { SandboxWorld } from "../packages/sandbox/src/aws/world.js";
import { SandboxClock } from "../packages/sandbox/src/clock.js";
import { createStateTable, startDynamo } from "../packages/sandbox/src/dynamo.js";

const run = promisify(execFile);

/** What `npm run bench` reports for restore drills. */
export interface DrillsBenchResult {
  readonly verifierMBps: number;
  readonly verifierFilesPerSecond: number;
  readonly sha256sumMBps: number;
  /** verifier MB/s ÷ sha256sum MB/s (1 = as fast as the coreutil). */
  readonly verifierRatioToSha256sum: number;
  /**
   * Sandbox-clock seconds of a two-file-system drill not spent in the restore jobs (target ≤ 60). Most of it is
   * EFS's own mount-target lifecycle (about 90 s to create and 60 s to delete, per file system, in the model).
   */
  readonly overheadSeconds: number;
}

/** Options of the benchmark: the generated tree's size. @default 10,000 files, 1 GiB */
export interface DrillsBenchOptions {
  readonly files?: number;
  readonly totalBytes?: number;
}

export async function runDrillsBench(options: DrillsBenchOptions = {}): Promise<DrillsBenchResult> {
  const files = options.files ?? 10_000;
  const totalBytes = options.totalBytes ?? 1024 ** 3;
  const dir = await mkdtemp(join(tmpdir(), "clawops-bench-drills-"));
  try {
    await generateTree(dir, files, totalBytes);
    let started = performance.now();
    const result = await verifyTree(dir, {});
    const verifierSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await run("sh", ["-c", 'find "$0" -type f -print0 | xargs -0 -P 2 -n 500 sha256sum > /dev/null', dir], {
      maxBuffer: 1024 ** 2,
    });
    const shaSeconds = (performance.now() - started) / 1000;
    const mb = result.bytesVerified / 1024 ** 2;
    return {
      verifierMBps: round(mb / verifierSeconds),
      verifierFilesPerSecond: Math.round(result.filesVerified / verifierSeconds),
      sha256sumMBps: round(mb / shaSeconds),
      verifierRatioToSha256sum: round(mb / verifierSeconds / (mb / shaSeconds)),
      overheadSeconds: await drillOverheadSeconds(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function generateTree(dir: string, files: number, totalBytes: number): Promise<void> {
  const size = Math.max(1, Math.floor(totalBytes / files));
  const block = randomBytes(Math.min(size, 4 * 1024 ** 2));
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    const body =
      size <= block.length
        ? block.subarray(0, size)
        : Buffer.concat(Array(Math.ceil(size / block.length)).fill(block)).subarray(0, size);
    body[0] = i % 256; // files differ, as real ones do
    await writeFile(join(sub, `f${i}.bin`), body);
  }
}

/** One drill of two small file systems, through the real state machine and handlers on the sandbox clock. */
async function drillOverheadSeconds(): Promise<number> {
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
    const efs = efsModel(world, { root: join(root, "efs"), subnetZones: { "subnet-a": "us-east-1a" } });
    const backup = backupModel(world, efs, { root: join(root, "backup") });
    const ssm = ssmModel(world);
    await mkdir(join(root, "mnt"));
    const sim = new AwsSimulator(clock)
      .register(efs)
      .register(backup)
      .register(lambdaMountModel(world, efs, { mountPath: join(root, "mnt", "drill") }))
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
      Value: '{"files":{}}',
      Type: "String",
      Version: 1,
      LastModifiedDate: clock.now(),
    });
    process.env.CLAWOPS_STATE_TABLE = "bench";
    process.env.CLAWOPS_SETTINGS = JSON.stringify({
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
      verifier: {
        functionName: "bench-verifier",
        subnetIds: ["subnet-a"],
        mountTargetSecurityGroupIds: ["sg-1"],
        mountPath: join(root, "mnt", "drill"),
      },
      compareRuntimeBytes: false,
    });
    logger.setLogLevel("SILENT");
    // Powertools prints EMF through its own console: keep the benchmark's output to its result.
    const emf = metrics as unknown as { console: unknown };
    const previousConsole = emf.console;
    emf.console = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
    undo.push(() => {
      emf.console = previousConsole;
    });
    undo.push(
      setClientInterceptor(sim),
      setDrillClock(() => clock.now()),
      setMetricsSink({ log() {}, info() {}, warn() {}, error() {}, debug() {} }),
    );
    const { drillTasks } = await import("../functions/drills/tasks.js");
    const byState: Record<string, keyof typeof drillTasks> = {
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
    const context = {
      functionName: "bench",
      awsRequestId: "r",
      getRemainingTimeInMillis: () => 900_000,
    } as unknown as Context;
    const handlers = Object.fromEntries(
      Object.entries(byState).map(([state, fn]) => [
        state,
        async (input: { Payload: Record<string, { waitSeconds?: number } | undefined> }) => {
          const wait =
            state === "PollRestore"
              ? input.Payload.restore?.waitSeconds
              : state === "PrepareVerification"
                ? input.Payload.mount?.waitSeconds
                : 0;
          if (wait) await clock.advance(wait * 1000);
          try {
            return {
              Payload: await (drillTasks[fn] as (e: unknown, c: Context) => Promise<unknown>)(
                input.Payload,
                context,
              ),
            };
          } catch (error) {
            if ((error as Error).name === "NotReadyError") await clock.advance(15_000);
            throw error;
          }
        },
      ]),
    );
    const definition = JSON.parse(
      await readFile(new URL("../stacks/workflows/restore-drill.asl.json", import.meta.url), "utf8"),
    );
    const startedAt = clock.now();
    await new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: false } }).run(
      {},
      {
        overrides: {
          taskResourceLocalHandlers: handlers as never,
          waitTimeOverrides: { WaitForRestore: 0, WaitForMount: 0 },
          retryIntervalOverrides: {
            Cleanup: 0,
            CleanupAfterError: 0,
            CleanupDrill: 0,
            PrepareVerification: 0,
          },
        },
        context: {
          Execution: { Name: "bench-drill", StartTime: new Date(startedAt).toISOString() },
        } as never,
      },
    ).result;
    const restoreMs = [...backup.restoreJobs.values()].reduce(
      (n, job) => n + ((job.completionDate ?? job.creationDate) - job.creationDate),
      0,
    );
    return round((clock.now() - startedAt - restoreMs) / 1000);
  } finally {
    for (const fn of undo.reverse()) fn();
    await dynamo.close();
    await rm(root, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [files, mb] = process.argv.slice(2).map(Number);
  const result = await runDrillsBench({
    ...(files ? { files } : {}),
    ...(mb ? { totalBytes: mb * 1024 ** 2 } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
