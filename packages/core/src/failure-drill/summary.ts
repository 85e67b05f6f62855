import { gatewayRestartOf, restartSentence } from "./restart.js";
import type { FailureDrillResult } from "./result.js";

const measured = (seconds: number | null) => (seconds === null ? "never" : `${seconds} s`);

/**
 * A drill's result as lines a person reads (the CLI prints them, the game day logs them): the verdict, each
 * measured time against its window with pass/fail, the alarm's return to OK, and why the drill aborted.
 */
export function failureDrillSummary(result: FailureDrillResult): string[] {
  const { seconds: s, windows: w, verdicts: v } = result;
  // Results stored before the restart was reported have none.
  const restart = restartSentence(result.instanceId, gatewayRestartOf(result.restart));
  return [
    `failure drill ${result.drillId} on ${result.instanceId}: ${result.passed ? "passed" : "FAILED"}`,
    ...(s.stopConfirmed === undefined
      ? []
      : [`gateway seen stopped: ${measured(s.stopConfirmed)} after the stop was sent`]),
    `alarm in ALARM: ${measured(s.alarm)} after the stop (window ${w.alarmSeconds} s): ${v.alarm}`,
    `alert delivered: ${measured(s.alertDelivered)} after the alarm (window ${w.alertSeconds} s): ${v.alert}`,
    `replacement InService: ${measured(s.replacement)} after the stop (window ${w.replacementSeconds} s): ${v.replacement}${result.replacementInstanceId ? ` (${result.replacementInstanceId})` : ""}`,
    `alarm OK again: ${measured(s.recovered)} after the stop`,
    ...(result.abortedBecause ? [`aborted: ${result.abortedBecause}`] : []),
    ...(restart ? [restart] : []),
  ];
}

/**
 * The result a failed drill's execution carries in its `cause` (the `DrillFailed` state's `CausePath`: a
 * failed execution has no output), or undefined when the cause is not one.
 */
export function failureDrillResultFromCause(cause: string | undefined): FailureDrillResult | undefined {
  if (!cause?.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(cause) as Partial<FailureDrillResult>;
    return typeof parsed.passed === "boolean" && typeof parsed.drillId === "string"
      ? (parsed as FailureDrillResult)
      : undefined;
  } catch {
    return undefined; // Not JSON after all: the cause is a message.
  }
}
