import type { Severity } from "../config/index.js";
import type { Alert, AlertRoute } from "./alert.js";
import type { AlertRouterSettings } from "./settings.js";
import { alarmSeverity, clawopsSeverity } from "./severity.js";

/** What the router does with an alert: post it on a route, or skip it (and why). */
export type RouteDecision =
  | ({ readonly action: "post" } & AlertRoute)
  | { readonly action: "skip"; readonly reason: string };

/** True when the alert reports a problem (so a configured mention applies), not a recovery or good news. */
export function isProblem(alert: Alert, severity: Severity): boolean {
  if (alert.kind === "alarm") return alert.event.detail.state.value === "ALARM";
  const type = alert.event["detail-type"];
  if (type === "ReadinessDriftCleared" || type === "GatewayProbesFleetWideCleared") return false;
  return !(type === "DrillCompleted" && severity === "info");
}

/**
 * True for a composite alarm whose actions its actions suppressor holds back because the suppressor is in
 * ALARM (a maintenance window, a parent outage): CloudWatch does not notify, so clawops does not page either.
 */
export function isActionsSuppressed(alert: Alert): boolean {
  return alert.kind === "alarm" && alert.event.detail.state.actionsSuppressedBy === "Alarm";
}

/**
 * Routes an alert: its severity (alarm tag, `alerts.alarmSeverities`, name, default; clawops events by
 * type), the first route of that severity (else `slack.defaultChannel`), channel names resolved through
 * `slack.channels`, and the route's mention on problems (not on an alarm whose actions are suppressed).
 * INSUFFICIENT_DATA is skipped or posted as `info` per `slack.insufficientData`.
 */
export function routeAlert(alert: Alert, settings: AlertRouterSettings): RouteDecision {
  let severity: Severity;
  if (alert.kind === "alarm") {
    const { detail } = alert.event;
    if (detail.state.value === "INSUFFICIENT_DATA" && settings.slack.insufficientData === "ignore") {
      return { action: "skip", reason: "INSUFFICIENT_DATA is ignored by slack.insufficientData" };
    }
    severity =
      detail.state.value === "INSUFFICIENT_DATA"
        ? "info"
        : alarmSeverity(detail.alarmName, alert.tags, settings.alerts);
  } else {
    severity = clawopsSeverity(alert.event);
  }
  const route = settings.slack.routes.find((candidate) => candidate.severity === severity);
  const name = route?.channel ?? settings.slack.defaultChannel;
  const channel = settings.slack.channels[name] ?? name;
  const mention =
    route?.mention && isProblem(alert, severity) && !isActionsSuppressed(alert) ? route.mention : undefined;
  return { action: "post", channel, severity, ...(mention ? { mention } : {}) };
}
