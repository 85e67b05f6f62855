import { ClawopsError } from "@clawops/core";
import { Command, CommanderError } from "commander";
import { sandboxCommand } from "./commands/sandbox.js";

/** Runs the clawops CLI with the given argv; resolves to the process exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = new Command("clawops")
    .description("Operations control plane for OpenClaw fleets on AWS")
    .exitOverride()
    .showHelpAfterError();

  let exitCode = 0;
  program.addCommand(
    sandboxCommand((code) => {
      exitCode = code;
    }),
  );

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ClawopsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
