import { ConfigError } from "@clawops/core";
import type { ImportedFleetSettings, ResolvedConfig } from "@clawops/core/config";
import { importedFleetDescription } from "@clawops/core/fleet";
import type { Stack } from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as backup from "aws-cdk-lib/aws-backup";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as efs from "aws-cdk-lib/aws-efs";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { FleetResources } from "./resources.js";

/** A complete secret ARN ends with the six random characters Secrets Manager appends to the name. */
const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;

/** `arn:<partition>:backup:<region>:<account>:restore-testing-plan:<name, with the suffix AWS Backup appends>`. */
const RESTORE_TESTING_PLAN_ARN =
  /^arn:aws[a-z-]*:backup:([a-z0-9-]+):\d{12}:restore-testing-plan:[A-Za-z0-9_-]+$/;

/**
 * An existing fleet, imported by the ids and ARNs of `clawops.config.ts`. Every `fromXxx` here takes its
 * values as given: nothing is looked up at synth time, so the app synthesizes offline, and nothing of the
 * fleet is modified (roles and security groups are imported immutable).
 */
export function importFleet(scope: Stack, config: ResolvedConfig): FleetResources {
  const description = importedFleetDescription(config);
  const fleet = config.settings.fleet as ImportedFleetSettings;
  if (fleet.subnetIds.length % fleet.availabilityZones.length !== 0) {
    throw new ConfigError(
      `fleet.subnetIds: got ${fleet.subnetIds.length} subnets for ${fleet.availabilityZones.length} availability zones, expected one subnet per zone (in zone order)`,
    );
  }
  const vpc = ec2.Vpc.fromVpcAttributes(scope, "Vpc", {
    vpcId: fleet.vpcId,
    availabilityZones: [...fleet.availabilityZones],
    privateSubnetIds: [...fleet.subnetIds],
  });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(
    scope,
    "InstanceSecurityGroup",
    fleet.securityGroupIds[0]!,
    {
      mutable: false,
    },
  );
  const fileSystemSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
    scope,
    "FileSystemSecurityGroup",
    fleet.fileSystemSecurityGroupId ?? fleet.securityGroupIds[0]!,
    { mutable: false },
  );
  const fileSystem = (id: string, fileSystemId: string, accessPointId: string) => {
    const fs = efs.FileSystem.fromFileSystemAttributes(scope, id, {
      fileSystemId,
      securityGroup: fileSystemSecurityGroup,
    });
    const accessPoint = efs.AccessPoint.fromAccessPointAttributes(scope, `${id}AccessPoint`, {
      accessPointId,
      fileSystem: fs,
    });
    return { fs, accessPoint };
  };
  const workspace = fileSystem("Workspace", fleet.workspaceFileSystemId, fleet.workspaceAccessPointId);
  const runtime = fileSystem("Runtime", fleet.runtimeFileSystemId, fleet.runtimeAccessPointId);
  const secret = COMPLETE_SECRET_ARN.test(fleet.secretArn)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, "Secret", fleet.secretArn)
    : secretsmanager.Secret.fromSecretPartialArn(scope, "Secret", fleet.secretArn);

  return {
    description,
    vpc,
    subnets: { subnets: vpc.privateSubnets },
    securityGroup,
    endpointSecurityGroup: undefined,
    asg: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(scope, "Group", fleet.autoScalingGroupName),
    instanceRole: iam.Role.fromRoleArn(scope, "InstanceRole", fleet.instanceRoleArn, { mutable: false }),
    key: kms.Key.fromKeyArn(scope, "Key", fleet.kmsKeyArn),
    secret,
    workspaceFileSystem: workspace.fs,
    runtimeFileSystem: runtime.fs,
    workspaceAccessPoint: workspace.accessPoint,
    runtimeAccessPoint: runtime.accessPoint,
    backupVault: backup.BackupVault.fromBackupVaultName(scope, "BackupVault", fleet.backupVaultName),
    backupRole: undefined,
    ...restoreTestingPlanOf(fleet, config.app.region),
    gatewayLogGroup: logs.LogGroup.fromLogGroupName(scope, "GatewayLogs", fleet.gatewayLogGroupName),
    sessionLogGroup: logs.LogGroup.fromLogGroupName(scope, "SessionLogs", fleet.sessionLogGroupName),
  };
}

/**
 * The imported fleet's own restore testing plan, when `fleet.restoreTestingPlanArn` names one. Only the ARN names
 * a plan exactly (AWS Backup appends a suffix to the plan's name), and the plan must be in the app's region:
 * restore-job events reach only their own region's default bus, so a plan elsewhere would never start a drill.
 */
function restoreTestingPlanOf(
  fleet: ImportedFleetSettings,
  region: string,
): Pick<FleetResources, "restoreTestingPlanArn"> {
  const arn = fleet.restoreTestingPlanArn;
  if (arn === undefined) return {};
  const planRegion = RESTORE_TESTING_PLAN_ARN.exec(arn)?.[1];
  if (!planRegion)
    throw new ConfigError(
      `fleet.restoreTestingPlanArn: got ${JSON.stringify(arn)}, expected a restore testing plan's ARN (arn:aws:backup:<region>:<account>:restore-testing-plan:<name>-<suffix>), as \`aws backup get-restore-testing-plan --restore-testing-plan-name <name> --query RestoreTestingPlan.RestoreTestingPlanArn\` prints it`,
    );
  if (planRegion !== region)
    throw new ConfigError(
      `fleet.restoreTestingPlanArn: got a plan in ${planRegion}, expected one in the app's region ${region} (its restore jobs' events reach only ${planRegion}'s event bus)`,
    );
  return { restoreTestingPlanArn: arn };
}
