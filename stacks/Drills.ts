import { fileURLToPath } from "node:url";
import type { DrillSettings } from "@clawops/core/drills";
import {
  DAYS_SINCE_PASS_EVERY_HOURS,
  DRILL_CREATOR,
  DrillTag,
  RESTORE_JOB_CLAIMS_PK,
  SWEEPER_SCHEDULE,
} from "@clawops/core/drills";
import { ClawopsAlarm, clawopsAlarmName, toCdkEventPattern } from "@clawops/core/events";
import { aws_cloudwatch as cloudwatch, Duration, Stack } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { drillRoutes } from "../functions/drills/routes.js";
import type { DrillTaskName } from "../functions/drills/tasks.js";
import { Core } from "./Core.js";
import { configOf } from "./config.js";
import { Fleet, type FleetResources } from "./Fleet.js";
import { taskStateMachine } from "./task-state-machine.js";

const VERIFIER_MOUNT = "/mnt/drill";
const VERIFIER_TIMEOUT_SECONDS = 840;

/**
 * Restore drills: the restore-drill state machine (on demand and on `drills.schedule`), a verifier Lambda per
 * fleet file system in the fleet's VPC, the sweeper, validation of the jobs of this stage's AWS Backup restore
 * testing plan (when it has one: the reference fleet's, or an imported fleet's `fleet.restoreTestingPlanArn`), and
 * the no-passing-drill alarm.
 * Everything that deletes is limited to resources tagged `clawops:created-by = clawops-drill` and
 * `clawops:stage = <this stage>`, and explicitly denied the fleet's own file systems.
 */
