import type { FailureDrillRecord } from "../evidence.js";
import { available } from "../evidence.js";
import type { ReadinessSettings } from "../settings.js";
import { tuning } from "../settings.js";
import type { CheckResult, ReadinessCheck } from "../types.js";
import { gatewayAlarms, isRouted } from "./gateway-alarm.js";
import { ageDays, fail, pass, unknown } from "./result.js";

/** The checklist's hard limit for the alert reaching the channel. */
const ALERT_LIMIT_SECONDS = 120;

type Measured = "alarmSeconds" | "alertDeliveredSeconds" | "replacementSeconds";
const WINDOW: Record<Measured, keyof FailureDrillRecord["windows"]> = {
  alarmSeconds: "alarmSeconds",
  alertDeliveredSeconds: "alertSeconds",
  replacementSeconds: "replacementSeconds",
};

function failureDrillVerdict(
  drill: FailureDrillRecord | null,
  measured: Measured,
  what: string,
  settings: ReadinessSettings,
  now: Date,
): CheckResult {
  if (!drill) return fail("No failure drill has run: run `clawops drill --failure`.");
  const maxAge = tuning(settings).failureDrillMaxAgeDays;
  const age = ageDays(drill.at, now);
  let window = drill.windows[WINDOW[measured]];
  if (measured === "alertDeliveredSeconds") window = Math.min(window, ALERT_LIMIT_SECONDS);
  const seconds = drill[measured];
  const where = `failure drill ${drill.drillId} (${drill.at})`;
  if (seconds === null) return fail(`In the ${where}, ${what} never happened.`);
  if (seconds > window) return fail(`In the ${where}, ${what} took ${seconds} s; the window is ${window} s.`);
  if (age > maxAge) return fail(`The last failure drill is ${age} days old (more than ${maxAge}).`);
  return pass(`In the ${where}, ${what} took ${seconds} s (window ${window} s).`);
}

const LOG_SOURCES = (s: ReadinessSettings) => [s.fleet.gatewayLogGroupName, s.fleet.sessionLogGroupName];

