import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import type * as efs from "aws-cdk-lib/aws-efs";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";

/** Props of `FleetBackup`. */
export interface FleetBackupProps {
  readonly vaultName: string;
  readonly key: kms.IKey;
  readonly fileSystems: readonly efs.IFileSystem[];
  /** Days each daily recovery point is kept. */
  readonly retentionDays: number;
  /** Also create an AWS Backup restore testing plan and selection for the file systems. */
  readonly restoreTesting: boolean;
  /** Cron expression of the restore testing plan. @default "cron(0 3 ? * SUN *)" */
  readonly restoreTestingSchedule?: string;
}

/**
 * AWS Backup for the fleet: a KMS-encrypted vault, a daily plan with the configured retention selecting both
 * file systems, and (optionally) a restore testing plan whose restores clawops' drills validate.
 */
export class FleetBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  /** Role AWS Backup uses to back up and restore the file systems (drills pass it to StartRestoreJob). */
  readonly role: iam.Role;
  readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;

  constructor(scope: Construct, id: string, props: FleetBackupProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, "Vault", {
      backupVaultName: props.vaultName,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(this, "Plan", {
      backupPlanName: props.vaultName,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: "daily",
          scheduleExpression: events.Schedule.cron({ minute: "0", hour: "5" }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("backup.amazonaws.com"),
      description: "AWS Backup: back up and restore the fleet's file systems",
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSBackupServiceRolePolicyForBackup"),
        iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSBackupServiceRolePolicyForRestores"),
      ],
    });
    this.plan.addSelection("FileSystems", {
      backupSelectionName: "file-systems",
      role: this.role,
      resources: props.fileSystems.map((fs) => backup.BackupResource.fromEfsFileSystem(fs)),
    });
    NagSuppressions.addResourceSuppressions(this.role, [
      {
        id: "AwsSolutions-IAM4",
        reason:
          "AWS Backup's documented service-role policies for backup and restore; restores create new file systems whose ARNs cannot be known in advance.",
      },
    ]);

    if (props.restoreTesting) this.restoreTestingPlan = this.addRestoreTesting(props);
  }

  private addRestoreTesting(props: FleetBackupProps): backup.CfnRestoreTestingPlan {
    // Restore testing plan names accept only letters, digits and underscores.
    const name = props.vaultName.replace(/[^A-Za-z0-9_]/g, "_");
    const plan = new backup.CfnRestoreTestingPlan(this, "RestoreTestingPlan", {
      restoreTestingPlanName: name,
      scheduleExpression: props.restoreTestingSchedule ?? "cron(0 3 ? * SUN *)",
      startWindowHours: 24,
      recoveryPointSelection: {
        algorithm: "LATEST_WITHIN_WINDOW",
        includeVaults: [this.vault.backupVaultArn],
        recoveryPointTypes: ["SNAPSHOT"],
        selectionWindowDays: 7,
      },
    });
    const selection = new backup.CfnRestoreTestingSelection(this, "RestoreTestingSelection", {
      restoreTestingPlanName: name,
      restoreTestingSelectionName: "file_systems",
      protectedResourceType: "EFS",
      iamRoleArn: this.role.roleArn,
      protectedResourceArns: props.fileSystems.map((fs) => fs.fileSystemArn),
      restoreMetadataOverrides: { newFileSystem: "true", encrypted: "true", kmsKeyId: props.key.keyArn },
      validationWindowHours: 24,
    });
    selection.addDependency(plan);
    return plan;
  }
}