export function Drills({ stack, app }: StackContext) {
  const config = configOf(stack);
  const drills = config.settings.drills;
  const { key, table, deadLetterQueue } = use(Core);
  const fleet = use(Fleet);
  const { description } = fleet;
  const { partition, region, account } = Stack.of(stack);
  const fsArn = (id: string) => `arn:${partition}:elasticfilesystem:${region}:${account}:file-system/${id}`;
  const anyFileSystem = `arn:${partition}:elasticfilesystem:${region}:${account}:file-system/*`;
  const anyAccessPoint = `arn:${partition}:elasticfilesystem:${region}:${account}:access-point/*`;
  const fleetFileSystems = [description.workspace.fileSystemId, description.runtime.fileSystemId].map(fsArn);

  // The role AWS Backup restores with (StartRestoreJob passes it); the only role these functions may pass.
  const restoreRole = new iam.Role(stack, "RestoreRole", {
    assumedBy: new iam.ServicePrincipal("backup.amazonaws.com"),
    description: `clawops ${app.stage}: AWS Backup restores of drill file systems`,
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSBackupServiceRolePolicyForRestores"),
    ],
  });
  NagSuppressions.addResourceSuppressions(restoreRole, [
    {
      id: "AwsSolutions-IAM4",
      reason:
        "AWS Backup's documented restore service-role policy; restores create file systems whose ARNs are unknown in advance.",
    },
  ]);

  // Restored mount targets accept NFS only from the verifier; the verifier talks NFS only to them.
  const verifierGroup = new ec2.SecurityGroup(stack, "VerifierSecurityGroup", {
    vpc: fleet.vpc,
    description: "clawops drill verifier: NFS to restored drill file systems only",
    allowAllOutbound: false,
  });
  const mountTargetGroup = new ec2.SecurityGroup(stack, "DrillMountTargetSecurityGroup", {
    vpc: fleet.vpc,
    description: "clawops drill mount targets: NFS from the verifier only",
    allowAllOutbound: false,
  });
  mountTargetGroup.addIngressRule(verifierGroup, ec2.Port.tcp(2049), "NFS from the drill verifier");
  verifierGroup.addEgressRule(mountTargetGroup, ec2.Port.tcp(2049), "NFS to restored drill mount targets");
  const subnets = fleet.vpc.selectSubnets(fleet.subnets);

  const fleetFileSystemList = [
    { fileSystemId: description.workspace.fileSystemId, kind: "workspace", path: drills.workspacePath },
    { fileSystemId: description.runtime.fileSystemId, kind: "runtime", path: drills.runtimePath },
  ] as const;
  /** `verifierName(fileSystemId)`: the function a file system's restore is verified on ("self" in its own settings). */
  const settingsFor = (verifierName: (fileSystemId: string) => string): DrillSettings => ({
    fleetName: description.name,
    vaultName: description.backupVaultName,
    restoreRoleArn: restoreRole.roleArn,
    kmsKeyArn: description.kmsKeyArn,
    fileSystems: fleetFileSystemList.map((fs) => ({ ...fs })),
    manifestParameterName: description.manifestParameterName,
    verifier: {
      functionName: verifierName(description.workspace.fileSystemId),
      subnetIds: subnets.subnetIds,
      mountTargetSecurityGroupIds: [mountTargetGroup.securityGroupId],
      mountPath: VERIFIER_MOUNT,
      perFileSystem: Object.fromEntries(
        fleetFileSystemList.map((fs) => [
          fs.fileSystemId,
          { functionName: verifierName(fs.fileSystemId), mountPath: VERIFIER_MOUNT },
        ]),
      ),
    },
    timeoutMinutes: drills.timeoutMinutes,
    verifyTimeoutSeconds: VERIFIER_TIMEOUT_SECONDS,
    sizeTolerancePercent: drills.sizeTolerancePercent,
    compareRuntimeBytes: drills.compareRuntimeBytes,
    sweeperMaxAgeHours: drills.sweeperMaxAgeHours,
    maxDaysWithoutPass: drills.maxDaysWithoutPass,
  });

  // A verifier per fleet file system: a Lambda function mounts one file system at a time, and changing its
  // mount takes Lambda up to a minute, so with one each the two restores verify at once.
  const verifiers = fleetFileSystemList.map((fs) => {
    const id = `Verifier${fs.kind === "workspace" ? "Workspace" : "Runtime"}`;
    const fn = new SstFunction(stack, id, {
      handler: "functions/drills/verify.handler",
      description: `clawops ${app.stage} drills: verifier of the ${fs.kind} file system's restores`,
      timeout: VERIFIER_TIMEOUT_SECONDS,
      memorySize: 1024,
      vpc: fleet.vpc,
      vpcSubnets: fleet.subnets,
      securityGroups: [verifierGroup],
      logRetention: sstLogRetention(config.settings.logRetentionDays),
      deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: `drills-verifier-${fs.kind}`,
        CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
      },
    });
    fn.addEnvironment("CLAWOPS_SETTINGS", stack.toJsonString(settingsFor(() => "self")));
    fn.addToRolePolicy(onDrillResources(app.stage, ["elasticfilesystem:ClientMount"], [anyFileSystem]));
    return { fileSystemId: fs.fileSystemId, fn };
  });
  const verifierOf = (fileSystemId: string) =>
    verifiers.find((v) => v.fileSystemId === fileSystemId)?.fn.functionName ?? "";
  const drillSettings = stack.toJsonString(settingsFor(verifierOf));
  const unscoped = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: ["*"] });
  const stateTable = [
    new iam.PolicyStatement({
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
      resources: [table.tableArn],
    }),
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
    }),
  ];
  const efsRead = new iam.PolicyStatement({
    actions: [
      "elasticfilesystem:DescribeFileSystems",
      "elasticfilesystem:DescribeMountTargets",
      "elasticfilesystem:DescribeAccessPoints",
    ],
    resources: [anyFileSystem, anyAccessPoint],
  });
  // Tags make a file system deletable, and the roles that delete (cleanup, sweeper, execution-ended) also tag: a
  // restore of the drill's, found by its CreationToken or named by its restore job, is tagged before it is
  // deleted. IAM cannot see a CreationToken, so it cannot tie the tags to the drill's own restore: the code does
  // (it tags only the file system whose CreationToken is the one the drill sent). What IAM does: only this
  // stage's drill tags may be put, and never on a file system that is visibly someone else's, one named (`Name`)
  // other than a drill's (`drillTags`) or one CloudFormation made; a drill's restore has no tag until it is
  // tagged here (StartRestoreJob without CopySourceTagsToRestoredResource copies none). An untagged file system
  // no stack made is not told apart by IAM: there only the CreationToken check stands.
  /** TagResource on `resource` with this stage's drill tags only, and `where` the resource may be tagged. */
  const tagAsDrill = (resource: string, where: Record<string, Record<string, unknown>>) =>
    new iam.PolicyStatement({
      actions: ["elasticfilesystem:TagResource"],
      resources: [resource],
      conditions: {
        ...where,
        StringEquals: {
          [`aws:RequestTag/${DrillTag.CreatedBy}`]: DRILL_CREATOR,
          [`aws:RequestTag/${DrillTag.Stage}`]: app.stage,
          ...where.StringEquals,
        },
        "ForAllValues:StringEquals": {
          "aws:TagKeys": [DrillTag.DrillId, DrillTag.CreatedBy, DrillTag.Stage, "Name"],
        },
      },
    });
  const tagRestoreAsDrill = tagAsDrill(anyFileSystem, {
    StringLikeIfExists: { "aws:ResourceTag/Name": "clawops drill *" },
    Null: { "aws:ResourceTag/aws:cloudformation:stack-id": "true" },
  });
  // A restore-testing job's file system (validation mode: Poll and Cleanup tag it): AWS Backup tags it
  // `awsbackup-restore-test` (a key these roles cannot put) and deletes it itself after the validation window; it
  // may carry other tags of its source.
  const tagRestoreTestAsDrill = tagAsDrill(anyFileSystem, {
    Null: { "aws:ResourceTag/awsbackup-restore-test": "false" },
  });
  // Access points are tagged only as Prepare creates them with the drill's tags: no existing one is retagged.
  const tagNewAccessPoint = tagAsDrill(anyAccessPoint, {
    StringEquals: { "elasticfilesystem:CreateAction": "CreateAccessPoint" },
  });
  // ... and never on a file system or access point another stage's drill already tagged.
  const noRetagOfOtherStages = new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ["elasticfilesystem:TagResource"],
    resources: [anyFileSystem, anyAccessPoint],
    conditions: {
      StringNotEquals: { [`aws:ResourceTag/${DrillTag.Stage}`]: app.stage },
      Null: { [`aws:ResourceTag/${DrillTag.Stage}`]: "false" },
    },
  });
  const verifierConfig = new iam.PolicyStatement({
    actions: ["lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"],
    resources: verifiers.map((v) => v.fn.functionArn),
  });
  // EFS's DeleteMountTarget deletes the mount target's network interface with the caller's permissions
  // (ec2:DeleteNetworkInterface on it, as the API reference says): only interfaces in the fleet's VPC.
  const deleteMountTargetInterfaces = new iam.PolicyStatement({
    actions: ["ec2:DeleteNetworkInterface"],
    resources: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`],
    conditions: { ArnEquals: { "ec2:Vpc": fleet.vpc.vpcArn } },
  });
  const deletes = [
    onDrillResources(app.stage, ["elasticfilesystem:DeleteAccessPoint"], [anyAccessPoint]),
    onDrillResources(
      app.stage,
      ["elasticfilesystem:DeleteMountTarget", "elasticfilesystem:DeleteFileSystem"],
      [anyFileSystem],
    ),
    // Whatever tags they carry, the fleet's own file systems are never deleted (the guard says the same).
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: [
        "elasticfilesystem:DeleteFileSystem",
        "elasticfilesystem:DeleteMountTarget",
        "elasticfilesystem:DeleteAccessPoint",
        "elasticfilesystem:TagResource",
      ],
      resources: fleetFileSystems,
    }),
  ];

  const lambda = (id: string, file: string, statements: iam.PolicyStatement[], timeout = 60) => {
    const fn = new SstFunction(stack, id, {
      handler: `functions/drills/${file}.handler`,
      description: `clawops ${app.stage} drills: ${file}`,
      timeout,
      logRetention: sstLogRetention(config.settings.logRetentionDays),
      deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: `drills-${file}`,
        CLAWOPS_STATE_TABLE: table.tableName,
        CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
        CLAWOPS_SETTINGS: drillSettings,
      },
    });
    const deadLetters = [
      new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn] }),
      new iam.PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.keyArn] }),
    ];
    for (const statement of [...statements, ...deadLetters]) fn.addToRolePolicy(statement);
    return fn;
  };

  const recoveryPoints = `arn:${partition}:backup:${region}:${account}:recovery-point:*`;
  // Cleanup, the sweeper and execution-ended; only Cleanup tags a restore-testing job's file system.
  const cleanupStatements = [
    efsRead,
    tagRestoreAsDrill,
    noRetagOfOtherStages,
    verifierConfig,
    ...deletes,
    deleteMountTargetInterfaces,
    ...stateTable,
    unscoped("backup:DescribeRestoreJob"),
  ];
  const manifestParameter = `arn:${partition}:ssm:${region}:${account}:parameter${description.manifestParameterName}`;
  // A restore holds the soul documents of its recovery point's time: the manifest version in force then is read
  // from the parameter's history (a String parameter: no kms:Decrypt).
  const manifestHistory = new iam.PolicyStatement({
    actions: ["ssm:GetParameterHistory"],
    resources: [manifestParameter],
  });
  const tasks: Record<Exclude<DrillTaskName, "VerifierFunctionArn">, SstFunction> = {
    PlanFunctionArn: lambda("Plan", "plan", [
      new iam.PolicyStatement({ actions: ["ssm:GetParameter"], resources: [manifestParameter] }),
      manifestHistory,
      new iam.PolicyStatement({ actions: ["backup:DescribeRecoveryPoint"], resources: [recoveryPoints] }),
      unscoped("backup:DescribeRestoreJob"),
      // The claim of a restore-testing job (one validation per job, however often its event is delivered).
      new iam.PolicyStatement({
        actions: ["dynamodb:PutItem"],
        resources: [table.tableArn],
        conditions: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [RESTORE_JOB_CLAIMS_PK] } },
      }),
      new iam.PolicyStatement({
        actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        resources: [key.keyArn],
      }),
    ]),
    ChooseFunctionArn: lambda("Choose", "choose", [
      manifestHistory,
      // The chosen point's CompletionDate: the manifests written while its backup ran count too.
      new iam.PolicyStatement({ actions: ["backup:DescribeRecoveryPoint"], resources: [recoveryPoints] }),
      new iam.PolicyStatement({
        actions: ["elasticfilesystem:DescribeFileSystems"],
        resources: fleetFileSystems,
      }),
      unscoped("backup:ListRecoveryPointsByResource"),
    ]),
    StartFunctionArn: lambda("Start", "start", [
      new iam.PolicyStatement({ actions: ["backup:StartRestoreJob"], resources: [recoveryPoints] }),
      new iam.PolicyStatement({
        actions: ["iam:PassRole"],
        resources: [restoreRole.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
      }),
    ]),
    PollFunctionArn: lambda("Poll", "poll", [
      efsRead,
      tagRestoreAsDrill,
      tagRestoreTestAsDrill,
      noRetagOfOtherStages,
      deletes[2]!,
      unscoped("backup:DescribeRestoreJob"),
    ]),
    PrepareFunctionArn: lambda("Prepare", "prepare", [
      efsRead,
      tagNewAccessPoint,
      noRetagOfOtherStages,
      deletes[2]!,
      onDrillResources(app.stage, ["elasticfilesystem:CreateMountTarget"], [anyFileSystem]),
      new iam.PolicyStatement({
        actions: ["elasticfilesystem:CreateAccessPoint"],
        resources: [anyFileSystem],
        conditions: {
          StringEquals: {
            [`aws:ResourceTag/${DrillTag.CreatedBy}`]: DRILL_CREATOR,
            [`aws:ResourceTag/${DrillTag.Stage}`]: app.stage,
            [`aws:RequestTag/${DrillTag.CreatedBy}`]: DRILL_CREATOR,
            [`aws:RequestTag/${DrillTag.Stage}`]: app.stage,
          },
        },
      }),
      // EFS's CreateMountTarget makes the network interface with the caller's permissions.
      unscoped("ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:CreateNetworkInterface"),
      verifierConfig,
      ...stateTable,
    ]),
    CleanupFunctionArn: lambda("Cleanup", "cleanup", [...cleanupStatements, tagRestoreTestAsDrill], 120),
    ReportFunctionArn: lambda("Report", "report", [
      ...stateTable,
      new iam.PolicyStatement({
        actions: ["events:PutEvents"],
        resources: [`arn:${partition}:events:${region}:${account}:event-bus/default`],
      }),
      unscoped("backup:PutRestoreValidationResult"),
    ]),
  };

  // Core's key (its policy lets CloudWatch Logs use it for this account's log groups): no key of our own ($1 a month).
  const stateMachine = taskStateMachine(stack, "RestoreDrill", {
    definitionFile: fileURLToPath(new URL("./workflows/restore-drill.asl.json", import.meta.url)),
    tasks,
    logGroup: new logs.LogGroup(stack, "RestoreDrillLogs", {
      encryptionKey: key,
      retention: config.settings.logRetentionDays as logs.RetentionDays,
    }),
    // The Verify state invokes the branch's own verifier, by the name Plan put in the branch.
    alsoInvokes: verifiers.map((v) => v.fn),
  });

  if (drills.schedule) {
    new events.Rule(stack, "DrillSchedule", {
      description: `clawops ${app.stage}: scheduled restore drill`,
      schedule: events.Schedule.expression(drills.schedule),
      targets: [
        new targets.SfnStateMachine(stateMachine, {
          input: events.RuleTargetInput.fromObject({ keep: false }),
        }),
      ],
    });
  }
  const sweeper = lambda("Sweeper", "sweeper", cleanupStatements, 300);
  new events.Rule(stack, "SweeperSchedule", {
    description: `clawops ${app.stage}: remove drill resources older than ${drills.sweeperMaxAgeHours} h; days since the last passing drill`,
    schedule: events.Schedule.expression(SWEEPER_SCHEDULE),
    targets: [new targets.LambdaFunction(sweeper)],
  });
  const ended = lambda("ExecutionEnded", "execution-ended", cleanupStatements, 120);
  // Only this stage's restore testing plan's jobs are validated (the imported fleet's own plan, or the one the
  // reference fleet made), and only when the stage has one.
  const restoreTestingPlanArn =
    fleet.restoreTestingPlanArn ?? referenceRestoreTestingPlanOf(fleet)?.attrRestoreTestingPlanArn;
  for (const route of drillRoutes(stateMachine.stateMachineArn, restoreTestingPlanArn)) {
    new events.Rule(stack, route.id, {
      description: `clawops ${app.stage}: ${route.id}`,
      eventPattern: toCdkEventPattern(route.pattern),
      targets: [
        "stateMachine" in route.target
          ? new targets.SfnStateMachine(stateMachine)
          : new targets.LambdaFunction(ended, { retryAttempts: 4 }),
      ],
    });
  }

  // CloudWatch evaluates at most 7 days of data, fewer than maxDaysWithoutPass may be: the sweeper publishes
  // days since the last pass (from the drill records) once in each of the alarm's periods, and the alarm compares
  // that. A period without data keeps the alarm's state: a new stage starts in INSUFFICIENT_DATA, not ALARM, and
  // one failed sweeper run changes nothing. A sweeper that stops altogether is caught elsewhere: its failed runs
  // land in the dead-letter queue (alarmed), and readiness's backup.restore-drill reads the drill records' age.
  const noPassingDrill = new cloudwatch.Alarm(stack, "NoPassingDrill", {
    alarmName: clawopsAlarmName(app.stage, ClawopsAlarm.NoPassingDrill),
    alarmDescription: `No restore drill of ${description.name} has passed in ${drills.maxDaysWithoutPass} days. Run \`clawops drill\`. Missing data keeps this alarm's state: a drill sweeper that stops publishing shows in the dead-letter alarm and in readiness's backup.restore-drill check.`,
    metric: new cloudwatch.Metric({
      namespace: "Clawops",
      metricName: "DrillDaysSinceLastPass",
      dimensionsMap: { service: "drills-sweeper", Stage: app.stage, Fleet: description.name },
      period: Duration.hours(DAYS_SINCE_PASS_EVERY_HOURS),
      statistic: "Maximum",
    }),
    threshold: drills.maxDaysWithoutPass,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });

  new ssm.StringParameter(stack, "Param-drill-state-machine-arn", {
    parameterName: `/clawops/${app.stage}/drill-state-machine-arn`,
    stringValue: stateMachine.stateMachineArn,
  });
  stack.addOutputs({ RestoreDrillArn: stateMachine.stateMachineArn });
  suppressFindings(stack, [...Object.values(tasks), ...verifiers.map((v) => v.fn), sweeper, ended]);
  return {
    stateMachine,
    verifiers: verifiers.map((v) => v.fn),
    sweeper,
    tasks,
    restoreRole,
    noPassingDrill,
    verifierGroup,
    mountTargetGroup,
  };
}

