import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type EvalReport,
  EvalResultsError,
  essentialEvalResults,
  parseEvalResults,
} from "@clawops/core/readiness";
import { Command } from "commander";
import { type CliContext, onTarget, type TargetOptions, withTargetOptions } from "../context.js";
import { CliUserError } from "../errors.js";
import { renderEvals } from "../format/evals.js";
import { TargetFunction } from "../target.js";

interface EvalsReportOptions extends TargetOptions {
  readonly json?: boolean;
  readonly scheduled?: boolean;
}

/** Reads the promptfoo JSON file, with errors that say what is wrong with it. */
export async function readEvalsFile(path: string): Promise<unknown> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliUserError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (write it with promptfoo eval -o ${path})`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliUserError(`${file} is not JSON: write it with promptfoo eval -o ${path}`, { cause: error });
  }
}

/** Lambda's limit on a synchronous Invoke's request payload (6 MB). */
const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * `clawops evals report <file>`: sends promptfoo's JSON output to the readiness ingestion (the deployed
 * function, or in-process in the sandbox), which parses it strictly and stores it for the skill-evals checks.
 */
export function evalsCommand(context: CliContext): Command {
  const report = withTargetOptions(new Command("report"))
    .description("Ingest promptfoo eval results for the skill-evals readiness checks and show them per skill")
    .argument("<file>", "promptfoo's JSON output (promptfoo eval -o results.json)")
    .option("--scheduled", "these results come from the scheduled eval pipeline (skill-evals.scheduled-run)")
    .option("--json", "print the ingested report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ promptfoo eval -o results.json && clawops evals report results.json --stage prod
  $ clawops evals report results.json --stage prod --scheduled      (from the nightly CI job)
  $ clawops evals report results.json --sandbox --json

Exit codes: 0 ingested and every case passed, 1 ingested with failing cases, 2 not ingested.`,
    )
    .action(async (file: string, options: EvalsReportOptions) => {
      const results = await readEvalsFile(file);
      try {
        parseEvalResults(results, { ingestedAt: new Date() }); // Refuse a wrong file before reaching AWS.
      } catch (error) {
        if (error instanceof EvalResultsError)
          throw new CliUserError(`${file}: ${error.message}`, { cause: error });
        throw error;
      }
      const payload = { results: essentialEvalResults(results), scheduled: options.scheduled === true };
      const bytes = Buffer.byteLength(JSON.stringify(payload));
      if (bytes > MAX_INVOKE_PAYLOAD_BYTES)
        throw new CliUserError(
          `${file}: its cases take ${(bytes / 1024 / 1024).toFixed(1)} MB even without prompts and responses, over the 6 MB a Lambda Invoke carries: report fewer cases per run`,
        );
      const ingested = await onTarget(options, context, async (target) => {
        const value = (await target.invoke(TargetFunction.EvalsIngest, payload)) as EvalReport | null;
        if (!value || !Array.isArray(value.skills))
          throw new Error(`the evals function returned ${JSON.stringify(value)}`);
        return value;
      });
      if (options.json) context.output.json(ingested);
      else for (const line of renderEvals(ingested, context.output.color)) context.output.out(line);
      context.setExitCode(ingested.skills.every((s) => s.failed === 0) ? 0 : 1);
    });
  return new Command("evals")
    .description("Skill eval results (promptfoo)")
    .addCommand(report)
    .addHelpText("after", "\nExample:\n  $ clawops evals report results.json --stage prod");
}
