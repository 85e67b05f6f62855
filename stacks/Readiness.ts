import { readinessSettings } from "@clawops/core/readiness";
import { Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.js";
import { Core } from "./Core.js";
import { configOf } from "./config.js";
import { Fleet } from "./Fleet.js";

/**
 * The readiness checks: a scheduled (and on-demand) run that gathers the fleet's evidence read-only, probes the
 * instances through SSM, stores the run, publishes per-area metrics and drift events; and the eval ingestion.
 * Every grant names its resource except the Describe/List calls AWS does not scope by resource.
 */
export function Readiness({ stack, app }: StackContext) {
  const config = configOf(stack);
  const { key, table, deadLetterQueue } = use(Core);
  const { description } = use(Fleet);
  const { secret, router } = use(Alerts);
  const alerts = router.role
    ? { secretArn: secret.secretArn, routerRoleArn: router.role.roleArn }
    : undefined;
  const settings = readinessSettings(config, description, alerts);
  const fleetConfig = config.settings.fleet;
  const imageParameterName = fleetConfig.mode === "import" ? fleetConfig.imageParameterName : undefined;
  const { partition, region, account, urlSuffix } = Stack.of(stack);
  const arn = (service: string, resource: string, regional = true) =>
    `arn:${partition}:${service}:${regional ? region : ""}:${account}:${resource}`;

  const common = (service: string) => ({
    POWERTOOLS_SERVICE_NAME: service,
    CLAWOPS_STATE_TABLE: table.tableName,
    CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
  });
  const stateAccess = (...actions: string[]) => [
    new iam.PolicyStatement({ actions, resources: [table.tableArn] }),
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
    }),
    new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn] }),
  ];

  const run = new SstFunction(stack, "Run", {
    handler: "functions/readiness/run.handler",
    description: `clawops ${app.stage} readiness: gather evidence, evaluate every checklist item, report drift`,
    // Gathering is parallel; the SSM probe's bounded script (45 s) is waited for once.
    timeout: 300,
    memorySize: 512,
    deadLetterQueue,
    environment: { ...common("readiness"), CLAWOPS_SETTINGS: stack.toJsonString(settings) },
  });
  const readOnly = new iam.PolicyStatement({
    actions: [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeLifecycleHooks",
      "autoscaling:DescribeScalingActivities",
      "ec2:DescribeInstances",
      "ec2:DescribeVolumes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeRouteTables",
      "ec2:DescribeVpcs",
      "ec2:DescribeManagedPrefixLists",
      "ec2:GetEbsEncryptionByDefault",
      // Only when the launch template leaves HttpTokens unset: the account's default, then the AMI, decide.
      "ec2:GetInstanceMetadataDefaults",
      "ec2:DescribeImages",
      "secretsmanager:ListSecrets",
      "lambda:ListFunctions",
      "cloudwatch:DescribeAlarms",
      "cloudwatch:GetMetricData",
      "backup:ListBackupJobs",
      "ssm:ListCommandInvocations",
    ],
    resources: ["*"],
  });
  const fileSystems = [...new Set([description.workspace.fileSystemId, description.runtime.fileSystemId])];
  const statements = [
    readOnly,
    new iam.PolicyStatement({
      actions: ["elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeFileSystemPolicy"],
      resources: fileSystems.map((id) => arn("elasticfilesystem", `file-system/${id}`)),
    }),
    // Every secret's resource policy is scanned: the simulator ignores resource policies for roles.
    new iam.PolicyStatement({
      actions: ["secretsmanager:GetResourcePolicy"],
      resources: [arn("secretsmanager", "secret:*")],
    }),
    new iam.PolicyStatement({
      actions: ["iam:SimulatePrincipalPolicy"],
      resources: [description.instanceRoleArn, ...(settings.alerts ? [settings.alerts.routerRoleArn] : [])],
    }),
    new iam.PolicyStatement({ actions: ["logs:DescribeLogGroups"], resources: [arn("logs", "log-group:*")] }),
    new iam.PolicyStatement({
      actions: ["logs:FilterLogEvents"],
      resources: [arn("logs", `log-group:${description.sessionLogGroupName}:*`)],
    }),
    new iam.PolicyStatement({
      actions: ["backup:GetBackupPlan", "backup:ListBackupSelections", "backup:GetBackupSelection"],
      resources: [arn("backup", `backup-plan:${description.backupPlanId}`)],
    }),
    new iam.PolicyStatement({
      actions: ["backup:DescribeBackupVault"],
      resources: [arn("backup", `backup-vault:${description.backupVaultName}`)],
    }),
    new iam.PolicyStatement({
      actions: ["ssm:GetParameter"],
      resources: [arn("ssm", `parameter${description.manifestParameterName}`)],
    }),
    // A launch template image `resolve:ssm:<parameter>` is resolved as EC2 does at launch, only when the AMI
    // decides HttpTokens: AWS's public parameters (/aws/service/..., an empty account in their ARN; public AMI
    // ids), and an imported fleet's own image parameter when the config names it (`fleet.imageParameterName`).
    // Any other parameter stays unread (the check says which setting reads it).
    new iam.PolicyStatement({
      actions: ["ssm:GetParameter"],
      resources: [
        `arn:${partition}:ssm:${region}::parameter/aws/service/*`,
        ...(imageParameterName ? [arn("ssm", `parameter/${imageParameterName.replace(/^\//, "")}`)] : []),
      ],
    }),
    // ...but never a SecureString's plaintext: SSM decrypts with the caller's kms:Decrypt (for aws/ssm the key
    // policy allows any principal of the account), so deny it through SSM. No read of the run needs it.
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ["kms:Decrypt"],
      resources: ["*"],
      conditions: { StringEquals: { "kms:ViaService": `ssm.${region}.${urlSuffix}` } },
    }),
    // ssm:SendCommand exactly like the lifecycle flow: AWS-RunShellScript on the fleet group's instances only.
    new iam.PolicyStatement({
      actions: ["ssm:SendCommand"],
      resources: [`arn:${partition}:ssm:${region}::document/AWS-RunShellScript`],
    }),
    new iam.PolicyStatement({
      actions: ["ssm:SendCommand"],
      resources: [arn("ec2", "instance/*")],
      conditions: {
        StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": description.autoScalingGroupName },
      },
    }),
    new iam.PolicyStatement({
      actions: ["events:PutEvents"],
      resources: [arn("events", "event-bus/default")],
    }),
    ...stateAccess("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
  ];
  for (const statement of statements) run.addToRolePolicy(statement);

  new events.Rule(stack, "Schedule", {
    description: `clawops ${app.stage}: readiness run`,
    schedule: events.Schedule.expression(config.settings.readiness.schedule),
    targets: [new targets.LambdaFunction(run, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
  });

  const ingest = new SstFunction(stack, "EvalsIngest", {
    handler: "functions/readiness/evals.handler",
    description: `clawops ${app.stage} readiness: ingest skill eval results (promptfoo JSON)`,
    timeout: 30,
    deadLetterQueue,
    environment: common("readiness-evals"),
  });
  for (const statement of stateAccess("dynamodb:PutItem")) ingest.addToRolePolicy(statement);

  for (const fn of [run, ingest]) suppressFunctionFindings(fn);
  for (const [name, value] of Object.entries({
    "readiness-function": run.functionName,
    "evals-function": ingest.functionName,
  })) {
    new ssm.StringParameter(stack, `Param-${name}`, {
      parameterName: `/clawops/${app.stage}/${name}`,
      stringValue: value,
    });
  }
  stack.addOutputs({ ReadinessFunctionName: run.functionName, EvalsFunctionName: ingest.functionName });
  return { run, ingest, settings };
}

function suppressFunctionFindings(fn: SstFunction): void {
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "SST attaches AWSLambdaBasicExecutionRole (the function's own logs only).",
      },
      {
        id: "AwsSolutions-IAM5",
        reason:
          "Resource::* only for Describe/List calls that support no resource-level permissions (autoscaling/ec2 Describe*, ec2:GetEbsEncryptionByDefault, ec2:GetInstanceMetadataDefaults, secretsmanager:ListSecrets, lambda:ListFunctions, cloudwatch:GetMetricData, backup:ListBackupJobs, ssm:ListCommandInvocations, X-Ray); cloudwatch:DescribeAlarms is unscoped because the scan reads every alarm, composite alarms included, and describing composite alarms needs Resource *; secret:* is GetResourcePolicy on every secret (the scan must see all of them, reads no value); log-group:* is DescribeLogGroups (needs the account's log-group resource); instance/* is limited by the ssm:resourceTag/aws:autoscaling:groupName condition; log-group:<name>:* is the session group's streams; ssm parameter/aws/service/* is ssm:GetParameter on AWS's public parameters (empty account in the ARN) for a launch template's resolve:ssm: image (an imported fleet's own image parameter is granted by its exact name, fleet.imageParameterName), with kms:Decrypt through SSM denied so no SecureString is ever read in clear.",
        appliesTo: [
          "Resource::*",
          {
            regex: "/^Resource::arn:<AWS::Partition>:secretsmanager:[^:]+:[^:]+:secret:\\*$/g",
          },
          { regex: "/^Resource::arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:.*$/g" },
          { regex: "/^Resource::arn:<AWS::Partition>:ec2:[^:]+:[^:]+:instance\\/\\*$/g" },
          { regex: "/^Resource::arn:<AWS::Partition>:ssm:[^:]+:[^:]*:parameter\\/(aws\\/service\\/)?\\*$/g" },
        ],
      },
    ],
    true,
  );
}
