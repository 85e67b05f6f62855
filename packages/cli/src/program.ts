import { resolveConfig } from "@clawops/core/config";
import { ClawopsError } from "@clawops/core";
import { Command, CommanderError } from "commander";

/** Runs the clawops CLI with the given argv; resolves to the process exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = new Command("clawops")
    .description("Operations control plane for OpenClaw fleets on AWS")
    .exitOverride()
    .showHelpAfterError();

  program
    .command("sandbox")
    .description("Validate the configuration and show the stacks clawops would deploy (the game day comes with the sandbox)")
    .option("--stage <stage>", "configuration stage to validate", "sandbox")
    .action(async (options: { stage: string }) => {
      const { default: config } = await import("../../../clawops.config.js");
      const resolved = resolveConfig(config, options.stage);
      console.log(`clawops ${resolved.app.name} stage "${resolved.stage}" in ${resolved.app.region}: configuration valid`);
      console.log(`fleet: ${resolved.settings.fleet.mode}; gateway health http://127.0.0.1:${resolved.settings.gateway.port}${resolved.settings.gateway.path}`);
      console.log("stacks: Core");
    });

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ClawopsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