/**
 * The restore testing plan the Fleet stack made for this stage (reference mode with `fleet.restoreTestingPlan`),
 * or none: the reference fleet's `FleetResources` does not carry it, so it is found in the Fleet stack's construct
 * tree. An imported fleet's own plan comes as `FleetResources.restoreTestingPlanArn`.
 */
function referenceRestoreTestingPlanOf(fleet: FleetResources): backup.CfnRestoreTestingPlan | undefined {
  return Stack.of(fleet.backupVault)
    .node.findAll()
    .find((c): c is backup.CfnRestoreTestingPlan => c instanceof backup.CfnRestoreTestingPlan);
}

/**
 * Allowed only on resources a drill of this stage created (`clawops:created-by = clawops-drill`,
 * `clawops:stage = <stage>`), as EFS's condition keys allow: another stage's drill resources are not this one's.
 */
function onDrillResources(stage: string, actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions,
    resources,
    conditions: {
      StringEquals: {
        [`aws:ResourceTag/${DrillTag.CreatedBy}`]: DRILL_CREATOR,
        [`aws:ResourceTag/${DrillTag.Stage}`]: stage,
      },
    },
  });
}

function sstLogRetention(days: number): Lowercase<keyof typeof logs.RetentionDays> {
  const key = (Object.keys(logs.RetentionDays) as (keyof typeof logs.RetentionDays)[]).find(
    (name) => logs.RetentionDays[name] === days,
  );
  if (!key) throw new RangeError(`${days} is not a CloudWatch Logs retention`);
  return key.toLowerCase() as Lowercase<keyof typeof logs.RetentionDays>;
}

