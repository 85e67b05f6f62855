import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { opendir, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import {
  JsonChecker,
  JsonLinesChecker,
  nodeSqliteIntegrityCheck,
  SQLITE_HEADER,
  type SqliteIntegrityCheck,
  structuredKind,
} from "./integrity.js";

/** The deployed soul-document manifest: relative path → SHA-256 (hex). */
export interface SoulManifest {
  readonly files: Readonly<Record<string, string>>;
}

/** A soul manifest and which version of its parameter it is. */
export interface DeployedManifest extends SoulManifest {
  /** The parameter's version. */
  readonly version?: number;
  /** When that version was written (ISO 8601): a recovery point older than this holds an older manifest's documents. */
  readonly deployedAt?: string;
}

/** Whether this manifest was deployed after the recovery point was created (the point's restore predates it). */
export function deployedAfter(manifest: DeployedManifest, pointCreatedAt: string): boolean {
  return manifest.deployedAt !== undefined && Date.parse(manifest.deployedAt) > Date.parse(pointCreatedAt);
}

/** What a restored tree must hold. */
export interface VerifyExpectations {
  /** Soul documents that must match hash for hash (paths relative to the root, `/`-separated). */
  readonly manifest?: SoulManifest;
  /**
   * Versions of the manifest written while the backup read the files (an EFS backup reads them over a span
   * that its CreationDate only starts, and a deploy writes the documents before the manifest): a document
   * matching `manifest` or any of these passes; one missing passes only when some version does not list it.
   */
  readonly manifestsDuringBackup?: readonly SoulManifest[];
  /** Runtime data at the recovery point: file count and bytes, each compared within the tolerance. */
  readonly runtime?: { readonly files?: number; readonly bytes?: number };
  /** `drills.sizeTolerancePercent`. @default 5 */
  readonly sizeTolerancePercent?: number;
}

/** A file that did not verify, and why. */
export interface VerifyMismatch {
  readonly path: string;
  readonly reason: string;
}

/** What the verifier found. `unverified` lists checks it could not run (never counted as passed). */
export interface VerifyResult {
  readonly filesVerified: number;
  readonly bytesVerified: number;
  readonly mismatches: VerifyMismatch[];
  readonly unverified: VerifyMismatch[];
}

export interface VerifyOptions {
  /** SQLite integrity check; `null` = unavailable. @default node:sqlite when the runtime has it */
  readonly sqliteCheck?: SqliteIntegrityCheck | null;
  /** Files read at once (EFS is latency bound). @default 8 */
  readonly concurrency?: number;
  /** Called after each file, for progress ("verifying N files"). */
  readonly onFile?: (filesVerified: number) => void;
  /** The tree's directory inside its file system, as messages name it (`/runtime`). @default root */
  readonly directory?: string;
}

interface FileCheck {
  readonly sha256: string;
  readonly bytes: number;
  readonly problem: string | undefined;
  readonly header: Buffer;
}

/**
 * Walks a restored tree and verifies it: it must hold at least one file, every regular file is read in full
 * and hashed (a file the restore cannot serve fails here), soul documents must match the manifest (a version
 * of it in force during the backup), JSON/JSONL must parse, SQLite files must carry the SQLite header and pass
 * `PRAGMA integrity_check`, and the totals must be within the tolerance of `runtime` when it is given.
 */
export async function verifyTree(
  root: string,
  expectations: VerifyExpectations,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const sqliteCheck = options.sqliteCheck === undefined ? nodeSqliteIntegrityCheck() : options.sqliteCheck;
  const mismatches: VerifyMismatch[] = [];
  const unverified: VerifyMismatch[] = [];
  const hashes = new Map<string, string>();
  const seen: string[] = [];
  let filesVerified = 0;
  let bytesVerified = 0;

  const checkOne = async (absolute: string): Promise<void> => {
    const path = relative(root, absolute).split(sep).join("/");
    const kind = structuredKind(path);
    seen.push(path);
    let file: FileCheck;
    try {
      file = await readAndCheck(absolute, kind);
    } catch (error) {
      mismatches.push({ path, reason: `unreadable: ${(error as Error).message}` });
      return;
    }
    hashes.set(path, file.sha256);
    filesVerified += 1;
    bytesVerified += file.bytes;
    options.onFile?.(filesVerified);
    if (file.problem === "skipped") unverified.push({ path, reason: "JSON too large to parse" });
    else if (file.problem) mismatches.push({ path, reason: file.problem });
    if (kind === "sqlite") await checkSqlite(absolute, path, file, sqliteCheck, mismatches, unverified);
  };

  // A tree the restore does not hold at all verifies nothing: no file restored, rather than a crash.
  const present = await stat(root).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
  if (present) await forEachConcurrently(walkFiles(root), options.concurrency ?? 8, checkOne);
  // An intact fleet's tree always holds files (the workspace its soul documents, the runtime what a gateway
  // wrote from its first start): an empty one is a restore that lost the data, or data kept somewhere else.
  if (seen.length === 0)
    mismatches.push({ path: ".", reason: `no file restored under ${options.directory ?? root}` });

  const versions = expectations.manifest
    ? [expectations.manifest, ...(expectations.manifestsDuringBackup ?? [])]
    : [];
  const listed = new Set(versions.flatMap((version) => Object.keys(version.files)));
  for (const path of listed) {
    const accepted = [
      ...new Set(versions.flatMap((v) => (path in v.files ? [v.files[path]!.toLowerCase()] : []))),
    ];
    const actual = hashes.get(path);
    if (actual === undefined) {
      if (versions.every((v) => path in v.files))
        mismatches.push({ path, reason: "missing from the restored file system" });
    } else if (!accepted.includes(actual))
      mismatches.push({
        path,
        reason:
          versions.length === 1
            ? `sha256 ${actual} differs from the deployed manifest (${accepted[0]})`
            : `sha256 ${actual} differs from every manifest version in force during the backup (${accepted.join(", ")})`,
      });
  }
  // A document the manifest does not list fails readiness ("unexpected"): it fails the restore too.
  if (versions.length > 0)
    for (const path of seen)
      if (!listed.has(path) && isSoulDocumentPath(path))
        mismatches.push({ path, reason: "not in the deployed manifest" });
  const tolerance = expectations.sizeTolerancePercent ?? 5;
  const runtime = expectations.runtime;
  if (runtime?.files !== undefined && !within(filesVerified, runtime.files, tolerance))
    mismatches.push({
      path: ".",
      reason: `${filesVerified} files, expected ${runtime.files} ±${tolerance}%`,
    });
  if (runtime?.bytes !== undefined && !within(bytesVerified, runtime.bytes, tolerance))
    mismatches.push({
      path: ".",
      reason: `${bytesVerified} bytes, expected ${runtime.bytes} ±${tolerance}%`,
    });

  mismatches.sort((a, b) => a.path.localeCompare(b.path));
  return { filesVerified, bytesVerified, mismatches, unverified };
}

/**
 * The results of several trees of one restored file system as one (an imported fleet whose workspace and
 * runtime share a file system): totals summed, each path prefixed with its tree's directory inside the file
 * system (`workspace/SOUL.md`, `runtime/memory/state.json`). A single tree's result is returned as it is.
 */
export function combineVerifyResults(
  parts: readonly { readonly directory: string; readonly result: VerifyResult }[],
): VerifyResult {
  if (parts.length === 1) return parts[0]!.result;
  const under = (directory: string, list: readonly VerifyMismatch[]) =>
    list.map((m) => ({ ...m, path: posix.join(directory.replace(/^\/+/, ""), m.path) }));
  return {
    filesVerified: parts.reduce((n, p) => n + p.result.filesVerified, 0),
    bytesVerified: parts.reduce((n, p) => n + p.result.bytesVerified, 0),
    mismatches: parts.flatMap((p) => under(p.directory, p.result.mismatches)),
    unverified: parts.flatMap((p) => under(p.directory, p.result.unverified)),
  };
}

/**
 * Whether readiness's workspace probe counts a file as a soul document (`find . -maxdepth 6 -type f ! -path
 * "*\/.*"`): at most six path components deep, none of them hidden. The drill judges the same files.
 */
export function isSoulDocumentPath(path: string): boolean {
  const parts = path.split("/");
  return parts.length <= 6 && !parts.some((part) => part.startsWith("."));
}

/** True when `actual` is within `percent` of `expected`. */
export function within(actual: number, expected: number, percent: number): boolean {
  if (expected === 0) return actual === 0;
  return (Math.abs(actual - expected) / expected) * 100 <= percent;
}

async function checkSqlite(
  absolute: string,
  path: string,
  file: FileCheck,
  sqliteCheck: SqliteIntegrityCheck | null | undefined,
  mismatches: VerifyMismatch[],
  unverified: VerifyMismatch[],
): Promise<void> {
  if (file.bytes === 0) return; // SQLite treats an empty file as an empty database.
  if (!file.header.equals(SQLITE_HEADER)) {
    mismatches.push({ path, reason: "not a SQLite 3 database (bad header)" });
    return;
  }
  if (!sqliteCheck) {
    unverified.push({ path, reason: "SQLite integrity unknown: this runtime has no node:sqlite" });
    return;
  }
  try {
    const rows = await sqliteCheck(absolute);
    if (rows.length !== 1 || rows[0] !== "ok")
      mismatches.push({ path, reason: `PRAGMA integrity_check: ${rows.slice(0, 3).join("; ")}` });
  } catch (error) {
    mismatches.push({ path, reason: `SQLite could not open it: ${(error as Error).message}` });
  }
}

async function readAndCheck(absolute: string, kind: ReturnType<typeof structuredKind>): Promise<FileCheck> {
  const hash = createHash("sha256");
  const lines = kind === "jsonl" ? new JsonLinesChecker() : undefined;
  const json = kind === "json" ? new JsonChecker() : undefined;
  let bytes = 0;
  let header = Buffer.alloc(0);
  for await (const chunk of createReadStream(absolute, {
    highWaterMark: 1024 * 1024,
  }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (header.length < 16) header = Buffer.concat([header, chunk.subarray(0, 16 - header.length)]);
    bytes += chunk.length;
    lines?.feed(chunk);
    json?.feed(chunk);
  }
  return { sha256: hash.digest("hex"), bytes, problem: lines?.finish() ?? json?.finish(), header };
}

/** Every regular file under `root` (symbolic links are not followed). */
async function* walkFiles(root: string): AsyncGenerator<string> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) yield path;
    }
  }
}

async function forEachConcurrently<T>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    const task = fn(item).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}
