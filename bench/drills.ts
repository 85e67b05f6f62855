/**
 * Restore-drill benchmarks: the verifier's throughput against the machine's own `sha256sum` on the same
 * generated tree, and the control-plane overhead of a drill (its wall time on the sandbox clock minus the
 * restore jobs' own time), from a real run of `restore-drill.asl.json` on the sandbox's Step Functions engine
 * with the real handlers against the sandbox's Backup, EFS and Lambda models (bench/drill-overhead.ts).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { verifyTree } from "@clawops/core/drills";
import { measureDrillOverhead } from "./drill-overhead.js";

const run = promisify(execFile);

/** What `npm run bench` reports for restore drills. */
export interface DrillsBenchResult {
  readonly verifierMBps: number;
  readonly verifierFilesPerSecond: number;
  readonly sha256sumMBps: number;
  /** verifier MB/s ÷ sha256sum MB/s (1 = as fast as the coreutil). */
  readonly verifierRatioToSha256sum: number;
  /**
   * Sandbox-clock seconds of a two-file-system drill not spent in the restore jobs (target ≤ 60): its wall time
   * minus the time AWS spent restoring (both restores run at once). See bench/drill-overhead.ts.
   */
  readonly overheadSeconds: number;
  /**
   * The same drill where the restored file system appears in EFS only as the job completes (AWS does not say
   * which): nothing can then be prepared during the restore, and the mount targets' and Lambda's waits add up.
   */
  readonly overheadSecondsIfFileSystemAppearsAtCompletion: number;
  readonly drillWallSeconds: number;
  readonly restoreSeconds: number;
  /** Where the overhead went, phase by phase, on the path of the file system that finished last. */
  readonly overheadPhases: Record<string, number>;
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
      ...(await overhead()),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The drill's overhead, with the wall time and where the slowest file system's branch spent it. */
async function overhead(): Promise<
  Pick<
    DrillsBenchResult,
    | "overheadSeconds"
    | "overheadSecondsIfFileSystemAppearsAtCompletion"
    | "drillWallSeconds"
    | "restoreSeconds"
    | "overheadPhases"
  >
> {
  const result = await measureDrillOverhead();
  const late = await measureDrillOverhead({ fileSystemAppears: "completed" });
  for (const r of [result, late])
    if (r.status !== "SUCCEEDED") throw new Error(`the benchmark drill ended ${r.status}`);
  const slowest = Object.values(result.phases).sort(
    (a, b) => (a["until the execution ends"] ?? 0) - (b["until the execution ends"] ?? 0),
  )[0];
  const phases = Object.fromEntries(
    Object.entries(slowest ?? {}).filter(([phase]) => !phase.includes("subtracted")),
  );
  return {
    overheadSeconds: result.overheadSeconds,
    overheadSecondsIfFileSystemAppearsAtCompletion: late.overheadSeconds,
    drillWallSeconds: result.wallSeconds,
    restoreSeconds: result.restoreSeconds,
    overheadPhases: phases,
  };
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

const round = (n: number) => Math.round(n * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [files, mb] = process.argv.slice(2).map(Number);
  const result = await runDrillsBench({
    ...(files ? { files } : {}),
    ...(mb ? { totalBytes: mb * 1024 ** 2 } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
