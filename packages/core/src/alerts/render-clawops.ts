import type {
  AlertDeliveryFailedEvent,
  ClawopsEvent,
  DrainFailedEvent,
  DrillCompletedEvent,
  DrillFailedEvent,
  DrillFileSystemResult,
  GatewayProbesFailingFleetWideEvent,
  GatewayProbesFleetWideClearedEvent,
  LifecycleAbandonedEvent,
  ReadinessDriftClearedEvent,
  ReadinessDriftFoundEvent,
} from "../events/index.js";
import { failureDrillCompletedLayout, failureDrillStartedLayout } from "../failure-drill/render.js";
import {
  bold,
  code,
  codeBlock,
  context,
  fitMessage,
  header,
  joinMrkdwn,
  type Mrkdwn,
  md,
  mention,
  plain,
  type SlackBlock,
  type SlackMessage,
  section,
} from "../slack/index.js";
import type { AlertRoute } from "./alert.js";
import { formatBytes, formatDuration, formatTime, TONE_COLOR } from "./format.js";
import { linkedUrls } from "./links.js";

/** Where the message was routed (severity shown, mention added on problems). */
export interface ClawopsRenderContext {
  readonly route: Pick<AlertRoute, "severity" | "mention">;
  /** A line shown under the title, about this message rather than the event (a replay, say); escaped. */
  readonly note?: string;
}

interface Layout {
  readonly emoji: string;
  readonly title: string;
  readonly color: string;
  readonly blocks: SlackBlock[];
}

function lifecycleAbandoned(event: LifecycleAbandonedEvent): Layout {
  const { detail } = event;
  const probe = detail.lastProbe;
  return {
    emoji: ":no_entry:",
    title: `Launch abandoned: ${detail.instanceId}`,
    color: TONE_COLOR.bad,
    blocks: [
      section(md`${bold("Why")} ${linkedUrls(detail.reason)}`, [
        md`${bold("Group")}\n${detail.asgName}`,
        md`${bold("Hook")}\n${detail.hookName}`,
      ]),
      section(
        probe
          ? md`${bold("Last probe")} ${probe.status} at ${formatTime(probe.at)}\n${codeBlock(probe.output || "(no output)")}`
          : md`${bold("Last probe")} none recorded`,
      ),
      context(
        md`The instance was not put in service; the group launches a replacement. Check the gateway's log for the boot.`,
      ),
    ],
  };
}

function drainFailed(event: DrainFailedEvent): Layout {
  const { detail } = event;
  return {
    emoji: ":warning:",
    title: `Drain failed: ${detail.instanceId}`,
    color: TONE_COLOR.warn,
    blocks: [
      section(md`${bold("Why")} ${linkedUrls(detail.reason)}`, [
        md`${bold("Group")}\n${detail.asgName}`,
        md`${bold("Hook")}\n${detail.hookName}`,
        ...(detail.commandId ? [md`${bold("SSM command")}\n${code(detail.commandId)}`] : []),
      ]),
      context(md`Termination continued: sessions on this instance may not have flushed their logs.`),
    ],
  };
}

function seconds(value: number | null): string {
  return value === null ? "not measured" : formatDuration(value * 1000);
}

function drillTable(fileSystems: readonly DrillFileSystemResult[]): SlackBlock[] {
  const rows = fileSystems.map(
    (fs) =>
      md`${code(fs.fileSystemId)} RPO ${bold(seconds(fs.rpoSeconds))} · RTO ${bold(seconds(fs.rtoSeconds))} · ${fs.filesVerified} files, ${formatBytes(fs.bytesVerified)} · ${fs.mismatches.length === 0 ? "verified" : md`${bold(`${fs.mismatches.length} mismatch(es)`)}`}${fs.unverified?.length ? md` · ${bold(`${fs.unverified.length} not verified`)}` : ""}`,
  );
  const listed = (
    pick: (fs: DrillFileSystemResult) => readonly { path: string; reason: string }[] | undefined,
  ) =>
    fileSystems.flatMap((fs) =>
      (pick(fs) ?? []).map((m) => md`• ${code(fs.fileSystemId)} ${code(m.path)}: ${m.reason}`),
    );
  const mismatches = listed((fs) => fs.mismatches);
  const unverified = listed((fs) => fs.unverified);
  return [
    ...(rows.length ? [section(joinMrkdwn(rows, "\n"))] : [section(md`No file system was restored.`)]),
    ...(mismatches.length ? [section(md`${bold("Mismatches")}\n${joinMrkdwn(mismatches, "\n")}`)] : []),
    ...(unverified.length
      ? [section(md`${bold("Could not be verified")}\n${joinMrkdwn(unverified, "\n")}`)]
      : []),
  ];
}

function drillCompleted(event: DrillCompletedEvent): Layout {
  const { detail } = event;
  return {
    emoji: detail.passed ? ":white_check_mark:" : ":x:",
    title: `Restore drill ${detail.passed ? "passed" : "did not verify"}: ${detail.drillId}`,
    color: detail.passed ? TONE_COLOR.good : TONE_COLOR.bad,
    blocks: [
      ...drillTable(detail.fileSystems),
      context(
        detail.passed
          ? md`Every file system restored and verified against the deployed manifest.`
          : md`A restore did not match what is deployed: the backup cannot be trusted until this is explained.`,
      ),
    ],
  };
}

function drillFailed(event: DrillFailedEvent): Layout {
  const { detail } = event;
  return {
    emoji: ":x:",
    title: `Restore drill failed: ${detail.drillId}`,
    color: TONE_COLOR.bad,
    blocks: [
      section(md`${bold("Why")} ${linkedUrls(detail.reason)}`),
      ...drillTable(detail.fileSystems),
      context(
        md`Drill resources were cleaned up. Run ${code("clawops drill")} again once the cause is fixed.`,
      ),
    ],
  };
}

