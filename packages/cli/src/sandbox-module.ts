import type * as SandboxModule from "@clawops/sandbox";
import { CliUserError } from "./errors.js";

/** What a user of the standalone CLI (installed from its tarball, without the sandbox) is told to do. */
export const SANDBOX_NEEDS_CHECKOUT =
  "the sandbox and the game day run from a clawops checkout (gateway processes, a Slack server, DynamoDB): " +
  "git clone the clawops repository, then npm ci && npx clawops sandbox";

/** Loads `@clawops/sandbox`; the standalone CLI does not carry it, and says so instead of crashing. */
export async function importSandbox(): Promise<typeof SandboxModule> {
  try {
    return await import("@clawops/sandbox");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === "ERR_MODULE_NOT_FOUND" && message.includes("@clawops/sandbox"))
      throw new CliUserError(SANDBOX_NEEDS_CHECKOUT, { cause: error });
    throw error;
  }
}
