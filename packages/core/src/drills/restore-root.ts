import { RestoreRootError } from "./errors.js";

/** Prefix of the directory AWS Backup restores into, at the root of the file system. */
export const RESTORE_DIRECTORY_PREFIX = "aws-backup-restore_";

/** A directory entry as `readdir(..., { withFileTypes: true })` gives it. */
export interface RootEntry {
  readonly name: string;
  isDirectory(): boolean;
}

/**
 * The name of the one `aws-backup-restore_<datetime>` directory at a restored file system's root. AWS puts
 * even a full restore to a new file system there. The datetime's format is AWS's business: not parsed.
 * Throws `RestoreRootError` for none or several.
 */
export function findRestoreRoot(entries: readonly RootEntry[]): string {
  const found = entries.filter((e) => e.isDirectory() && e.name.startsWith(RESTORE_DIRECTORY_PREFIX));
  if (found.length === 1) return found[0]!.name;
  if (found.length === 0)
    throw new RestoreRootError(
      `no ${RESTORE_DIRECTORY_PREFIX}* directory at the restored file system's root`,
    );
  throw new RestoreRootError(
    `${found.length} ${RESTORE_DIRECTORY_PREFIX}* directories at the root (${found.map((e) => e.name).join(", ")}): expected exactly one`,
  );
}
