import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { DrillVerdict } from "@clawops/core/drills";
import { formatDuration } from "@clawops/core/drills";
import { EC2_INSTANCE_ID } from "@clawops/core/events";
import { Command, InvalidArgumentError } from "commander";
import { drillHistory } from "../../../../functions/drills/records.js";
import { type AwsCallFailure, awsCallFailure } from "../aws-errors.js";
import { type CliContext, onTarget, type TargetOptions, withTargetOptions } from "../context.js";
import { CliUserError, DrillNotFollowedError, NotAvailableError } from "../errors.js";
import { type KeptFileSystem, renderDrillHistory, renderDrillSummary } from "../format/drill.js";
import { drillMilestones, drillProgress, keptFileSystems } from "../format/drill-progress.js";
import type { Target } from "../target.js";

interface DrillOptions extends TargetOptions {
  readonly history?: number | true;
  readonly keep?: boolean;
  readonly fileSystem?: string[];
  readonly failure?: boolean;
  readonly instance?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  /** Seconds between DescribeExecution polls. */
  readonly poll: number;
}

const POLL_DEFAULT_SECONDS = 5;

/** A drill's name: its id in the records, the tags and Slack (`cli-20261126T101500Z`). */
export function drillName(now: number): string {
  return `cli-${new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")}`;
}

/** What a restore drill ended with: its verdict and, with `--keep`, the file systems left in place. */
interface RestoreDrillRun {
  readonly verdict: DrillVerdict;
  readonly kept?: readonly KeptFileSystem[];
}

/** Starts the restore-drill state machine and polls it to the end, showing progress. */
async function runRestoreDrill(
  target: Target,
  options: DrillOptions,
  context: CliContext,
  onStarted: (drill: string, executionArn: string) => void,
): Promise<RestoreDrillRun> {
  const arn = target.resources.drillStateMachineArn;
  if (!arn)
    throw new NotAvailableError(
      target.kind === "sandbox"
        ? "restore drills are not installed in the sandbox yet (the drills game-day scene provides installDrills)"
        : `stage ${target.stage} has no restore-drill state machine: run npx sst deploy --stage ${target.stage}`,
    );
  const known = [target.description.workspace.fileSystemId, target.description.runtime.fileSystemId];
  const unknown = (options.fileSystem ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0)
    throw new CliUserError(
      `${unknown.join(", ")} is not one of the fleet's file systems (${known.join(", ")}): pass one of those to --file-system`,
    );
  const sfn = target.client(SFNClient);
  const name = drillName(target.now());
  const request = {
    keep: options.keep === true,
    ...(options.fileSystem?.length ? { fileSystemIds: options.fileSystem } : {}),
  };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(request) }),
  );
  const started = target.now();
  context.output.err(`drill ${name} started (${executionArn})`);
  if (executionArn) onStarted(`restore drill ${name}`, executionArn);
  const progress = context.output.progress(`drill ${name}: restoring`);
  let status = "RUNNING";
  let output: string | undefined;
  let error: string | undefined;
  let noted = 0;
  let events: HistoryEvent[] = [];
  try {
    while (status === "RUNNING") {
      await target.sleep(options.poll * 1000);
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = execution.status ?? "RUNNING";
      output = execution.output;
      error = [execution.error, execution.cause].filter(Boolean).join(": ") || undefined;
      events = await readAfterEnd(
        status,
        events,
        () => executionHistory(sfn, executionArn ?? ""),
        (why) =>
          context.output.err(`its history could not be read (${why}): the kept file systems are not listed`),
      );
      const since = (at: number) => formatDuration(Math.max(0, Math.round((at - started) / 1000)));
      const milestones = drillMilestones(events);
      for (const m of milestones.slice(noted)) progress.note(`${since(m.at).padStart(8)}  ${m.line}`);
      noted = milestones.length;
      const phase = drillProgress(events);
      progress.update(`drill ${name}: ${phase ?? status.toLowerCase()}, ${since(target.now())}`);
    }
  } finally {
    progress.done();
  }
  // The execution ended: a record that cannot be read leaves its output, never a drill that "runs on".
  const records = await readAfterEnd(
    status,
    [],
    () => drillHistory(target.resources.stateTable, 20, target.client(DynamoDBClient)),
    (why) =>
      context.output.err(`its record could not be read (${why}): the verdict is the execution's output`),
  );
  const recorded = records.find((d) => d.drillId === name);
  // The cleanup task's command names no region; the operator's shell may default to another one.
  const withRegion = (command: string) =>
    command.includes("--region") ? command : `${command} --region ${target.region}`;
  const kept = options.keep
    ? keptFileSystems(events).map(({ fileSystemId, howToRemove }) => ({
        fileSystemId,
        howToRemove: withRegion(howToRemove ?? `aws efs delete-file-system --file-system-id ${fileSystemId}`),
      }))
    : undefined;
  if (recorded) return { verdict: recorded.verdict, ...(kept ? { kept } : {}) };
  const reported = reportedVerdict(output);
  return {
    verdict: {
      drillId: name,
      passed: status === "SUCCEEDED" && reported.passed === true,
      failed: status !== "SUCCEEDED" || reported.passed !== true || reported.failed === true,
      reason: reported.reason ?? error ?? `the execution ended ${status}`,
      fileSystems: reported.fileSystems ?? [],
    },
    ...(kept ? { kept } : {}),
  };
}

