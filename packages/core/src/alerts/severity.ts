import type { Severity } from "../config/index.js";
import type { ClawopsEvent } from "../events/index.js";
import { failureDrillSeverity } from "../failure-drill/render.js";
import type { AlertRouterSettings } from "./settings.js";

/** Severities, most severe first (a copy of the config schema's list: the router must not bundle full zod). */
export const ALERT_SEVERITIES: readonly Severity[] = ["critical", "high", "warning", "info"];

function asSeverity(value: string | undefined): Severity | undefined {
  const lower = value?.trim().toLowerCase();
  return (ALERT_SEVERITIES as readonly string[]).includes(lower ?? "") ? (lower as Severity) : undefined;
}

/**
 * An alarm's severity: its `severity` tag; else `alerts.alarmSeverities` (exact name, then the longest
 * `prefix*`); else a `-critical`/`-high`/`-warning`/`-info` segment in its name; else `defaultSeverity`.
 */
export function alarmSeverity(
  alarmName: string,
  tags: Readonly<Record<string, string>>,
  settings: AlertRouterSettings["alerts"],
): Severity {
  const tagged = Object.entries(tags).find(([key]) => key.toLowerCase() === "severity");
  const fromTag = asSeverity(tagged?.[1]);
  if (fromTag) return fromTag;
  const exact = settings.alarmSeverities[alarmName];
  if (exact) return exact;
  const prefix = Object.keys(settings.alarmSeverities)
    .filter((key) => key.endsWith("*") && alarmName.startsWith(key.slice(0, -1)))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix) return settings.alarmSeverities[prefix] ?? settings.defaultSeverity;
  const named = /-(critical|high|warning|info)(?:-|$)/.exec(alarmName)?.[1];
  return asSeverity(named) ?? settings.defaultSeverity;
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, warning: 2, info: 3 };

/** The more severe of the given severities (`info` for none). */
export function highestSeverity(severities: readonly Severity[]): Severity {
  return [...severities].sort((a, b) => RANK[a] - RANK[b])[0] ?? "info";
}

/**
 * The severity of one of clawops' own events: a lost alert is critical (nobody heard about something), an
 * abandoned launch, a failed drill or gateway probes failing fleet-wide (the monitor stopped repairing the fleet)
 * is high, a failed drain is a warning, good news is info. A readiness drift is as severe as its most severe
 * failing check.
 */
export function clawopsSeverity(event: ClawopsEvent): Severity {
  switch (event["detail-type"]) {
    case "AlertDeliveryFailed":
      return "critical";
    case "LifecycleAbandoned":
    case "DrillFailed":
    case "GatewayProbesFailingFleetWide":
      return "high";
    case "DrillCompleted":
      return event.detail.passed ? "info" : "high";
    case "DrainFailed":
      return "warning";
    case "ReadinessDriftFound":
      return highestSeverity(
        event.detail.checks
          .filter((check) => check.status !== "pass")
          .map((check) => asSeverity(check.severity) ?? "warning"),
      );
    case "ReadinessDriftCleared":
    case "GatewayProbesFleetWideCleared":
      return "info";
    case "FailureDrillStarted":
    case "FailureDrillCompleted":
      return failureDrillSeverity(event);
  }
}
