import * as z from "zod/mini";
import type { ResolvedConfig } from "../config/index.js";
// Not the config index: it loads the zod schema, which no lifecycle function needs at run time.
import { lifecycleHookTimeouts } from "../config/lifecycle-hooks.js";
import type { FleetDescription } from "../fleet/description.js";

/** What the launch gate decides with. */
export const GateSettingsSchema = z.object({
  healthyProbesRequired: z.number(),
  probeIntervalSeconds: z.number(),
  deadlineSeconds: z.number(),
  /** The launch hook's HeartbeatTimeout: a heartbeat is recorded before it runs out. */
  heartbeatTimeoutSeconds: z.number(),
  /**
   * The probe's curl bound (`gateway.probeTimeoutSeconds`): how long the gate reads a probe, and so how early it
   * heartbeats. @default 5
   */
  probeTimeoutSeconds: z.optional(z.number()),
});
export type GateSettings = z.infer<typeof GateSettingsSchema>;

/** What the terminate drain decides with. */
export const DrainSettingsSchema = z.object({
  timeoutSeconds: z.number(),
  serviceName: z.string(),
});
export type DrainSettings = z.infer<typeof DrainSettingsSchema>;

/**
 * The settings every lifecycle function receives as JSON in `CLAWOPS_SETTINGS` (the stack writes them,
 * the sandbox builds them with `lifecycleSettings`). State machine ARNs are set only for the functions that
 * start executions (gate starter, reconciler).
 */
export const LifecycleSettingsSchema = z.object({
  fleetName: z.string(),
  autoScalingGroupName: z.string(),
  launchHookName: z.string(),
  terminateHookName: z.string(),
  gateway: z.object({
    port: z.number(),
    path: z.string(),
    requireJsonOk: z.boolean(),
    probeTimeoutSeconds: z.number(),
  }),
  gate: GateSettingsSchema,
  drain: DrainSettingsSchema,
  monitor: z.object({ unhealthyAfter: z.number(), periodSeconds: z.number() }),
  /** The terminate hook's HeartbeatTimeout, when clawops knows it (reference fleets): the drain heartbeats by it. */
  terminateHeartbeatSeconds: z.optional(z.number()),
  /**
   * The launch hook's DefaultResult, when clawops knows it (reference fleets): what AWS does with an action the gate
   * could not complete. CONTINUE admits a gateway nobody checked, so the gate reports it.
   */
  launchDefaultResult: z.optional(z.enum(["ABANDON", "CONTINUE"])),
  /** The terminate hook's DefaultResult, when clawops knows it (reference fleets). */
  terminateDefaultResult: z.optional(z.enum(["ABANDON", "CONTINUE"])),
  /** The reconciler's period, for a `rate(...)` schedule: it defers an action only if its next run is in time. */
  reconcilePeriodSeconds: z.optional(z.number()),
  launchGateArn: z.optional(z.string()),
  terminateDrainArn: z.optional(z.string()),
});
export type LifecycleSettings = z.infer<typeof LifecycleSettingsSchema>;

/** The lifecycle settings of a stage, for the fleet described. */
export function lifecycleSettings(config: ResolvedConfig, fleet: FleetDescription): LifecycleSettings {
  const { lifecycle, monitor } = config.settings;
  const hooks = lifecycleHookTimeouts(config.settings);
  return {
    fleetName: fleet.name,
    autoScalingGroupName: fleet.autoScalingGroupName,
    launchHookName: fleet.launchHookName,
    terminateHookName: fleet.terminateHookName,
    gateway: { ...fleet.gateway },
    gate: {
      healthyProbesRequired: lifecycle.healthyProbesRequired,
      probeIntervalSeconds: lifecycle.probeIntervalSeconds,
      deadlineSeconds: lifecycle.launchDeadlineSeconds,
      heartbeatTimeoutSeconds: hooks.launchHeartbeatSeconds,
      probeTimeoutSeconds: fleet.gateway.probeTimeoutSeconds,
    },
    drain: { timeoutSeconds: lifecycle.drainTimeoutSeconds, serviceName: lifecycle.gatewayServiceName },
    ...(hooks.terminateHeartbeatSeconds
      ? { terminateHeartbeatSeconds: hooks.terminateHeartbeatSeconds }
      : {}),
    monitor: {
      unhealthyAfter: monitor.unhealthyAfter,
      periodSeconds: schedulePeriodSeconds(monitor.schedule),
    },
    ...(config.settings.fleet.mode === "reference"
      ? {
          launchDefaultResult: config.settings.fleet.lifecycleHooks.launchDefaultResult,
          terminateDefaultResult: config.settings.fleet.lifecycleHooks.terminateDefaultResult,
        }
      : {}),
    ...(lifecycle.reconcileSchedule.startsWith("rate(")
      ? { reconcilePeriodSeconds: schedulePeriodSeconds(lifecycle.reconcileSchedule) }
      : {}),
  };
}

/** Parses `CLAWOPS_SETTINGS` of a lifecycle function; throws with the field when it is wrong. */
export function parseLifecycleSettings(json: string | undefined): LifecycleSettings {
  if (!json) throw new Error("CLAWOPS_SETTINGS is not set for this lifecycle function");
  return z.parse(LifecycleSettingsSchema, JSON.parse(json));
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/** Seconds between two firings of a `rate(...)` schedule; a cron schedule counts as one minute (its finest step). */
export function schedulePeriodSeconds(expression: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  return rate ? Number(rate[1]) * (UNIT_SECONDS[rate[2] ?? "minute"] ?? 60) : 60;
}