/** What the Report task answered (`passed`, `failed`, `reason` may be null, `fileSystems`). */
type ReportedVerdict = Partial<Omit<DrillVerdict, "reason"> & { reason: string | null }>;

/**
 * The Report task's answer in a restore drill's execution output: the state machine ends with its whole state,
 * where ReportWhileCleaningUp put `{ passed, result, cleanup }` at `report` (`result` is the Report task's answer).
 */
function reportedVerdict(output: string | undefined): ReportedVerdict {
  const state = output ? (JSON.parse(output) as { report?: { result?: ReportedVerdict } }) : {};
  return state.report?.result ?? {};
}

/**
 * Runs `read` and, once the execution has ended, falls back to `fallback` (saying why) when AWS refuses or fails
 * the read: the drill is over, only a detail of its report is missing. While it runs, the error is thrown.
 */
async function readAfterEnd<T>(
  status: string,
  fallback: T,
  read: () => Promise<T>,
  missing: (why: string) => void,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const failure = awsCallFailure(error);
    if (status === "RUNNING" || !failure) throw error;
    missing(failure.detail);
    return fallback;
  }
}

/** Every event of an execution's history, oldest first. */
async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * Runs `work`, which starts a drill (telling `started` its execution) and follows it. An AWS error after the
 * start (a permission missing, the credentials expired, AWS out of reach or failing) only keeps the CLI from
 * following and becomes a DrillNotFollowedError: the drill runs on, so it must not read as a drill that could
 * not start, nor as a bug in clawops. Anything else (a bug) is thrown as is.
 */
async function startAndFollow<T>(
  permissions: string,
  work: (started: (drill: string, executionArn: string) => void) => Promise<T>,
): Promise<T> {
  let running: { drill: string; executionArn: string } | undefined;
  try {
    return await work((drill, executionArn) => {
      running = { drill, executionArn };
    });
  } catch (error) {
    const failure = running && awsCallFailure(error);
    if (!running || !failure) throw error;
    throw new DrillNotFollowedError(
      running.drill,
      running.executionArn,
      notFollowedReason(failure),
      failure.kind,
      permissions,
      {
        cause: error,
      },
    );
  }
}

function notFollowedReason(failure: AwsCallFailure): string {
  switch (failure.kind) {
    case "denied":
      return `AWS denied a call following it needs (${failure.detail})`;
    case "expired":
      return `your credentials expired (${failure.detail})`;
    case "unreachable":
      return `AWS could not be reached (${failure.detail})`;
    case "failed":
      return `AWS answered with an error (${failure.detail})`;
  }
}

/**
 * Tells the operator the drill was started and runs on, why the CLI stopped following it, and how to follow it.
 * A failure drill's dry run stops nothing: only its result could not be read, and nothing was drilled (exit 2).
 */
function reportNotFollowed(
  error: DrillNotFollowedError,
  region: string,
  context: CliContext,
  options: { readonly json: boolean; readonly dryRun: boolean },
) {
  const { output } = context;
  const follow = `aws stepfunctions describe-execution --execution-arn ${error.executionArn} --region ${region}`;
  if (options.dryRun) {
    output.err(
      `${output.color.yellow("the failure drill's dry run")} (${error.executionArn}) stops nothing, but its result could not be read: ${error.reason}`,
    );
    output.err(`read it in the Step Functions console, or with: ${follow}`);
  } else {
    output.err(`${output.color.yellow(`${error.drill} was started`)} and runs on: ${error.executionArn}`);
    output.err(`its progress and result cannot be followed from here: ${error.reason}`);
    output.err(
      error.kind === "expired"
        ? `renew your credentials (aws sso login, or however you sign in), then follow it with: ${follow}`
        : `follow it in the Step Functions console, or with: ${follow}`,
    );
  }
  if (error.kind === "denied")
    output.err(`to follow drills from the CLI, use credentials whose role also allows ${error.permissions}`);
  if (options.json)
    output.json({
      started: true,
      followed: false,
      ...(options.dryRun ? { dryRun: true } : {}),
      executionArn: error.executionArn,
      reason: error.reason,
    });
  // A dry run that was not read drilled nothing: 2, as a drill that did not run. Otherwise not 2 ("could not
  // start"): the drill started. Not 0: nobody saw it pass.
  context.setExitCode(options.dryRun ? 2 : 1);
}