function suppressFindings(stack: Stack, functions: SstFunction[]): void {
  for (const fn of functions)
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: "AwsSolutions-IAM4",
          reason:
            "SST attaches AWSLambdaBasicExecutionRole (own logs) and, for the VPC verifier, AWSLambdaVPCAccessExecutionRole (its ENIs).",
        },
        {
          id: "AwsSolutions-IAM5",
          reason:
            "Restored file systems, their access points and recovery points get ids only at run time. On file-system/* and access-point/*, deletes, mounts and mount target and access point creation need this stage's drill tags on the resource (aws:ResourceTag clawops:created-by, clawops:stage), and deletes and tagging are explicitly denied on the fleet's file systems. Tagging, which makes a file system deletable, may put only this stage's drill tags (aws:RequestTag, aws:TagKeys), never on what another stage's drill tagged, on an access point only as it is created (elasticfilesystem:CreateAction), and on a file system only when it carries no Name other than a drill's and no aws:cloudformation:stack-id, or is AWS Backup's restore-testing copy (awsbackup-restore-test): IAM cannot tell an untagged file system no stack made from a drill's restore; that the tagged file system is the drill's own restore is the code's CreationToken check. recovery-point:* is read and restored from only (AWS Backup keeps the data); network-interface/* (the ENI DeleteMountTarget deletes as the caller) is limited by ec2:Vpc to the fleet's VPC; Resource::* only for calls AWS does not scope by resource (X-Ray, backup:DescribeRestoreJob, ListRecoveryPointsByResource, PutRestoreValidationResult, ec2 network-interface calls EFS makes as the caller).",
          appliesTo: [
            "Resource::*",
            {
              regex:
                "/^Resource::arn:<AWS::Partition>:elasticfilesystem:[^:]+:[^:]+:(file-system|access-point)\\/\\*$/g",
            },
            { regex: "/^Resource::arn:<AWS::Partition>:backup:[^:]+:[^:]+:recovery-point:\\*$/g" },
            { regex: "/^Resource::arn:<AWS::Partition>:ec2:[^:]+:[^:]+:network-interface\\/\\*$/g" },
          ],
        },
      ],
      true,
    );
  const logRetention = stack.node.children.find((child) => child.node.id.startsWith("LogRetention"));
  if (logRetention)
    NagSuppressions.addResourceSuppressions(
      logRetention,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "CDK's LogRetention function uses AWSLambdaBasicExecutionRole (logs only).",
        },
        {
          id: "AwsSolutions-IAM5",
          reason: "CDK's LogRetention function sets retention on log groups it learns only at deploy time.",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
}
