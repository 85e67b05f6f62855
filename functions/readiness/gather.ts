import type { Evidence, Gathered, ReadinessSettings } from "@clawops/core/readiness";
import { tuning } from "@clawops/core/readiness";
import { describeGroup, describeHooks, describeInstances, describeLaunchTemplate } from "./gather-compute.js";
import { describeFunctionEnvironments, describeSecrets, simulateSecretReads } from "./gather-credentials.js";
import { describeAlarms, describeLogGroups } from "./gather-monitoring.js";
import { describeNetwork } from "./gather-network.js";
import { describeBackup, describeFileSystems } from "./gather-storage.js";
import { probeInstances, type Sleep } from "./probes.js";
import { deployedManifest, lastEvals, lastFailureDrill, lastRestoreDrill } from "./records.js";
import { gathered } from "./safely.js";

/** What gathering needs besides the settings. */
export interface GatherContext {
  readonly table: string;
  readonly now: Date;
  readonly sleep: Sleep;
}

const unavailable = (why: string) => ({ unavailable: why });
const value = <T>(g: Gathered<T>): T | undefined =>
  typeof g === "object" && g !== null && "unavailable" in (g as object) ? undefined : (g as T);

/**
 * Gathers all evidence once, in parallel where calls are independent. The calls grow with pages and batches
 * (instances per page, 50 per SendCommand, secrets per GetResourcePolicy), never with the number of checks:
 * checks only read this object.
 */
export async function gatherEvidence(settings: ReadinessSettings, context: GatherContext): Promise<Evidence> {
  const fleet = settings.fleet;
  const { now } = context;
  const [autoScalingGroup, described] = await Promise.all([
    gathered("autoscaling:DescribeAutoScalingGroups", () => describeGroup(fleet.autoScalingGroupName)),
    gathered("ec2:DescribeInstances", () => describeInstances(fleet.autoScalingGroupName)),
  ]);
  const group = value(autoScalingGroup);
  const inService = (group?.instances ?? [])
    .filter((i) => i.lifecycleState === "InService")
    .map((i) => i.instanceId);
  const groupIds = [...new Set([...fleet.securityGroupIds, ...(value(described)?.securityGroupIds ?? [])])];
  const secrets = await gathered("secretsmanager:ListSecrets", describeSecrets);
  const readers = [
    { roleArn: fleet.instanceRoleArn, secretArn: fleet.secretArn },
    ...(settings.alerts
      ? [{ roleArn: settings.alerts.routerRoleArn, secretArn: settings.alerts.secretArn }]
      : []),
  ];
  const backupSince = new Date(now.getTime() - (tuning(settings).backupMaxAgeHours + 24) * 3_600_000);
  const logsSince = new Date(now.getTime() - settings.readiness.logsFreshMinutes * 60_000);
  const [
    launchTemplate,
    lifecycleHooks,
    network,
    fileSystems,
    simulations,
    functionEnvironments,
    alarms,
    logGroups,
    backup,
    restoreDrill,
    failureDrill,
    evals,
    manifest,
    probes,
  ] = await Promise.all([
    gathered("ec2:DescribeLaunchTemplateVersions", () => describeLaunchTemplate(group ?? null)),
    gathered("autoscaling:DescribeLifecycleHooks", () => describeHooks(fleet.autoScalingGroupName)),
    gathered("ec2:DescribeSecurityGroups/Subnets/RouteTables", () =>
      describeNetwork(groupIds, group?.subnetIds ?? fleet.subnetIds),
    ),
    gathered("elasticfilesystem:DescribeFileSystems", () =>
      describeFileSystems([fleet.workspace.fileSystemId, fleet.runtime.fileSystemId]),
    ),
    value(secrets)
      ? gathered("iam:SimulatePrincipalPolicy", () => simulateSecretReads(readers, value(secrets) ?? []))
      : Promise.resolve(unavailable("iam:SimulatePrincipalPolicy: the secrets could not be listed")),
    gathered("lambda:ListFunctions", describeFunctionEnvironments),
    gathered("cloudwatch:DescribeAlarms", describeAlarms),
    gathered("logs:DescribeLogGroups", () =>
      describeLogGroups(
        [fleet.gatewayLogGroupName, fleet.sessionLogGroupName],
        fleet.sessionLogGroupName,
        logsSince,
      ),
    ),
    gathered("backup:GetBackupPlan/ListBackupJobs", () =>
      describeBackup(fleet.backupPlanId, fleet.backupVaultName, backupSince),
    ),
    gathered("dynamodb:Query restore drill", () => lastRestoreDrill(context.table)),
    gathered("dynamodb:Query failure drill", () => lastFailureDrill(context.table)),
    gathered("dynamodb:Query evals", () => lastEvals(context.table)),
    gathered("ssm:GetParameter manifest", () => deployedManifest(fleet.manifestParameterName)),
    group
      ? gathered("ssm:SendCommand readiness probe", () => probeInstances(inService, settings, context.sleep))
      : Promise.resolve(unavailable("no Auto Scaling group to probe")),
  ]);
  return {
    autoScalingGroup,
    instances: value(described)
      ? (value(described)?.instances ?? [])
      : (described as { unavailable: string }),
    launchTemplate,
    lifecycleHooks,
    network,
    fileSystems,
    secrets,
    simulations,
    functionEnvironments,
    alarms,
    logGroups,
    backup,
    restoreDrill,
    failureDrill,
    evals,
    manifest,
    probes,
  };
}
