import * as z from "zod/mini";
import type { ResolvedConfig } from "../config/index.js";
import { ClawopsAlarm, clawopsAlarmName } from "../events/sources.js";
import type { FleetDescription } from "../fleet/description.js";
import { GATEWAY_START_BOUND_SECONDS, GATEWAY_STOP_SETTLE_SECONDS } from "./commands.js";

/** The three windows a failure drill checks, in seconds. */
export const DrillWindowsSchema = z.object({
  /** Gateway stopped → unhealthy-gateway alarm in ALARM. */
  alarmSeconds: z.number(),
  /** Alarm in ALARM → alert delivered to Slack. */
  alertSeconds: z.number(),
  /** Gateway stopped → replacement InService (it passed the launch gate). */
  replacementSeconds: z.number(),
});
export type DrillWindows = z.infer<typeof DrillWindowsSchema>;

/**
 * What every failure-drill function receives as JSON in `CLAWOPS_SETTINGS` (the stack writes it, the sandbox
 * builds it with `failureDrillSettings`).
 */
export const FailureDrillSettingsSchema = z.object({
  fleetName: z.string(),
  autoScalingGroupName: z.string(),
  /** The alarm the drill expects to fire: `clawops-<stage>-unhealthy-gateways` (stacks/Lifecycle.ts). */
  alarmName: z.string(),
  /** systemd unit the drill stops and, on abort, starts again. */
  gatewayServiceName: z.string(),
  windows: DrillWindowsSchema,
  /** Seconds between two observations (the state machine's Wait). */
  observeIntervalSeconds: z.number(),
  /** Days the drill record stays in the state table. */
  recordDays: z.number(),
});
export type FailureDrillSettings = z.infer<typeof FailureDrillSettingsSchema>;

/** Seconds the state machine waits between observations. */
export const OBSERVE_INTERVAL_SECONDS = 15;

/** Drill records outlive readiness' 30-day look-back by a wide margin (a year of history). */
const RECORD_DAYS = 400;

/** The alarm name stacks/Lifecycle.ts gives the unhealthy-gateways alarm. */
export function unhealthyGatewaysAlarmName(stage: string): string {
  return clawopsAlarmName(stage, ClawopsAlarm.UnhealthyGateways);
}

/** The failure drill settings of a stage, for the fleet described. */
export function failureDrillSettings(config: ResolvedConfig, fleet: FleetDescription): FailureDrillSettings {
  const drill = config.settings.failureDrill;
  return {
    fleetName: fleet.name,
    autoScalingGroupName: fleet.autoScalingGroupName,
    alarmName: unhealthyGatewaysAlarmName(config.stage),
    gatewayServiceName: config.settings.lifecycle.gatewayServiceName,
    windows: {
      alarmSeconds: drill.alarmWithinSeconds,
      alertSeconds: drill.alertWithinSeconds,
      replacementSeconds: drill.replacementWithinSeconds,
    },
    observeIntervalSeconds: OBSERVE_INTERVAL_SECONDS,
    recordDays: RECORD_DAYS,
  };
}

/** Parses `CLAWOPS_SETTINGS` of a failure-drill function. */
export function parseFailureDrillSettings(json: string | undefined): FailureDrillSettings {
  if (!json) throw new TypeError("CLAWOPS_SETTINGS is not set for this failure-drill function");
  return z.parse(FailureDrillSettingsSchema, JSON.parse(json));
}

/**
 * How long the drill lock holds: the longest a drill can run (twice the replacement window, then twice the
 * alarm window for the recovery), plus a slow stop's settling and a restart queued behind it, plus ten minutes
 * for the record and the state machine's waits. A crashed drill's lock runs out by itself.
 */
export function drillLockSeconds(windows: DrillWindows): number {
  return (
    2 * windows.replacementSeconds +
    2 * windows.alarmSeconds +
    GATEWAY_STOP_SETTLE_SECONDS +
    GATEWAY_START_BOUND_SECONDS +
    600
  );
}

let now: () => number = Date.now;

/** The failure drill's clock: the wall clock in Lambda, the sandbox clock in the sandbox. */
export function failureDrillNow(): number {
  return now();
}

/** The sandbox's seam: the drill reads the sandbox clock instead of the wall clock. Returns the restore function. */
export function setFailureDrillClock(next: () => number): () => void {
  const previous = now;
  now = next;
  return () => {
    now = previous;
  };
}

/** The SSM parameter holding the failure drill's state machine ARN (stacks/FailureDrill.ts writes it). */
export function failureDrillParameterName(stage: string): string {
  return `/clawops/${stage}/failure-drill-state-machine-arn`;
}
