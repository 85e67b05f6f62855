import type { ReferenceFleetSettings, ResolvedConfig } from "@clawops/core/config";
import {
  type FleetDescription,
  fleetNames,
  gatewayEndpoint,
  RUNTIME_MOUNT,
  WORKSPACE_MOUNT,
} from "@clawops/core/fleet";
import { RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { StackContext } from "sst/constructs";
import { configOf } from "./config.js";
import { FleetBackup } from "./fleet/backup.js";
import { FleetCompute } from "./fleet/compute.js";
import { importFleet } from "./fleet/imported.js";
import { createFleetSecret, createInstanceRole, grantInstanceAccess } from "./fleet/instance-role.js";
import { FleetLogs } from "./fleet/logs.js";
import { FleetNetwork } from "./fleet/network.js";
import type { FleetResources } from "./fleet/resources.js";
import { SoulDocuments } from "./fleet/soul-documents.js";
import { FleetStorage } from "./fleet/storage.js";
import { gatewayUserData } from "./fleet/user-data.js";

export type { FleetResources } from "./fleet/resources.js";

/**
 * The OpenClaw fleet clawops keeps production-ready. Reference mode creates a fleet that meets the production
 * checklist; import mode describes an existing one from ids and ARNs. Either way the control-plane stacks get the
 * same `FleetResources` (`use(Fleet)`), and the description is published at `/clawops/<stage>/fleet` for the CLI.
 */
export function Fleet({ stack }: StackContext): FleetResources {
  const config = configOf(stack);
  const resources =
    config.settings.fleet.mode === "import" ? importFleet(stack, config) : referenceFleet(stack, config);
  publishDescription(stack, config, resources.description);
  return resources;
}

function referenceFleet(stack: Stack, config: ResolvedConfig): FleetResources {
  const settings = config.settings.fleet as ReferenceFleetSettings;
  const names = fleetNames(config);
  const namePrefix = names.autoScalingGroupName;

  // The fleet's own key (not Core's): the agent's data and credentials stay apart from clawops' state.
  const key = new kms.Key(stack, "Key", {
    description: `OpenClaw fleet ${namePrefix}: file systems, backups, logs, credentials`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const logs = new FleetLogs(stack, "Logs", {
    gatewayLogGroupName: names.gatewayLogGroupName,
    sessionLogGroupName: names.sessionLogGroupName,
    retentionDays: config.settings.logRetentionDays,
    key,
  });
  const network = new FleetNetwork(stack, "Network", {
    cidr: settings.vpcCidr,
    maxAzs: settings.maxAzs,
    natGateways: settings.natGateways,
    egressAllowlist: config.settings.egressAllowlist,
    flowLogGroup: logs.flowLogs,
  });
  const instanceRole = createInstanceRole(stack);
  const storage = new FleetStorage(stack, "Storage", {
    vpc: network.vpc,
    subnets: network.subnets,
    securityGroup: network.fileSystemSecurityGroup,
    key,
    namePrefix,
    instanceRole,
  });
  storage.workspace.connections.allowDefaultPortFrom(network.instanceSecurityGroup, "NFS from the fleet");
  storage.runtime.connections.allowDefaultPortFrom(network.instanceSecurityGroup, "NFS from the fleet");
  const secret = createFleetSecret(stack, key, instanceRole);
  grantInstanceAccess(instanceRole, { secret, key, storage, logGroups: [logs.gateway, logs.sessions] });

  const compute = new FleetCompute(stack, "Compute", {
    settings,
    names,
    vpc: network.vpc,
    subnets: network.subnets,
    securityGroup: network.instanceSecurityGroup,
    role: instanceRole,
    userData: gatewayUserData({
      region: stack.region,
      workspaceFileSystemId: storage.workspace.fileSystemId,
      workspaceAccessPointId: storage.workspaceAccessPoint.accessPointId,
      runtimeFileSystemId: storage.runtime.fileSystemId,
      runtimeAccessPointId: storage.runtimeAccessPoint.accessPointId,
      secretArn: secret.secretArn,
      gatewayPort: config.settings.gateway.port,
      gatewayLogGroupName: names.gatewayLogGroupName,
      sessionLogGroupName: names.sessionLogGroupName,
      openclawVersion: settings.openclawVersion,
    }),
  });
  const soul = new SoulDocuments(stack, "SoulDocuments", {
    dir: settings.soulDocumentsDir,
    vpc: network.vpc,
    subnets: network.subnets,
    securityGroup: network.writerSecurityGroup,
    workspaceAccessPoint: storage.workspaceAccessPoint,
    manifestParameterName: names.manifestParameterName,
    logRetentionDays: config.settings.logRetentionDays,
  });
  // Instances start only once the workspace holds the reviewed documents.
  compute.autoScalingGroup.node.addDependency(soul.resource);

  const drillSchedule = config.settings.drills.schedule;
  const backup = new FleetBackup(stack, "Backup", {
    vaultName: names.backupVaultName,
    key,
    fileSystems: [storage.workspace, storage.runtime],
    retentionDays: settings.backupRetentionDays,
    restoreTesting: settings.restoreTestingPlan,
    ...(drillSchedule?.startsWith("cron(") ? { restoreTestingSchedule: drillSchedule } : {}),
  });

  const fleetSubnets = network.vpc.selectSubnets(network.subnets);
  const description: FleetDescription = {
    ...names,
    mode: "reference",
    instanceRoleArn: instanceRole.roleArn,
    vpcId: network.vpc.vpcId,
    subnetIds: fleetSubnets.subnetIds,
    availabilityZones: fleetSubnets.availabilityZones,
    securityGroupIds: [network.instanceSecurityGroup.securityGroupId],
    workspace: {
      fileSystemId: storage.workspace.fileSystemId,
      accessPointId: storage.workspaceAccessPoint.accessPointId,
      mountPath: WORKSPACE_MOUNT,
    },
    runtime: {
      fileSystemId: storage.runtime.fileSystemId,
      accessPointId: storage.runtimeAccessPoint.accessPointId,
      mountPath: RUNTIME_MOUNT,
    },
    secretArn: secret.secretArn,
    kmsKeyArn: key.keyArn,
    backupVaultName: backup.vault.backupVaultName,
    backupPlanId: backup.plan.backupPlanId,
    gatewayLogGroupName: logs.gateway.logGroupName,
    sessionLogGroupName: logs.sessions.logGroupName,
    gateway: gatewayEndpoint(config),
  };
  return {
    description,
    vpc: network.vpc,
    subnets: network.subnets,
    securityGroup: network.instanceSecurityGroup,
    endpointSecurityGroup: network.endpointSecurityGroup,
    asg: compute.autoScalingGroup,
    instanceRole,
    key,
    secret,
    workspaceFileSystem: storage.workspace,
    runtimeFileSystem: storage.runtime,
    workspaceAccessPoint: storage.workspaceAccessPoint,
    runtimeAccessPoint: storage.runtimeAccessPoint,
    backupVault: backup.vault,
    backupRole: backup.role,
    gatewayLogGroup: logs.gateway,
    sessionLogGroup: logs.sessions,
  };
}

/** The description as JSON in SSM (`/clawops/<stage>/fleet`) and as stack outputs, for the CLI and operators. */
function publishDescription(
  stack: StackContext["stack"],
  config: ResolvedConfig,
  description: FleetDescription,
): void {
  new ssm.StringParameter(stack, "Description", {
    parameterName: `/clawops/${config.stage}/fleet`,
    description: "The fleet clawops watches (FleetDescription as JSON)",
    stringValue: stack.toJsonString(description),
  });
  stack.addOutputs({
    AutoScalingGroupName: description.autoScalingGroupName,
    SecretArn: description.secretArn,
    WorkspaceFileSystemId: description.workspace.fileSystemId,
    RuntimeFileSystemId: description.runtime.fileSystemId,
    BackupVaultName: description.backupVaultName,
    ManifestParameterName: description.manifestParameterName,
  });
}
