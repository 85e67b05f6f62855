import type { AlarmEvidence } from "../evidence.js";
import type { ReadinessSettings } from "../settings.js";

/**
 * The alarms on the health monitor's gateway metric for this fleet: namespace `Clawops`, a metric about the
 * gateway, and the fleet's dimension (`Fleet`, or the group's name).
 */
export function gatewayAlarms(
  alarms: readonly AlarmEvidence[],
  settings: ReadinessSettings,
): AlarmEvidence[] {
  const fleet = settings.fleet;
  return alarms.filter(
    (a) =>
      a.namespace === "Clawops" &&
      /gateway/i.test(a.metricName ?? "") &&
      (a.dimensions.Fleet === fleet.name || a.dimensions.AutoScalingGroupName === fleet.autoScalingGroupName),
  );
}

/** True when the alerts path's EventBridge rule selects this alarm (that rule is the alarm's action). */
export function isRouted(alarmName: string, settings: ReadinessSettings): boolean {
  const prefixes = [`clawops-${settings.stage}-`, ...settings.routedAlarms.namePrefixes];
  return prefixes.some((p) => alarmName.startsWith(p)) || settings.routedAlarms.names.includes(alarmName);
}