/** Section 5 of the checklist: alarm, alert path, replacement, session logs, retention. */
export const monitoringChecks: readonly ReadinessCheck[] = [
  {
    id: "monitoring.gateway-alarm-routed",
    area: "monitoring",
    title: "Gateway alarm reaches the alerts path",
    checklistItem:
      "Alerts are configured to fire when health checks fail, with notifications routed to the on-call channel.",
    severity: "critical",
    evidence: ["alarms"],
    method:
      "DescribeAlarms: the gateway health alarm exists, its actions are enabled and its name is selected by the alerts path's EventBridge rule (this stage's own alarms by exact name: clawops-<stage>-unhealthy-gateways, -dead-letters, -no-passing-drill, -test-alert; or alerts.alarmNamePrefixes/alarmNames); without the Alerts stack's identity in the settings there is no known alerts path, so a routed name proves nothing (unknown).",
    evaluate: (evidence, settings) => {
      const alarms = gatewayAlarms(available(evidence.alarms), settings);
      if (alarms.length === 0) return fail("No gateway health alarm exists for this fleet.");
      const routed = alarms.filter((a) => a.actionsEnabled && isRouted(a.name, settings));
      if (routed.length === 0)
        return fail(
          "The gateway alarm is not routed to Slack (name not selected by the alerts rule, or actions disabled).",
          alarms.map((a) => a.name),
        );
      // The name only matches the rule the Alerts stack deploys: without that stack there is no rule to match.
      if (!settings.alerts)
        return unknown(
          "The Alerts stack is not deployed (the run has no alerts settings), so whether the gateway alarm reaches the on-call channel cannot be verified.",
          routed.map(
            (a) => `${a.name}: its name matches the alerts rule's selection, but no alerts path is known`,
          ),
        );
      return pass(`${routed[0]!.name} is routed to the on-call channel by the alerts path.`);
    },
    remediation:
      "Deploy the Alerts stack; name the alarm clawops-<stage>-unhealthy-gateways (as the Lifecycle stack does) or add it to alerts.alarmNames, and enable its actions.",
  },
  {
    id: "monitoring.failure-drill-alarm",
    area: "monitoring",
    title: "Stopping the gateway fires the alarm",
    checklistItem:
      "Simulate a gateway failure by stopping the gateway process on the instance and confirm that a CloudWatch alarm fires.",
    severity: "high",
    evidence: ["failureDrill"],
    method:
      "The last failure drill record: time from stopping the gateway to the alarm in ALARM, within its window and recent.",
    evaluate: (e, s, now) =>
      failureDrillVerdict(available(e.failureDrill), "alarmSeconds", "the alarm firing", s, now),
    remediation:
      "Run `clawops drill --failure`; if the alarm is slow, shorten the monitor schedule or the alarm's periods.",
  },
  {
    id: "monitoring.failure-drill-alert",
    area: "monitoring",
    title: "Alert reaches the channel within 2 minutes",
    checklistItem: "Confirm that the alert reaches the notification channel within two minutes.",
    severity: "high",
    evidence: ["failureDrill"],
    method:
      "The last failure drill record: time from the alarm to the router's recorded Slack delivery, at most 120 s.",
    evaluate: (e, s, now) =>
      failureDrillVerdict(
        available(e.failureDrill),
        "alertDeliveredSeconds",
        "the alert reaching the channel",
        s,
        now,
      ),
    remediation:
      "Check the alerts path (router errors, dead-letter queue, Slack rate limits) and rerun the failure drill.",
  },
  {
    id: "monitoring.failure-drill-replacement",
    area: "monitoring",
    title: "ASG replaces the instance in time",
    checklistItem: "Confirm that the ASG replaces the instance within the expected window.",
    severity: "high",
    evidence: ["failureDrill"],
    method:
      "The last failure drill record: time from the stopped gateway to a replacement InService (launch gate passed).",
    evaluate: (e, s, now) =>
      failureDrillVerdict(available(e.failureDrill), "replacementSeconds", "the replacement", s, now),
    remediation: "Check the health monitor's unhealthyAfter, the grace period and the launch gate's timing.",
  },
  {
    id: "monitoring.session-logs",
    area: "monitoring",
    title: "Session logs arrive in CloudWatch",
    checklistItem: "Verify that session logs appear in CloudWatch for a test interaction.",
    severity: "high",
    evidence: ["logGroups"],
    method:
      "FilterLogEvents (limit 1) on the session log group since now − readiness.logsFreshMinutes, following at most 5 pages (a scan still unfinished then is `unknown`).",
    evaluate: (evidence, settings) => {
      const name = settings.fleet.sessionLogGroupName;
      const group = available(evidence.logGroups).find((g) => g.name === name);
      const minutes = settings.readiness.logsFreshMinutes;
      if (!group) return fail(`The session log group ${name} does not exist.`);
      if (!group.latestEventAt && group.eventScanIncomplete)
        return unknown(
          `The search for a session log event in ${name} within the last ${minutes} minutes did not finish.`,
          [group.eventScanIncomplete],
        );
      if (!group.latestEventAt)
        return fail(`No session log event in ${name} within the last ${minutes} minutes.`);
      return pass(`Session logs arrived in ${name} at ${group.latestEventAt}.`);
    },
    remediation:
      "Check the CloudWatch agent on the instances and the instance role's logs:PutLogEvents on the session group.",
  },
  {
    id: "monitoring.log-retention",
    area: "monitoring",
    title: "Log retention matches the requirement",
    checklistItem: "Verify log retention settings match the client's requirements.",
    severity: "warning",
    evidence: ["logGroups"],
    method:
      'DescribeLogGroups: the gateway and session groups\' retention equals logRetentionDays ("never expire" fails, as does less or more).',
    evaluate: (evidence, settings) => {
      const groups = available(evidence.logGroups);
      const want = settings.logRetentionDays;
      const problems: string[] = [];
      for (const name of LOG_SOURCES(settings)) {
        const group = groups.find((g) => g.name === name);
        if (!group) problems.push(`${name}: does not exist`);
        else if (group.retentionInDays === undefined)
          problems.push(`${name}: never expires (unbounded, not the requirement)`);
        else if (group.retentionInDays !== want) problems.push(`${name}: ${group.retentionInDays} days`);
      }
      if (problems.length > 0) return fail(`Log retention is not the required ${want} days.`, problems);
      return pass(`Gateway and session logs are kept ${want} days, as required.`);
    },
    remediation: "Set the retention (`aws logs put-retention-policy`) to logRetentionDays.",
  },
];
