import type { FleetDescription } from "@clawops/core/fleet";
import type * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import type * as backup from "aws-cdk-lib/aws-backup";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as efs from "aws-cdk-lib/aws-efs";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";

/**
 * What the Fleet stack hands the control-plane stacks, the same in reference and import mode: the typed
 * description (ids and names; tokens in reference mode) and the CDK objects to grant on and wire to.
 */
export interface FleetResources {
  readonly description: FleetDescription;
  readonly vpc: ec2.IVpc;
  /** The fleet's subnets (where a drill's verifier Lambda and restored file systems' mount targets go). */
  readonly subnets: ec2.SubnetSelection;
  /** The instances' security group (the first of `description.securityGroupIds`). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The interface endpoints' security group (reference mode only: an imported fleet's is not known). */
  readonly endpointSecurityGroup: ec2.ISecurityGroup | undefined;
  readonly asg: autoscaling.IAutoScalingGroup;
  readonly instanceRole: iam.IRole;
  readonly key: kms.IKey;
  readonly secret: secretsmanager.ISecret;
  readonly workspaceFileSystem: efs.IFileSystem;
  readonly runtimeFileSystem: efs.IFileSystem;
  readonly workspaceAccessPoint: efs.IAccessPoint;
  readonly runtimeAccessPoint: efs.IAccessPoint;
  readonly backupVault: backup.IBackupVault;
  /** Role AWS Backup restores with (reference mode only; drills of an imported fleet bring their own). */
  readonly backupRole: iam.IRole | undefined;
  /**
   * ARN of the imported fleet's own AWS Backup restore testing plan (`fleet.restoreTestingPlanArn`), whose
   * completed jobs drills validate. The reference fleet's plan is found in the Fleet stack instead.
   * @default none: no restore-testing job starts a drill
   */
  readonly restoreTestingPlanArn?: string;
  readonly gatewayLogGroup: logs.ILogGroup;
  readonly sessionLogGroup: logs.ILogGroup;
}
