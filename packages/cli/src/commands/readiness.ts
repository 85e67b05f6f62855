import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { DeadLettered } from "@clawops/core/handler";
import type { ReadinessReport } from "@clawops/core/readiness";
import { Command } from "commander";
import { type CliContext, onTarget, type TargetOptions, withTargetOptions } from "../context.js";
import { CliUserError } from "../errors.js";
import { renderReadiness } from "../format/readiness.js";
import { renderReadinessHtml } from "../format/readiness-html.js";
import { TargetFunction } from "../target.js";

interface ReadinessOptions extends TargetOptions {
  readonly json?: boolean;
  readonly html?: string;
}

/**
 * A readiness run's result, checked before it is printed. A run that hit a permanent error returns
 * `{ deadLettered, reason }` (its event went to the dead-letter queue) instead of failing the invocation: that
 * is a run that could not be made (exit 2), not a bug.
 */
export function asReadinessReport(value: unknown): ReadinessReport {
  const dead = value as Partial<DeadLettered> | null;
  if (dead?.deadLettered === true)
    throw new CliUserError(
      `the readiness run could not be made: ${dead.reason ?? "no reason given"} (see the readiness function's CloudWatch logs)`,
    );
  const report = value as Partial<ReadinessReport> | null;
  if (!report || !Array.isArray(report.areas) || !Array.isArray(report.checks))
    throw new Error(`the readiness function returned no report: ${JSON.stringify(value)}`);
  return report as ReadinessReport;
}

/**
 * `clawops readiness`: runs every check of the production checklist now (the deployed readiness function, or
 * in-process in the sandbox), prints the eight-area table and what fails; exit code 1 when a check fails.
 */
export function readinessCommand(context: CliContext): Command {
  return withTargetOptions(new Command("readiness"))
    .description("Run every production-checklist check now and show the eight-area table")
    .option("--json", "print the report as JSON (areas, checks, passed)")
    .option("--html <file>", "also write a self-contained HTML report you can send to a client")
    .addHelpText(
      "after",
      `
Examples:
  $ clawops readiness --stage prod
  $ clawops readiness --stage prod --html readiness.html
  $ clawops readiness --sandbox --json | jq '.checks[] | select(.status == "fail")'

Marks: ✓ verified, ✗ fails, ? could not be verified, attested (a person's statement, never a pass).
Exit codes: 0 no check fails, 1 a check fails, 2 the run could not be made (credentials, stage).`,
    )
    .action(async (options: ReadinessOptions) => {
      const { output } = context;
      const report = await onTarget(options, context, async (target) => {
        const progress = output.progress(`running the readiness checks on ${target.description.name}`);
        try {
          return asReadinessReport(await target.invoke(TargetFunction.Readiness, { source: "clawops.cli" }));
        } finally {
          progress.done();
        }
      });
      // The report first: a page that cannot be written must not lose the run it reports.
      if (options.json) output.json(report);
      else for (const line of renderReadiness(report, output.color)) output.out(line);
      context.setExitCode(report.passed ? 0 : 1);
      if (options.html) await writeHtmlReport(resolve(options.html), report, context);
    });
}

/** Writes the HTML page, creating its directory; a page that cannot be written is a user error naming the file. */
async function writeHtmlReport(file: string, report: ReadinessReport, context: CliContext): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, renderReadinessHtml(report));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliUserError(
      `could not write the HTML report to ${file} (${reason}); the report itself is printed above: pass --html a path you can write`,
      { cause: error },
    );
  }
  context.output.err(`HTML report written to ${file}`);
}
