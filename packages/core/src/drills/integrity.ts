import { StringDecoder } from "node:string_decoder";

/** The structured formats the verifier can check, by file name. */
export type StructuredKind = "json" | "jsonl" | "sqlite" | "none";

/** Which integrity check a file gets, from its extension. */
export function structuredKind(path: string): StructuredKind {
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  if (/\.(sqlite3?|db)$/.test(lower)) return "sqlite";
  return "none";
}

/** The 16-byte header every SQLite 3 database starts with. */
export const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** JSON files larger than this are hashed and counted but not parsed (the verifier's memory is bounded). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Checks a JSON Lines stream chunk by chunk: every non-empty line must parse. A truncated last line (a
 * restore cut mid-write) fails with its line number. `feed` then `finish`; both return the first problem.
 */
export class JsonLinesChecker {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private line = 0;
  private problem: string | undefined;

  feed(chunk: Buffer): void {
    if (this.problem) return;
    const lines = (this.pending + this.decoder.write(chunk)).split("\n");
    this.pending = lines.pop() ?? "";
    for (const text of lines) if (!this.check(text)) return;
  }

  finish(): string | undefined {
    if (!this.problem) this.check(this.pending + this.decoder.end());
    return this.problem;
  }

  private check(text: string): boolean {
    this.line += 1;
    if (text.trim() === "") return true;
    try {
      JSON.parse(text);
      return true;
    } catch {
      this.problem = `line ${this.line} is not valid JSON (truncated or corrupt)`;
      return false;
    }
  }
}

/** Accumulates a JSON document (up to `MAX_JSON_BYTES`) and parses it at the end. */
export class JsonChecker {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  feed(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= MAX_JSON_BYTES) this.chunks.push(chunk);
  }

  /** The problem, `undefined` when the JSON parses, or `"skipped"` when it was too large to parse. */
  finish(): string | undefined {
    if (this.size > MAX_JSON_BYTES) return "skipped";
    try {
      JSON.parse(Buffer.concat(this.chunks).toString("utf8"));
      return undefined;
    } catch (error) {
      return `not valid JSON: ${(error as Error).message}`;
    }
  }
}

/** Runs `PRAGMA integrity_check` on a database file; resolves to SQLite's answer rows ("ok" when sound). */
export type SqliteIntegrityCheck = (path: string) => Promise<string[]> | string[];

interface DatabaseSyncLike {
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
}
interface SqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseSyncLike;
}

/**
 * `node:sqlite`'s integrity check when the runtime has it (Node 22.5+, Lambda nodejs24.x), else `undefined`
 * (Node 20): the verifier then reports SQLite integrity as unknown instead of passing it.
 */
export function nodeSqliteIntegrityCheck(): SqliteIntegrityCheck | undefined {
  let sqlite: SqliteModule | undefined;
  try {
    const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    sqlite = getBuiltin?.("node:sqlite") as SqliteModule | undefined;
  } catch {
    // Node 22.5-22.12 without --experimental-sqlite throws here: the check is simply unavailable.
    sqlite = undefined;
  }
  if (!sqlite?.DatabaseSync) return undefined;
  const { DatabaseSync } = sqlite;
  return (path) => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return db
        .prepare("PRAGMA integrity_check")
        .all()
        .map((row) => String(Object.values(row)[0]));
    } finally {
      db.close();
    }
  };
}