/** What following each drill reads (besides starting it, which needs states:StartExecution). */
const FOLLOW_PERMISSIONS = {
  restore: "states:DescribeExecution, states:GetExecutionHistory and dynamodb:Query on the state table",
  failure: "states:DescribeExecution",
} as const;

const instanceId = (value: string) => {
  if (!EC2_INSTANCE_ID.test(value)) throw new InvalidArgumentError("expected an EC2 instance id (i-0abc...)");
  return value;
};

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a whole number above 0");
  return n;
};

/** `clawops drill`: an on-demand restore drill with progress and a summary table; `--history` lists past drills. */
export function drillCommand(context: CliContext): Command {
  return withTargetOptions(new Command("drill"))
    .description("Run a restore drill now (restore the latest backups to new file systems, verify, clean up)")
    .option("--history [count]", "list the latest drills instead of running one (default 20)", positive)
    .option("--keep", "keep the restored file systems for inspection (their mount targets are still removed)")
    .option(
      "--file-system <id>",
      "drill only this fleet file system (repeatable)",
      (value: string, all: string[] = []) => [...all, value],
    )
    .option(
      "--failure",
      "the failure drill: stop one gateway, time the alarm, the Slack alert and the replacement",
    )
    .option("--instance <id>", "with --failure: the InService instance whose gateway is stopped", instanceId)
    .option("--dry-run", "with --failure: show what the drill would do, change nothing")
    .option("--json", "print the verdict (or the history) as JSON")
    .option("--poll <seconds>", "seconds between progress polls", positive, POLL_DEFAULT_SECONDS)
    .addHelpText(
      "after",
      `
Examples:
  $ clawops drill --stage prod                         restore every fleet file system, verify, clean up
  $ clawops drill --stage prod --file-system fs-0abc --keep
  $ clawops drill --stage prod --history 5
  $ clawops drill --sandbox --json
  $ clawops drill --stage prod --failure --dry-run       what the failure drill would stop and measure

RPO is the age of the recovery point restored; RTO the time from the restore's start to verified.
Exit codes: 0 the drill passed, 1 it failed (the table says which file system and why) or it was started but
could not be followed (the execution ARN is printed: it runs on), 2 it could not start, or a failure drill's
dry run whose result could not be read.`,
    )
    .action(async (options: DrillOptions) => {
      const { output } = context;
      if (options.failure && (options.history || options.keep || options.fileSystem))
        throw new NotAvailableError("--failure cannot be combined with --history, --keep or --file-system");
      if (!options.failure && (options.dryRun || options.instance))
        throw new NotAvailableError(
          "--dry-run and --instance apply to the failure drill only: add --failure (a restore drill has no dry run)",
        );
      const flows = options.failure ? (["failure-drill"] as const) : [];
      await onTarget({ ...options, flows }, context, async (target) => {
        try {
          await drillOn(target);
        } catch (error) {
          if (!(error instanceof DrillNotFollowedError)) throw error;
          reportNotFollowed(error, target.region, context, {
            json: options.json === true,
            dryRun: options.failure === true && options.dryRun === true,
          });
        }
      });

      async function drillOn(target: Target) {
        if (options.failure) {
          const { runFailureDrill } = await import("../../../../functions/failure-drill/run.js");
          // With --json the drill's own lines go to stderr and the result is the data on stdout.
          const drillOutput = options.json ? { out: output.err, err: output.err } : output;
          const result = await startAndFollow(FOLLOW_PERMISSIONS.failure, (started) =>
            target.during(
              runFailureDrill(target, {
                output: drillOutput,
                ...(options.instance ? { instanceId: options.instance } : {}),
                dryRun: options.dryRun === true,
                onStarted: (executionArn) =>
                  started(options.dryRun ? "failure drill dry run" : "failure drill", executionArn),
              }),
            ),
          );
          // A dry run's "passed" only says the plan was made: "dryRun" keeps it from reading as a drill that passed.
          if (options.json) output.json(options.dryRun ? { ...result, dryRun: true } : result);
          // A refusal (too few healthy gateways, another drill, an instance refresh) is a drill that could not start.
          const refused = result.error?.startsWith("FailureDrillRefused:") === true;
          context.setExitCode(result.passed ? 0 : refused ? 2 : 1);
          return;
        }
        if (options.history) {
          const entries = await drillHistory(
            target.resources.stateTable,
            options.history === true ? 20 : options.history,
            target.client(DynamoDBClient),
          );
          if (options.json) output.json(entries);
          else for (const line of renderDrillHistory(entries, output.color)) output.out(line);
          return;
        }
        const { verdict, kept } = await startAndFollow(FOLLOW_PERMISSIONS.restore, (started) =>
          runRestoreDrill(target, options, context, started),
        );
        if (options.json) output.json(kept ? { ...verdict, kept } : verdict);
        else for (const line of renderDrillSummary(verdict, output.color, kept)) output.out(line);
        context.setExitCode(verdict.passed ? 0 : 1);
      }
    });
}
