import type { ClawopsConfigInput } from "@clawops/core/config";
import { type Command, Option } from "commander";
import { loadConfigFile } from "./config-file.js";
import { CliUserError } from "./errors.js";
import type { Output } from "./output.js";
import type { SandboxFlow, SandboxTargetOptions } from "./sandbox-target.js";
import { awsStageLookup, openStage, type StageLookup } from "./stage-target.js";
import type { Target } from "./target.js";

/** The options every command that reaches a target takes. */
export interface TargetOptions {
  readonly stage?: string;
  readonly sandbox?: boolean;
  readonly region?: string;
  readonly config?: string;
  /** Flows the sandbox keeps installed for this command (a deployed stage has them all). */
  readonly flows?: readonly SandboxFlow[];
}

/** What the program hands each command: where it writes, and the seams tests replace. */
export interface CliContext {
  readonly output: Output;
  /** How a stage is looked up. @default the AWS SDK's credential chain, SSM and CloudFormation */
  readonly stageLookup?: StageLookup;
  /** How `--sandbox` boots. @default a 2-instance fleet from the working directory's config */
  readonly sandbox?: SandboxTargetOptions;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Sets the exit code the program returns. */
  setExitCode(code: number): void;
}

/** Adds `--stage`, `--sandbox`, `--region` and `--config` to a command. */
export function withTargetOptions(command: Command): Command {
  return command
    .addOption(
      new Option("-s, --stage <stage>", "a deployed stage (AWS credentials from the usual chain)").conflicts(
        "sandbox",
      ),
    )
    .addOption(
      new Option("--sandbox", "run against an in-process sandbox with a booted fleet (no AWS account)"),
    )
    .option("-r, --region <region>", "AWS region (default: AWS_REGION, then the config's app.region)")
    .option("-c, --config <file>", "the clawops config file (default: ./clawops.config.ts)");
}

/**
 * Opens the command's target: `--stage <stage>` (the stage's SSM parameters under `/clawops/<stage>/`, found
 * with the caller's credentials) or `--sandbox` (a `createSandbox()` in this process, fleet booted through
 * the production code). The caller must `close()` it.
 */
export async function openTarget(options: TargetOptions, context: CliContext): Promise<Target> {
  if (!options.stage && !options.sandbox)
    throw new CliUserError(
      "say where to run: --stage <stage> for a deployed stage, or --sandbox to try it locally",
    );
  if (options.sandbox) {
    const loaded = context.sandbox?.config ? undefined : await loadConfigFile(options.config);
    const input: ClawopsConfigInput | undefined = context.sandbox?.config ?? loaded?.input;
    const { openSandbox } = await import("./sandbox-target.js");
    const progress = context.output.progress("starting the sandbox");
    try {
      return await openSandbox({
        ...context.sandbox,
        ...(input ? { config: input } : {}),
        ...(loaded ? { configSource: loaded.file } : {}),
        ...(options.flows ? { flows: options.flows } : {}),
        onProgress: (label) => progress.update(label),
      });
    } finally {
      progress.done();
    }
  }
  // A deployed stage describes itself (its SSM parameters): the config file only gives a default region.
  const env = context.env ?? process.env;
  const region =
    options.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    (await loadConfigFile(options.config))?.input.app?.region;
  if (!region)
    throw new CliUserError(
      "no AWS region: pass --region, set AWS_REGION, or run where clawops.config.ts sets app.region",
    );
  return openStage(options.stage ?? "", region, context.stageLookup ?? awsStageLookup);
}

/** Runs `work` on the opened target and always closes it. */
export async function onTarget<T>(
  options: TargetOptions,
  context: CliContext,
  work: (target: Target) => Promise<T>,
): Promise<T> {
  const target = await openTarget(options, context);
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}
