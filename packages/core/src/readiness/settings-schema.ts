import * as z from "zod/mini";
import { lifecycleHookTimeouts } from "../config/lifecycle-hooks.js";
import type { ResolvedConfig } from "../config/load.js";
import type { FleetDescription } from "../fleet/description.js";
import type { AlertsIdentity, ReadinessSettings } from "./settings.js";

const fileSystem = z.object({ fileSystemId: z.string(), accessPointId: z.string(), mountPath: z.string() });
const attestation = z.object({
  id: z.string(),
  by: z.string(),
  at: z.string(),
  expires: z.string(),
  note: z.optional(z.string()),
});

/**
 * The JSON the stack writes into the readiness functions' `CLAWOPS_SETTINGS` (built by `readinessSettings`).
 * Parsed at the edge so a wrong deployment fails with the field, not deep inside a check.
 */
export const ReadinessSettingsSchema = z.looseObject({
  stage: z.string(),
  region: z.string(),
  fleet: z.looseObject({
    name: z.string(),
    autoScalingGroupName: z.string(),
    launchHookName: z.string(),
    terminateHookName: z.string(),
    instanceRoleArn: z.string(),
    securityGroupIds: z.array(z.string()),
    subnetIds: z.array(z.string()),
    workspace: fileSystem,
    runtime: fileSystem,
    secretArn: z.string(),
    kmsKeyArn: z.string(),
    backupVaultName: z.string(),
    backupPlanId: z.string(),
    gatewayLogGroupName: z.string(),
    sessionLogGroupName: z.string(),
    manifestParameterName: z.string(),
  }),
  alerts: z.optional(z.object({ secretArn: z.string(), routerRoleArn: z.string() })),
  routedAlarms: z.object({ namePrefixes: z.array(z.string()), names: z.array(z.string()) }),
  readiness: z.looseObject({
    schedule: z.string(),
    recoveryProcedure: z.object({
      path: z.string(),
      reviewedAt: z.optional(z.string()),
      reviewedBy: z.optional(z.string()),
    }),
    recoveryReviewMaxAgeDays: z.number(),
    logsFreshMinutes: z.number(),
    attestations: z.array(attestation),
  }),
  evals: z.object({ minCasesPerSkill: z.number(), maxAgeDays: z.number() }),
  logRetentionDays: z.number(),
  egressAllowlist: z.array(
    z.object({
      name: z.string(),
      cidr: z.optional(z.string()),
      prefixListId: z.optional(z.string()),
      port: z.number(),
    }),
  ),
  approvalGates: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      testedAt: z.optional(z.string()),
      testedBy: z.optional(z.string()),
    }),
  ),
  drillMaxDaysWithoutPass: z.number(),
  lifecycle: z.object({
    launchDeadlineSeconds: z.number(),
    launchHeartbeatSeconds: z.optional(z.number()),
    terminateHeartbeatSeconds: z.optional(z.number()),
  }),
});

/** Parses `CLAWOPS_SETTINGS` of a readiness function; throws naming the field when it is wrong. */
export function parseReadinessSettings(json: string | undefined): ReadinessSettings {
  if (!json) throw new Error("CLAWOPS_SETTINGS is not set for this readiness function");
  return z.parse(ReadinessSettingsSchema, JSON.parse(json)) as ReadinessSettings;
}

/** The readiness settings of a stage for the described fleet (the stack and the sandbox both build them here). */
export function readinessSettings(
  config: ResolvedConfig,
  fleet: FleetDescription,
  alerts?: AlertsIdentity,
): ReadinessSettings {
  const s = config.settings;
  const hooks = lifecycleHookTimeouts(s);
  return {
    stage: config.stage,
    region: config.app.region,
    fleet: {
      name: fleet.name,
      autoScalingGroupName: fleet.autoScalingGroupName,
      launchHookName: fleet.launchHookName,
      terminateHookName: fleet.terminateHookName,
      instanceRoleArn: fleet.instanceRoleArn,
      securityGroupIds: [...fleet.securityGroupIds],
      subnetIds: [...fleet.subnetIds],
      workspace: { ...fleet.workspace },
      runtime: { ...fleet.runtime },
      secretArn: fleet.secretArn,
      kmsKeyArn: fleet.kmsKeyArn,
      backupVaultName: fleet.backupVaultName,
      backupPlanId: fleet.backupPlanId,
      gatewayLogGroupName: fleet.gatewayLogGroupName,
      sessionLogGroupName: fleet.sessionLogGroupName,
      manifestParameterName: fleet.manifestParameterName,
    },
    ...(alerts ? { alerts } : {}),
    routedAlarms: { namePrefixes: [...s.alerts.alarmNamePrefixes], names: [...s.alerts.alarmNames] },
    readiness: s.readiness,
    evals: s.evals,
    logRetentionDays: s.logRetentionDays,
    egressAllowlist: s.egressAllowlist,
    approvalGates: s.approvalGates,
    drillMaxDaysWithoutPass: s.drills.maxDaysWithoutPass,
    lifecycle: {
      launchDeadlineSeconds: s.lifecycle.launchDeadlineSeconds,
      launchHeartbeatSeconds: hooks.launchHeartbeatSeconds,
      ...(hooks.terminateHeartbeatSeconds === undefined
        ? {}
        : { terminateHeartbeatSeconds: hooks.terminateHeartbeatSeconds }),
    },
  };
}
