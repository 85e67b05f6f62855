import type { Severity } from "../config/index.js";
import type { FailureDrillCompletedEvent, FailureDrillStartedEvent } from "../events/index.js";
import {
  bold,
  code,
  context,
  joinMrkdwn,
  type Mrkdwn,
  md,
  type SlackBlock,
  section,
} from "../slack/index.js";
import { gatewayRestartOf, restartSentence } from "./restart.js";

/** The alert router's layout of a clawops message (emoji, title, side color, blocks). */
export interface FailureDrillLayout {
  readonly emoji: string;
  readonly title: string;
  readonly color: string;
  readonly blocks: SlackBlock[];
}

const COLOR = { bad: "#d93f0b", good: "#2eb67d", info: "#1d9bd1" } as const;

/** The announcement before a drill stops a gateway: which instance, and the windows it will be held to. */
export function failureDrillStartedLayout(event: FailureDrillStartedEvent): FailureDrillLayout {
  const { detail } = event;
  const w = detail.windows;
  return {
    emoji: ":fire_drill:",
    title: `Failure drill starting: ${detail.drillId}`,
    color: COLOR.info,
    blocks: [
      section(
        md`Stopping the gateway on ${code(detail.instanceId)} (${code(detail.asgName)}) on purpose. Expect the unhealthy-gateway alarm and a replacement.`,
      ),
      context(
        md`Windows: alarm ≤ ${String(w.alarmSeconds)} s · alert ≤ ${String(w.alertSeconds)} s · replacement ≤ ${String(w.replacementSeconds)} s`,
      ),
    ],
  };
}

function row(what: string, seconds: number | null, window: number | null, verdict?: string): Mrkdwn {
  const measured = seconds === null ? "never" : `${seconds} s`;
  const limit = window === null ? "" : ` (window ${window} s)`;
  return md`${bold(what)} ${measured}${limit}${verdict ? ` · ${verdict}` : ""}`;
}

/** The drill's result: each measured time against its window, and why it aborted if it did. */
export function failureDrillCompletedLayout(event: FailureDrillCompletedEvent): FailureDrillLayout {
  const { detail } = event;
  const { seconds: s, windows: w, verdicts: v } = detail;
  const rows = [
    ...(s.stopConfirmed === undefined ? [] : [row("Gateway seen stopped", s.stopConfirmed, null)]),
    row("Alarm", s.alarm, w.alarmSeconds, v.alarm),
    row("Alert delivered", s.alertDelivered, w.alertSeconds, v.alert),
    row("Replacement InService", s.replacement, w.replacementSeconds, v.replacement),
    row("Alarm OK again", s.recovered, null),
  ];
  return {
    emoji: detail.passed ? ":white_check_mark:" : ":x:",
    title: `Failure drill ${detail.passed ? "passed" : "failed"}: ${detail.drillId}`,
    color: detail.passed ? COLOR.good : COLOR.bad,
    blocks: [
      section(joinMrkdwn(rows, "\n")),
      ...(detail.abortedBecause
        ? [
            section(
              md`${bold("Aborted")} ${detail.abortedBecause}${restartLine(detail.instanceId, detail.restart)}`,
            ),
          ]
        : []),
      context(
        md`Instance ${code(detail.instanceId)} · replacement ${code(detail.replacementInstanceId ?? "none")}`,
      ),
    ],
  };
}

/** The restart's outcome after an abort or an error, as the end of the "Aborted" sentence. */
function restartLine(instanceId: string, restart: unknown): string {
  const sentence = restartSentence(instanceId, gatewayRestartOf(restart));
  return sentence ? `; ${sentence}.` : ".";
}

/** Started is news; a passed drill is good news; a failed one is a problem the on-call should see. */
export function failureDrillSeverity(event: FailureDrillStartedEvent | FailureDrillCompletedEvent): Severity {
  if (event["detail-type"] === "FailureDrillStarted") return "info";
  return event.detail.passed ? "info" : "high";
}
