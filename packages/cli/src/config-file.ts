import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClawopsConfigInput } from "@clawops/core/config";
import { CliUserError } from "./errors.js";

/** The default config file, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = "clawops.config.ts";

/**
 * Loads the operator's `clawops.config.ts` (TypeScript works: the CLI runs under tsx). Without the default
 * file it resolves to undefined (the caller then uses the schema's defaults), so the CLI works anywhere.
 */
export async function loadConfigFile(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<ClawopsConfigInput | undefined> {
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
    throw error;
  }
  if (!module.default)
    throw new CliUserError(`${file} has no default export: export default defineConfig({...})`);
  return module.default;
}
