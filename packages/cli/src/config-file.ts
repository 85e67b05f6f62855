import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClawopsConfigInput } from "@clawops/core/config";
import { CliUserError } from "./errors.js";

/** The default config file, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = "clawops.config.ts";

/** A config file as loaded: where it is, and what it exports (not validated yet). */
export interface LoadedConfig {
  /** The absolute path, for messages. */
  readonly file: string;
  readonly input: ClawopsConfigInput;
}

/**
 * Loads the operator's `clawops.config.ts` (TypeScript works: the CLI runs under tsx). Without the default
 * file it resolves to undefined (the caller then uses the schema's defaults), so the CLI works anywhere. A file
 * that cannot be loaded (a syntax error, a throw, an import that cannot be found) is a CliUserError naming it.
 */
export async function loadConfigFile(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<LoadedConfig | undefined> {
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path)
      throw new CliUserError(`config file ${file} does not exist: pass --config <path to clawops.config.ts>`);
    return undefined;
  }
  let module: { default?: ClawopsConfigInput };
  try {
    module = (await import(pathToFileURL(file).href)) as typeof module;
  } catch (error) {
    // The standalone CLI runs on plain Node.js, which cannot import TypeScript (the checkout's bin uses tsx).
    if ((error as NodeJS.ErrnoException).code === "ERR_UNKNOWN_FILE_EXTENSION")
      throw new CliUserError(
        `cannot load ${file} without the clawops checkout (TypeScript): pass --region, or --config a .mjs file`,
        { cause: error },
      );
    // An installed CLI carries @clawops/core inside its bundle: a config outside the checkout cannot import it.
    if (
      (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
      (error as Error).message.includes("'@clawops/core")
    )
      throw new CliUserError(
        `cannot load ${file}: it imports @clawops/core, which only a clawops checkout has: a standalone .mjs config exports a plain object (export default { app: { region: "eu-west-1" } }) with no import`,
        { cause: error },
      );
    // A syntax error, a module the config imports missing, a throw while it loads: the operator's file, not a bug.
    throw new CliUserError(`cannot load ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (!module.default)
    throw new CliUserError(`${file} has no default export: export default defineConfig({...})`);
  return { file, input: module.default };
}
