import { ClawopsError } from "@clawops/core";
import { Command, CommanderError } from "commander";
import { type AwsCallFailure, awsCallFailure } from "./aws-errors.js";
import { alertsCommand } from "./commands/alerts.js";
import { drillCommand } from "./commands/drill.js";
import { evalsCommand } from "./commands/evals.js";
import { readinessCommand } from "./commands/readiness.js";
import { sandboxCommand } from "./commands/sandbox.js";
import { statusCommand } from "./commands/status.js";
import type { CliContext } from "./context.js";
import { createOutput, type OutputStreams } from "./output.js";
import type { SandboxTargetOptions } from "./sandbox-target.js";
import type { StageLookup } from "./stage-target.js";

export { accessDenied, networkFailure } from "./aws-errors.js";

/** Exit codes: what a script calling clawops can rely on. */
export const ExitCode = {
  /** Done, and everything checked is fine. */
  Ok: 0,
  /**
   * Done, and something failed (a readiness check, a drill, an alert), a drill was started but could not be
   * followed to its end, or an unexpected error (a bug).
   */
  Failed: 1,
  /**
   * Could not run: usage, credentials, a stage not deployed, a file that cannot be read or written, an error AWS
   * answered with (its name and message). The message says what to do.
   */
  Usage: 2,
} as const;

/** The seams tests (and embedders) replace; everything defaults to the real process. */
export interface RunOptions {
  readonly streams?: OutputStreams;
  readonly stageLookup?: StageLookup;
  readonly sandbox?: SandboxTargetOptions;
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds the `clawops` program for one run. */
export function buildProgram(context: CliContext, streams: OutputStreams): Command {
  const program = new Command("clawops")
    .description("Operations control plane for OpenClaw fleets on AWS")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => void streams.stdout.write(text),
      writeErr: (text) => void streams.stderr.write(text),
    })
    .addHelpText(
      "after",
      `
Every command runs against a deployed stage (--stage prod, with your AWS credentials) or a local
sandbox (--sandbox, no AWS account needed). npm start runs the game day (clawops sandbox).

Examples:
  $ clawops status --stage prod
  $ clawops readiness --stage prod --html readiness.html
  $ clawops drill --sandbox
  $ clawops <command> --help`,
    );
  for (const make of [statusCommand, drillCommand, readinessCommand, alertsCommand, evalsCommand]) {
    program.addCommand(make(context));
  }
  program.addCommand(sandboxCommand((code) => context.setExitCode(code)));
  // Subcommands inherit exitOverride and output only when set on each of them.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => void streams.stdout.write(text),
      writeErr: (text) => void streams.stderr.write(text),
    });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the clawops CLI with the given argv (`process.argv` shape); resolves to the process exit code. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const output = createOutput(streams);
  let exitCode: number = ExitCode.Ok;
  const context: CliContext = {
    output,
    ...(options.stageLookup ? { stageLookup: options.stageLookup } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.env ? { env: options.env } : {}),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram(context, streams);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exitCode 0; a usage error with 1, which clawops reports as 2.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof ClawopsError) {
      output.err(`${output.color.red("error:")} ${error.message}`);
      return ExitCode.Usage;
    }
    // AWS, the credentials or the way to AWS stopped the command, not clawops: AWS's own words, exit 2.
    const failure = awsCallFailure(error);
    if (failure) {
      output.err(`${output.color.red("error:")} ${awsFailureMessage(failure)}`);
      return ExitCode.Usage;
    }
    output.err(`${output.color.red("unexpected error (a bug in clawops, please report it):")}`);
    output.err((error as Error)?.stack ?? String(error));
    return ExitCode.Failed;
  }
}

/** What the operator reads when a call to AWS failed for a reason that is not clawops'. */
function awsFailureMessage(failure: AwsCallFailure): string {
  switch (failure.kind) {
    case "denied":
      return `AWS denied a call the command needs (${failure.detail}): use credentials whose role allows it`;
    case "expired":
      return `your AWS credentials expired (${failure.detail}): renew them (aws sso login, or a fresh session for AWS_PROFILE) and run the command again`;
    case "unreachable":
      return `could not reach AWS (${failure.detail}): check the network, a proxy or --region`;
    case "failed":
      return `AWS answered a call the command makes with an error (${failure.detail})`;
  }
}