function drift(event: ReadinessDriftFoundEvent | ReadinessDriftClearedEvent, found: boolean): Layout {
  const { detail } = event;
  const lines = detail.checks.map(
    (check) =>
      md`• ${code(check.id)} ${check.title} (${check.area}, ${check.severity}): ${bold(check.status)}`,
  );
  return {
    emoji: found ? ":rotating_light:" : ":white_check_mark:",
    title: found
      ? `Readiness drift: ${detail.checks.length} finding(s)`
      : `Readiness restored: ${detail.checks.length} finding(s) cleared`,
    color: found ? TONE_COLOR.warn : TONE_COLOR.good,
    blocks: [
      ...(lines.length ? [section(joinMrkdwn(lines, "\n"))] : []),
      context(
        md`Run ${code(detail.runId)} · ${code("clawops readiness")} shows the evidence and the remediation.`,
      ),
    ],
  };
}

function alertDeliveryFailed(event: AlertDeliveryFailedEvent): Layout {
  const { detail } = event;
  return {
    emoji: ":mailbox_with_no_mail:",
    title: "An alert did not reach Slack",
    color: TONE_COLOR.bad,
    blocks: [
      section(
        md`${bold("Alert")} ${code(detail.alertKey)}\n${bold("Channel")} ${code(detail.channel)}\n${bold("Why")} ${linkedUrls(detail.reason)}`,
      ),
      context(md`It is in the dead-letter queue. Fix the cause, then run ${code("clawops alerts replay")}.`),
    ],
  };
}

/** What to check when the probes fail fleet-wide: the monitor's config and the gateway, not the instances. */
const fleetWideChecks = () =>
  md`Replacing instances would not fix one cause every gateway shares: check ${code("gateway.path")}, ${code("gateway.port")} and ${code("gateway.requireJsonOk")} against the gateway build, a health route an upgrade moved, a fleet-wide slowdown. The monitor marks no instance until the probes stop failing fleet-wide; the unhealthy-gateways alarm still counts them.`;

function gatewayProbesFailingFleetWide(event: GatewayProbesFailingFleetWideEvent): Layout {
  const { detail } = event;
  const answers = Object.entries(detail.answers)
    .sort(([, a], [, b]) => b - a)
    .map(([answer, count]) => md`• ${code(answer)} ×${String(count)}`);
  return {
    emoji: ":rotating_light:",
    title: `Gateway probes fail fleet-wide: ${detail.asgName}`,
    color: TONE_COLOR.bad,
    blocks: [
      section(
        md`${bold(`${detail.failing} of ${detail.answered}`)} answered probes failed\n${joinMrkdwn(answers, "\n")}`,
        [md`${bold("Group")}\n${detail.asgName}`, md`${bold("Since")}\n${formatTime(detail.since)}`],
      ),
      context(fleetWideChecks()),
    ],
  };
}

function gatewayProbesFleetWideCleared(event: GatewayProbesFleetWideClearedEvent): Layout {
  const { detail } = event;
  const lasted = Date.parse(detail.clearedAt) - Date.parse(detail.since);
  return {
    emoji: ":white_check_mark:",
    title: `Gateway probes recovered: ${detail.asgName}`,
    color: TONE_COLOR.good,
    blocks: [
      section(
        md`${bold(`${detail.failing} of ${detail.answered}`)} answered probes fail now${Number.isNaN(lasted) ? "" : md` · failed fleet-wide for ${bold(formatDuration(lasted))}`}`,
        [md`${bold("Group")}\n${detail.asgName}`, md`${bold("Since")}\n${formatTime(detail.since)}`],
      ),
      context(md`The probes no longer fail fleet-wide: the monitor marks failing gateways Unhealthy again.`),
    ],
  };
}

function layout(event: ClawopsEvent): Layout {
  switch (event["detail-type"]) {
    case "LifecycleAbandoned":
      return lifecycleAbandoned(event);
    case "DrainFailed":
      return drainFailed(event);
    case "DrillCompleted":
      return drillCompleted(event);
    case "DrillFailed":
      return drillFailed(event);
    case "ReadinessDriftFound":
      return drift(event, true);
    case "ReadinessDriftCleared":
      return drift(event, false);
    case "AlertDeliveryFailed":
      return alertDeliveryFailed(event);
    case "FailureDrillStarted":
      return failureDrillStartedLayout(event);
    case "FailureDrillCompleted":
      return failureDrillCompletedLayout(event);
    case "GatewayProbesFailingFleetWide":
      return gatewayProbesFailingFleetWide(event);
    case "GatewayProbesFleetWideCleared":
      return gatewayProbesFleetWideCleared(event);
  }
}

/**
 * The Block Kit message for one of clawops' own events: an abandoned launch with its last probe output, a
 * drill result with its RPO/RTO table and mismatches, readiness drift found or cleared, a failed drain, an
 * alert that could not be delivered, gateway probes failing fleet-wide (and recovering).
 */
export function renderClawopsMessage(event: ClawopsEvent, ctx: ClawopsRenderContext): SlackMessage {
  const view = layout(event);
  const ping: Mrkdwn = ctx.route.mention ? md`${mention(ctx.route.mention)} ` : md``;
  const blocks: SlackBlock[] = [
    header(`${view.emoji} ${view.title}`),
    ...(ctx.note ? [context(plain(ctx.note))] : []),
    ...(ctx.route.mention ? [section(ping)] : []),
    ...view.blocks,
    context(md`${ctx.route.severity} · ${event.region} · ${event.account} · ${formatTime(event.time)}`),
  ];
  return fitMessage({
    text: md`${ping}${view.title} (${ctx.route.severity})`.text,
    blocks,
    color: view.color,
  });
}
