import { SQSClient } from "@aws-sdk/client-sqs";
import { Command, InvalidArgumentError } from "commander";
import { replayDeadLetters, sendTestAlert } from "../../../../functions/alerts/replay.js";
import { type CliContext, onTarget, type TargetOptions, withTargetOptions } from "../context.js";
import { NotAvailableError } from "../errors.js";
import { renderTable } from "../format/table.js";
import { TargetFunction } from "../target.js";

interface AlertsOptions extends TargetOptions {
  readonly json?: boolean;
  readonly limit?: number;
}

/** What the router answered for one test event, as a table row. */
export function deliveryRow(state: string, outcome: unknown): string[] {
  const o = (outcome ?? {}) as { status?: string; channel?: string; ts?: string; reason?: string };
  return [state, o.status ?? "?", o.channel ?? "", o.ts ?? "", o.reason ?? ""];
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a whole number above 0");
  return n;
};

function testCommand(context: CliContext): Command {
  return withTargetOptions(new Command("test"))
    .description("Send a test ALARM and its OK through the real alert router to Slack")
    .option("--json", "print what the router answered as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ clawops alerts test --stage prod
  $ clawops alerts test --sandbox --json

The alarm is clawops-<stage>-test-alert: its ALARM opens a thread in the routed channel, its OK resolves it.
Exit codes: 0 both reached Slack and the OK resolved the thread, 1 the router skipped or dead-lettered one (or
the OK did not resolve), 2 the router could not be reached.`,
    )
    .action(async (options: AlertsOptions) => {
      const { output } = context;
      const result = await onTarget(options, context, async (target) =>
        sendTestAlert({
          stage: target.stage,
          region: target.region,
          account: await target.account(),
          invoke: (event) => target.invoke(TargetFunction.AlertRouter, event),
          now: () => target.now(),
        }),
      );
      const status = (o: unknown) => (o as { status?: string } | null)?.status ?? "";
      const delivered = [result.alarm, result.ok].every((o) =>
        ["posted", "opened", "replied", "resolved", "grouped"].includes(status(o)),
      );
      // The OK must find the ALARM's open thread in the state table and resolve it, as a real alarm's would.
      const resolved = delivered && status(result.ok) === "resolved";
      if (options.json) output.json(result);
      else {
        output.out(
          renderTable(
            ["state", "router", "channel", "ts", "reason"],
            [deliveryRow("ALARM", result.alarm), deliveryRow("OK", result.ok)],
          ),
        );
        output.out(
          resolved
            ? output.color.green("The test alert reached Slack and resolved.")
            : delivered
              ? output.color.red(
                  "The test alert reached Slack, but its OK did not resolve the ALARM's thread: check the router's access to the state table.",
                )
              : output.color.red("The test alert did not reach Slack: see the reason above."),
        );
      }
      context.setExitCode(resolved ? 0 : 1);
    });
}

function replayCommand(context: CliContext): Command {
  return withTargetOptions(new Command("replay"))
    .description(
      "Re-send the alerts in the dead-letter queue to Slack; what Slack still refuses stays queued",
    )
    .option("--limit <count>", "at most this many messages (default 100)", positive)
    .option("--json", "print the replay report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ clawops alerts replay --stage prod
  $ clawops alerts replay --stage prod --limit 10 --json

Each alert is sent to the alert router (Lambda Invoke), which posts it with its own Slack token. Records of
other flows (not alerts) are left in the queue. Exit codes: 0 everything replayed, 1 some records still fail
(they stay in the queue), 2 the queue or the alert router could not be reached.`,
    )
    .action(async (options: AlertsOptions) => {
      const { output } = context;
      const report = await onTarget(options, context, async (target) => {
        const queueUrl = target.resources.deadLetterQueueUrl;
        if (!queueUrl)
          throw new NotAvailableError(
            `stage ${target.stage} has no dead-letter queue parameter: run npx sst deploy --stage ${target.stage}`,
          );
        // Fails before the queue is touched when the stage has no alerts stack, saying how to deploy it.
        await target.alertRouterSettings();
        // The router posts each alert with its own token: no other principal may read the Slack secret.
        return replayDeadLetters({
          queueUrl,
          send: (request) => target.invoke(TargetFunction.AlertRouter, request),
          sqs: target.client(SQSClient),
          ...(options.limit ? { limit: options.limit } : {}),
        });
      });
      if (options.json) output.json(report);
      else {
        output.out(
          `${report.replayed} alert(s) replayed, ${report.superseded} superseded and ${report.announcements} delivery-failure announcement(s) deleted unposted, ${report.failed.length} still failing, ${report.skipped} other record(s) left in the queue`,
        );
        for (const f of report.failed) output.out(`${output.color.red("✗")} #${f.channel}: ${f.reason}`);
      }
      context.setExitCode(report.failed.length === 0 ? 0 : 1);
    });
}

/** `clawops alerts test | replay`. */
export function alertsCommand(context: CliContext): Command {
  return new Command("alerts")
    .description("The alert path to Slack: send a test alert, replay what was dead-lettered")
    .addCommand(testCommand(context))
    .addCommand(replayCommand(context))
    .addHelpText(
      "after",
      "\nExamples:\n  $ clawops alerts test --stage prod\n  $ clawops alerts replay --stage prod",
    );
}
