import { clawopsAlarmNames } from "../../events/sources.js";
import type { AlarmEvidence } from "../evidence.js";
import type { ReadinessSettings } from "../settings.js";

/**
 * The alarms on the health monitor's gateway metric for this fleet: namespace `Clawops`, a metric about the
 * gateway, the fleet's dimension (`Fleet`, or the group's name) and, when the alarm names one, this stage.
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
      (a.dimensions.Fleet === fleet.name ||
        a.dimensions.AutoScalingGroupName === fleet.autoScalingGroupName) &&
      // Every stage's fleet is named alike: another stage's alarm (its own `Stage`) is not this fleet's.
      (a.dimensions.Stage === undefined || a.dimensions.Stage === settings.stage),
  );
}

/** True when the alerts path's EventBridge rule selects this alarm (that rule is the alarm's action). */
export function isRouted(alarmName: string, settings: ReadinessSettings): boolean {
  const names = [...clawopsAlarmNames(settings.stage), ...settings.routedAlarms.names];
  return settings.routedAlarms.namePrefixes.some((p) => alarmName.startsWith(p)) || names.includes(alarmName);
}
