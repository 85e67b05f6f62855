import * as z from "zod/mini";
import type { ResolvedConfig } from "../config/index.js";

const Severity = z.enum(["critical", "high", "warning", "info"]);

/**
 * What the alert router reads from `CLAWOPS_SETTINGS`: the `slack` and `alerts` sections of the stage's
 * configuration plus what the stack knows (the secret, the fleet's log group). zod/mini, so the router's
 * bundle does not carry the full config schema; `alertRouterSettings` builds it from the validated config.
 */
export const AlertRouterSettingsSchema = z.object({
  stage: z.string(),
  /** ARN of the router's own secret: JSON `{ "botToken": "xoxb-..." }`. */
  slackSecretArn: z.string(),
  /** The fleet's gateway log group, linked from alarm messages. */
  fleetLogGroupName: z.optional(z.string()),
  slack: z.object({
    defaultChannel: z.string(),
    routes: z.array(z.object({ severity: Severity, channel: z.string(), mention: z.optional(z.string()) })),
    insufficientData: z.enum(["ignore", "post-as-info"]),
    apiUrl: z.string(),
    channels: z.record(z.string(), z.string()),
    metricGraphs: z.boolean(),
  }),
  alerts: z.object({
    stormWindowSeconds: z.number(),
    stormThreshold: z.number(),
    alarmSeverities: z.record(z.string(), Severity),
    defaultSeverity: Severity,
    stateTtlDays: z.number(),
  }),
});

/** The alert router's settings. */
export type AlertRouterSettings = z.infer<typeof AlertRouterSettingsSchema>;

/** The router's settings from the validated configuration (what the stack puts in `CLAWOPS_SETTINGS`). */
export function alertRouterSettings(
  config: ResolvedConfig,
  extra: { readonly slackSecretArn: string; readonly fleetLogGroupName?: string },
): AlertRouterSettings {
  const { slack, alerts } = config.settings;
  return {
    stage: config.stage,
    slackSecretArn: extra.slackSecretArn,
    ...(extra.fleetLogGroupName ? { fleetLogGroupName: extra.fleetLogGroupName } : {}),
    slack: {
      defaultChannel: slack.defaultChannel,
      routes: slack.routes.map((route) => ({ ...route })),
      insufficientData: slack.insufficientData,
      apiUrl: slack.apiUrl,
      channels: { ...slack.channels },
      metricGraphs: slack.metricGraphs,
    },
    alerts: {
      stormWindowSeconds: alerts.stormWindowSeconds,
      stormThreshold: alerts.stormThreshold,
      alarmSeverities: { ...alerts.alarmSeverities },
      defaultSeverity: alerts.defaultSeverity,
      stateTtlDays: alerts.stateTtlDays,
    },
  };
}

/** Parses the router's settings JSON (from the environment). */
export function parseAlertRouterSettings(json: string | undefined): AlertRouterSettings {
  if (!json) throw new Error("CLAWOPS_SETTINGS is not set for the alert router");
  return AlertRouterSettingsSchema.parse(JSON.parse(json));
}
