import { createHash } from "node:crypto";
import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { ManifestFormatError, SoulDocumentsError } from "./errors.js";

/**
 * The SHA-256 manifest of the soul documents: relative POSIX path → lowercase hex digest, keys sorted. It is
 * computed at synth time from the operator's git checkout, stored in the fleet's manifest SSM parameter, and is
 * what readiness checks and restore drills compare the workspace against.
 * @example { "files": { "AGENTS.md": "9f86d0…", "SOUL.md": "2c26b4…" } }
 */
export interface SoulManifest {
  readonly files: Readonly<Record<string, string>>;
}

/** Soul documents by relative POSIX path, in sorted order. */
export type SoulDocuments = Readonly<Record<string, Buffer>>;

/** How a workspace differs from its manifest; every list is sorted. */
export interface ManifestDiff {
  /** In the manifest, not in the workspace. */
  readonly missing: readonly string[];
  /** In both, with a different hash. */
  readonly changed: readonly string[];
  /** In the workspace, not in the manifest. */
  readonly unexpected: readonly string[];
  /** True when nothing is missing, changed or unexpected. */
  readonly matches: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lowercase hex SHA-256 of a document's bytes. */
export function sha256Hex(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The manifest of documents already in memory (pure). */
export function manifestOf(documents: Readonly<Record<string, Buffer | string>>): SoulManifest {
  const files: Record<string, string> = {};
  for (const path of Object.keys(documents).sort()) files[path] = sha256Hex(documents[path]!);
  return { files };
}

/** Options of `readSoulDocuments`. */
export interface ReadSoulDocumentsOptions {
  /** Accept a directory with no documents (a workspace before its first deploy). @default false */
  readonly allowEmpty?: boolean;
}

/**
 * Reads every regular file under `dir` (recursively), keyed by relative POSIX path and sorted. Dotfiles and
 * dot-directories (`.git`, `.DS_Store`) are not soul documents and are skipped; a symbolic link is refused,
 * because what it points to is not what the git repository reviewed.
 */
export function readSoulDocuments(dir: string, options: ReadSoulDocumentsOptions = {}): SoulDocuments {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new SoulDocumentsError(`soul documents directory not found: ${dir}`, dir, { cause: error });
  }
  if (!isDirectory) throw new SoulDocumentsError(`not a directory: ${dir}`, dir);
  const found: Record<string, Buffer> = {};
  const walk = (absolute: string, relative: string): void => {
    const entries: Dirent[] = readdirSync(absolute, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = relative ? posix.join(relative, entry.name) : entry.name;
      if (entry.isSymbolicLink()) {
        throw new SoulDocumentsError(`soul documents must be regular files, ${path} is a symbolic link`, dir);
      }
      if (entry.isDirectory()) walk(join(absolute, entry.name), path);
      else if (entry.isFile()) found[path] = readFileSync(join(absolute, entry.name));
    }
  };
  walk(dir, "");
  const paths = Object.keys(found).sort();
  if (paths.length === 0 && !options.allowEmpty)
    throw new SoulDocumentsError(`no soul documents in ${dir}`, dir);
  return Object.fromEntries(paths.map((path) => [path, found[path]!]));
}

/** The manifest of the soul documents in `dir`: `{ files: { "SOUL.md": "<sha256>" } }`, sorted by path. */
export function buildManifest(dir: string): SoulManifest {
  return manifestOf(readSoulDocuments(dir));
}

/** Compares what a workspace holds against what the manifest says it should hold (pure). */
export function diffManifest(expected: SoulManifest, actual: SoulManifest): ManifestDiff {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, hash] of Object.entries(expected.files)) {
    const found = actual.files[path];
    if (found === undefined) missing.push(path);
    else if (found !== hash) changed.push(path);
  }
  const unexpected = Object.keys(actual.files).filter((path) => !(path in expected.files));
  missing.sort();
  changed.sort();
  unexpected.sort();
  return {
    missing,
    changed,
    unexpected,
    matches: missing.length + changed.length + unexpected.length === 0,
  };
}

/** Parses a stored manifest (the SSM parameter's value), refusing anything that is not one. */
export function parseManifest(json: string): SoulManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ManifestFormatError("the soul manifest is not JSON", { cause: error });
  }
  const files = (value as { files?: unknown } | null)?.files;
  if (typeof files !== "object" || files === null || Array.isArray(files)) {
    throw new ManifestFormatError('the soul manifest has no "files" object');
  }
  for (const [path, hash] of Object.entries(files)) {
    if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
      throw new ManifestFormatError(`the soul manifest's hash of ${path} is not a SHA-256 hex digest`);
    }
  }
  const entries = Object.entries(files as Record<string, string>);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { files: Object.fromEntries(entries) };
}
