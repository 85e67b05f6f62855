import { fileURLToPath } from "node:url";
import { failureDrillParameterName, failureDrillSettings } from "@clawops/core/failure-drill";
import { Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import type { FailureDrillTaskName } from "../functions/failure-drill/tasks.js";
import { Core } from "./Core.js";
import { configOf, sstLogRetention } from "./config.js";
import { Fleet } from "./Fleet.js";
import { taskStateMachine } from "./task-state-machine.js";

const workflow = fileURLToPath(new URL("./workflows/failure-drill.asl.json", import.meta.url));

/**
 * The failure drill: a Standard state machine that stops one gateway of the fleet on purpose and measures the
 * unhealthy-gateway alarm (stacks/Lifecycle.ts), the alert router's delivery (stacks/Alerts.ts, recorded in the
 * Core table) and the replacement against the configured windows. On demand (`clawops drill --failure`) and on
 * the optional `failureDrill.schedule`.
 */
export function FailureDrill({ stack, app }: StackContext) {
  const config = configOf(stack);
  const { key, table, deadLetterQueue } = use(Core);
  const { description } = use(Fleet);
  const settings = failureDrillSettings(config, description);
  const asgName = description.autoScalingGroupName;
  const { partition, region, account } = Stack.of(stack);

  /** ssm:SendCommand: only AWS-RunShellScript, only on instances the fleet's group tagged as its own. */
  const sendCommand = [
    new iam.PolicyStatement({
      actions: ["ssm:SendCommand"],
      resources: [`arn:${partition}:ssm:${region}::document/AWS-RunShellScript`],
    }),
    new iam.PolicyStatement({
      actions: ["ssm:SendCommand"],
      resources: [`arn:${partition}:ec2:${region}:${account}:instance/*`],
      conditions: { StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": asgName } },
    }),
  ];
  // Auto Scaling's Describe calls support no resource-level permissions (AWS's service authorization reference).
  const describe = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: ["*"] });
  // GetCommandInvocation has no resource types: results are read by command id (the send itself is scoped).
  const readCommand = new iam.PolicyStatement({ actions: ["ssm:GetCommandInvocation"], resources: ["*"] });
  const describeAlarm = new iam.PolicyStatement({
    actions: ["cloudwatch:DescribeAlarms"],
    resources: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:${settings.alarmName}`],
  });
  const onTable = (...actions: string[]) => [
    new iam.PolicyStatement({ actions, resources: [table.tableArn] }),
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
    }),
  ];

  const lambda = (id: string, file: string, statements: iam.PolicyStatement[]) => {
    const fn = new SstFunction(stack, id, {
      handler: `functions/failure-drill/${file}.handler`,
      description: `clawops ${app.stage} failure drill: ${file}`,
      timeout: 30,
      logRetention: sstLogRetention(config.settings.logRetentionDays),
      deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: `failure-drill-${file}`,
        CLAWOPS_STATE_TABLE: table.tableName,
        CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
        CLAWOPS_SETTINGS: stack.toJsonString(settings),
      },
    });
    const deadLetter = [
      new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn] }),
      new iam.PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.keyArn] }),
    ];
    for (const statement of [...statements, ...deadLetter]) fn.addToRolePolicy(statement);
    suppressFunctionFindings(fn);
    return fn;
  };

  const tasks: Record<FailureDrillTaskName, SstFunction> = {
    PreflightFunctionArn: lambda("Preflight", "preflight", [
      describe("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes"),
      describeAlarm,
      ...onTable("dynamodb:GetItem", "dynamodb:PutItem"),
    ]),
    AnnounceFunctionArn: lambda("Announce", "announce", [
      new iam.PolicyStatement({
        actions: ["events:PutEvents"],
        resources: [`arn:${partition}:events:${region}:${account}:event-bus/default`],
      }),
    ]),
    StopFunctionArn: lambda("Stop", "stop", sendCommand),
    ObserveFunctionArn: lambda("Observe", "observe", [
      describeAlarm,
      readCommand,
      describe("autoscaling:DescribeAutoScalingGroups"),
      ...onTable("dynamodb:GetItem"),
    ]),
    RestoreFunctionArn: lambda("Restore", "restore", [
      ...sendCommand,
      readCommand,
      describe("autoscaling:DescribeAutoScalingInstances"),
      ...onTable("dynamodb:DeleteItem"),
    ]),
    RecordFunctionArn: lambda("Record", "record", onTable("dynamodb:PutItem", "dynamodb:DeleteItem")),
  };

  // Core's key (its policy lets CloudWatch Logs use it for this account's log groups): no key of our own ($1 a month).
  const logGroup = new logs.LogGroup(stack, "FailureDrillLogs", {
    encryptionKey: key,
    retention: config.settings.logRetentionDays as logs.RetentionDays,
  });
  const stateMachine = taskStateMachine(stack, "FailureDrill", { definitionFile: workflow, tasks, logGroup });

  const schedule = config.settings.failureDrill.schedule;
  if (schedule)
    new events.Rule(stack, "FailureDrillSchedule", {
      description: `clawops ${app.stage}: scheduled failure drill of ${asgName}`,
      schedule: events.Schedule.expression(schedule),
      targets: [new targets.SfnStateMachine(stateMachine, { input: events.RuleTargetInput.fromObject({}) })],
    });

  // The CLI finds the state machine here (`clawops drill --failure`, functions/failure-drill/run.ts).
  new ssm.StringParameter(stack, "Param-failure-drill-state-machine-arn", {
    parameterName: failureDrillParameterName(app.stage),
    stringValue: stateMachine.stateMachineArn,
  });
  stack.addOutputs({ FailureDrillArn: stateMachine.stateMachineArn });
  return { stateMachine, tasks };
}

/** The findings every failure-drill function shares, each with the reason it is acceptable. */
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
          "Resource::* only for calls AWS does not scope by resource (X-Ray, autoscaling:Describe*, ssm:GetCommandInvocation); instance/* is limited by the ssm:resourceTag/aws:autoscaling:groupName condition to the fleet's group.",
        appliesTo: [
          "Resource::*",
          { regex: "/^Resource::arn:<AWS::Partition>:ec2:[^:]+:[^:]+:instance\\/\\*$/g" },
        ],
      },
    ],
    true,
  );
}
