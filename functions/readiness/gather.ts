import type { Evidence, Gathered, ReadinessSettings } from "@clawops/core/readiness";
import { tuning } from "@clawops/core/readiness";
import type { Sleep } from "./probes.js";
import { gathered } from "./safely.js";

/**
 * Each area's gatherer and its SDK clients are a chunk of their own (code splitting), loaded when the run gets
 * there: the function's entry stays small (the EC2 client alone is about 550 KB of schemas) and no file of the
 * deployed function holds every client. A run loads them all, in parallel, so this moves parsing out of the
 * module import, it does not remove it (docs/benchmarks.md counts both).
 */
const areas = {
  compute: () => import("./gather-compute.js"),
  credentials: () => import("./gather-credentials.js"),
  monitoring: () => import("./gather-monitoring.js"),
  network: () => import("./gather-network.js"),
  storage: () => import("./gather-storage.js"),
  probes: () => import("./probes.js"),
  records: () => import("./records.js"),
};

/**
 * Loads every area's chunk now. The sandbox does, once, when it installs the flow: its clock runs ahead while
 * the function waits on real work it does not track, such as reading a chunk, and the probe's wait must start
 * before the clock has run out.
 */
export async function loadAreas(): Promise<void> {
  await Promise.all(Object.values(areas).map((load) => load()));
}

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
    gathered("autoscaling:DescribeAutoScalingGroups", async () =>
      (await areas.compute()).describeGroup(fleet.autoScalingGroupName),
    ),
    gathered("ec2:DescribeInstances", async () =>
      (await areas.compute()).describeInstances(fleet.autoScalingGroupName),
    ),
  ]);
  const group = value(autoScalingGroup);
  const inService = (group?.instances ?? [])
    .filter((i) => i.lifecycleState === "InService")
    .map((i) => i.instanceId);
  const groupIds = [...new Set([...fleet.securityGroupIds, ...(value(described)?.securityGroupIds ?? [])])];
  const secrets = await gathered("secretsmanager:ListSecrets", async () =>
    (await areas.credentials()).describeSecrets(),
  );
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
    restoreDrills,
    failureDrill,
    evals,
    manifest,
    probes,
  ] = await Promise.all([
    gathered("ec2:DescribeLaunchTemplateVersions", async () =>
      (await areas.compute()).describeLaunchTemplate(group ?? null),
    ),
    gathered("autoscaling:DescribeLifecycleHooks", async () =>
      (await areas.compute()).describeHooks(fleet.autoScalingGroupName),
    ),
    gathered("ec2:DescribeSecurityGroups/Subnets/RouteTables", async () =>
      (await areas.network()).describeNetwork(groupIds, group?.subnetIds ?? fleet.subnetIds),
    ),
    gathered("elasticfilesystem:DescribeFileSystems", async () =>
      (await areas.storage()).describeFileSystems([fleet.workspace.fileSystemId, fleet.runtime.fileSystemId]),
    ),
    value(secrets)
      ? gathered("iam:SimulatePrincipalPolicy", async () =>
          (await areas.credentials()).simulateSecretReads(readers, value(secrets) ?? []),
        )
      : Promise.resolve(unavailable("iam:SimulatePrincipalPolicy: the secrets could not be listed")),
    gathered("lambda:ListFunctions", async () => (await areas.credentials()).describeFunctionEnvironments()),
    gathered("cloudwatch:DescribeAlarms", async () => (await areas.monitoring()).describeAlarms(now)),
    gathered("logs:DescribeLogGroups", async () =>
      (await areas.monitoring()).describeLogGroups(
        [fleet.gatewayLogGroupName, fleet.sessionLogGroupName],
        fleet.sessionLogGroupName,
        logsSince,
      ),
    ),
    gathered("backup:GetBackupPlan/ListBackupJobs", async () =>
      (await areas.storage()).describeBackup(fleet.backupPlanId, fleet.backupVaultName, backupSince, [
        fleet.workspace.fileSystemId,
        fleet.runtime.fileSystemId,
      ]),
    ),
    gathered("dynamodb:Query restore drills", async () =>
      (await areas.records()).lastRestoreDrills(context.table, [
        fleet.workspace.fileSystemId,
        fleet.runtime.fileSystemId,
      ]),
    ),
    gathered("dynamodb:Query failure drill", async () =>
      (await areas.records()).lastFailureDrill(context.table),
    ),
    gathered("dynamodb:Query evals", async () => (await areas.records()).lastEvals(context.table)),
    gathered("ssm:GetParameter manifest", async () =>
      (await areas.records()).deployedManifest(fleet.manifestParameterName),
    ),
    group
      ? gathered("ssm:SendCommand readiness probe", async () =>
          (await areas.probes()).probeInstances(inService, settings, context.sleep),
        )
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
    restoreDrills,
    failureDrill,
    evals,
    manifest,
    probes,
  };
}
