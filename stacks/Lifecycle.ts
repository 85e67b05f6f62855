import { fileURLToPath } from "node:url";
import {
  ClawopsAlarm,
  ClawopsDetailType,
  clawopsAlarmName,
  EventSource,
  toCdkEventPattern,
} from "@clawops/core/events";
import {
  lifecycleSettings,
  MONITOR_SERVICE_NAME,
  MonitorMetric,
  UNHEALTHY_ALARM_DATAPOINTS,
} from "@clawops/core/lifecycle";
import { aws_cloudwatch as cloudwatch, Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { lifecycleRoutes } from "../functions/lifecycle/routes.js";
import type { LifecycleTaskName } from "../functions/lifecycle/tasks.js";
import { Core } from "./Core.js";
import { configOf } from "./config.js";
import { Fleet } from "./Fleet.js";
import { taskStateMachine } from "./task-state-machine.js";

const workflow = (name: string) => fileURLToPath(new URL(`./workflows/${name}`, import.meta.url));

/**
 * The launch gate, the terminate drain, the gateway health monitor and the lifecycle reconciler of the fleet's
 * Auto Scaling group. Every function may touch only that group and its instances (by the group's tag).
 */
export function Lifecycle({ stack, app }: StackContext) {
  const config = configOf(stack);
  const { key, table, deadLetterQueue } = use(Core);
  const { description } = use(Fleet);
  const settings = lifecycleSettings(config, description);
  const asgName = description.autoScalingGroupName;
  const { partition, region, account } = Stack.of(stack);
  const asgArn = `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${asgName}`;

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
  const onGroup = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: [asgArn] });
  // These Describe/Get/List calls support no resource-level permissions (AWS's service authorization reference).
  const unscoped = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: ["*"] });
  /** PutEvents on the default bus of clawops events of these detail types only (the alerts path posts them). */
  const putClawopsEvents = (...detailTypes: ClawopsDetailType[]) =>
    new iam.PolicyStatement({
      actions: ["events:PutEvents"],
      resources: [`arn:${partition}:events:${region}:${account}:event-bus/default`],
      conditions: {
        StringEquals: { "events:source": EventSource.Clawops, "events:detail-type": detailTypes },
      },
    });

  const lambda = (
    id: string,
    file: string,
    statements: iam.PolicyStatement[],
    extra: Record<string, unknown> = {},
  ) => {
    const fn = new SstFunction(stack, id, {
      handler: `functions/lifecycle/${file}.handler`,
      description: `clawops ${app.stage} lifecycle: ${file}`,
      timeout: file === "monitor" ? 60 : 30,
      // The monitor runs every minute: X-Ray's Lambda sampling (1 a second + 5%) would record every run, 43,800
      // traces a month (bench/cost.ts); its runs are in its logs and metrics. The other functions keep tracing.
      ...(file === "monitor" ? { tracing: "disabled" as const } : {}),
      logRetention: sstLogRetention(config.settings.logRetentionDays),
      deadLetterQueue,
      environment: {
        ...(file === "monitor" ? { POWERTOOLS_TRACE_ENABLED: "false" } : {}),
        POWERTOOLS_SERVICE_NAME: file === "monitor" ? MONITOR_SERVICE_NAME : `lifecycle-${file}`,
        CLAWOPS_STATE_TABLE: table.tableName,
        CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
        CLAWOPS_SETTINGS: stack.toJsonString({ ...settings, ...extra }),
      },
    });
    for (const statement of [...statements, ...deadLetterAccess()]) fn.addToRolePolicy(statement);
    suppressFunctionFindings(fn);
    return fn;
  };
  const deadLetterAccess = () => [
    new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn] }),
    new iam.PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.keyArn] }),
  ];

  // The instance's lifecycle state, in the group or its warm pool: whether an unregistered agent means gone (Probe),
  // and whether a gone action was completed by another gate or expired (Heartbeat, Complete).
  const lifecycleState = () =>
    unscoped("autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeWarmPool");
  const tasks: Record<LifecycleTaskName, SstFunction> = {
    ProbeFunctionArn: lambda("Probe", "probe", [
      ...sendCommand,
      unscoped("ssm:GetCommandInvocation"),
      lifecycleState(),
    ]),
    HeartbeatFunctionArn: lambda("Heartbeat", "heartbeat", [
      onGroup("autoscaling:RecordLifecycleActionHeartbeat"),
      lifecycleState(),
    ]),
    CompleteFunctionArn: lambda("Complete", "complete", [
      onGroup("autoscaling:CompleteLifecycleAction"),
      lifecycleState(),
    ]),
    PublishFunctionArn: lambda("Publish", "publish", [
      putClawopsEvents(ClawopsDetailType.LifecycleAbandoned, ClawopsDetailType.DrainFailed),
    ]),
    DrainFunctionArn: lambda("Drain", "drain", [
      ...sendCommand,
      unscoped("ssm:GetCommandInvocation"),
      onGroup("autoscaling:RecordLifecycleActionHeartbeat"),
    ]),
  };

  const machine = (id: string, file: string) => {
    // Core's key (its policy lets CloudWatch Logs use it for this account's log groups): no key of our own.
    const logGroup = new logs.LogGroup(stack, `${id}Logs`, {
      encryptionKey: key,
      retention: config.settings.logRetentionDays as logs.RetentionDays,
    });
    // One map for both workflows: each role may invoke only the functions its own ASL names (the gate's role
    // cannot run the Drain, which stops gateways; the drain's cannot run Probe or Heartbeat).
    return taskStateMachine(stack, id, { definitionFile: workflow(file), tasks, logGroup });
  };
  const launchGate = machine("LaunchGate", "launch-gate.asl.json");
  const terminateDrain = machine("TerminateDrain", "terminate-drain.asl.json");
  const machines = [launchGate.stateMachineArn, terminateDrain.stateMachineArn];
  const arns = {
    launchGateArn: launchGate.stateMachineArn,
    terminateDrainArn: terminateDrain.stateMachineArn,
  };

  const starter = lambda(
    "StartFlow",
    "start-flow",
    [
      new iam.PolicyStatement({ actions: ["states:StartExecution"], resources: machines }),
      onGroup("autoscaling:CompleteLifecycleAction"),
    ],
    arns,
  );
  for (const route of lifecycleRoutes(asgName)) {
    new events.Rule(stack, route.id, {
      description: `clawops ${app.stage}: ${route.id} of ${asgName} starts its lifecycle flow`,
      eventPattern: toCdkEventPattern(route.pattern),
      targets: [new targets.LambdaFunction(starter, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });
  }

  const reconciler = lambda(
    "Reconcile",
    "reconcile",
    [
      new iam.PolicyStatement({
        actions: ["states:StartExecution", "states:ListExecutions"],
        resources: machines,
      }),
      // The heartbeat by instance id asks which of clawops' hooks holds a waiting instance (a warm-pool instance
      // waits for the launch hook on its way in, for the terminate hook on its way back at scale in).
      onGroup("autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"),
      // The scaling activities say when a waiting instance began launching or terminating (the grace period);
      // DescribeWarmPool lists the warm pool's instances, which DescribeAutoScalingGroups does not.
      unscoped(
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeWarmPool",
      ),
    ],
    arns,
  );
  new events.Rule(stack, "ReconcileSchedule", {
    description: `clawops ${app.stage}: lifecycle actions EventBridge did not deliver`,
    schedule: events.Schedule.expression(config.settings.lifecycle.reconcileSchedule),
    targets: [new targets.LambdaFunction(reconciler)],
  });

  const monitor = lambda("Monitor", "monitor", [
    ...sendCommand,
    // GatewayProbesFailingFleetWide once an episode (and GatewayProbesFleetWideCleared): the alerts path posts them.
    putClawopsEvents(
      ClawopsDetailType.GatewayProbesFailingFleetWide,
      ClawopsDetailType.GatewayProbesFleetWideCleared,
    ),
    onGroup("autoscaling:SetInstanceHealth"),
    unscoped("ssm:ListCommandInvocations", "autoscaling:DescribeAutoScalingGroups"),
    // UpdateItem: the fleet-wide episode is saved as announced before its event is published (health-history.ts).
    new iam.PolicyStatement({
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      resources: [table.tableArn],
    }),
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
    }),
  ]);
  new events.Rule(stack, "MonitorSchedule", {
    description: `clawops ${app.stage}: gateway health monitor of ${asgName}`,
    schedule: events.Schedule.expression(config.settings.monitor.schedule),
    targets: [new targets.LambdaFunction(monitor)],
  });

  const unhealthyAlarm = new cloudwatch.Alarm(stack, "UnhealthyGateways", {
    alarmName: clawopsAlarmName(app.stage, ClawopsAlarm.UnhealthyGateways),
    alarmDescription: `OpenClaw gateways of ${asgName} fail their health probe; the monitor marks them Unhealthy after ${settings.monitor.unhealthyAfter} failures in a row and the group replaces them.`,
    metric: new cloudwatch.Metric({
      namespace: "Clawops",
      metricName: MonitorMetric.UnhealthyGateways,
      dimensionsMap: { service: MONITOR_SERVICE_NAME, Stage: app.stage, Fleet: settings.fleetName },
      // One period per monitor run: a shorter one would leave every other period without data (not breaching),
      // so two breaching periods in a row, and the alarm, could never come.
      period: Duration.seconds(settings.monitor.periodSeconds),
      statistic: "Maximum",
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: UNHEALTHY_ALARM_DATAPOINTS,
    datapointsToAlarm: UNHEALTHY_ALARM_DATAPOINTS,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  suppressLogRetentionFindings(stack);
  stack.addOutputs({
    LaunchGateArn: launchGate.stateMachineArn,
    TerminateDrainArn: terminateDrain.stateMachineArn,
  });
  return { launchGate, terminateDrain, monitor, reconciler, starter, unhealthyAlarm, tasks };
}

/**
 * SST v2 names log retention by the lowercased `RetentionDays` key ("one_year"), not by days; the app-wide
 * default passes days, which SST cannot read, so each function states its own.
 */
function sstLogRetention(days: number): Lowercase<keyof typeof logs.RetentionDays> {
  const key = (Object.keys(logs.RetentionDays) as (keyof typeof logs.RetentionDays)[]).find(
    (name) => logs.RetentionDays[name] === days,
  );
  if (!key) throw new RangeError(`${days} is not a CloudWatch Logs retention`);
  return key.toLowerCase() as Lowercase<keyof typeof logs.RetentionDays>;
}

/** The findings every lifecycle function shares, each with the reason it is acceptable. */
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
          "Resource::* only for calls AWS does not scope by resource (X-Ray, ssm:GetCommandInvocation/ListCommandInvocations, autoscaling:Describe* including DescribeScalingActivities and DescribeWarmPool); instance/* is limited by the ssm:resourceTag/aws:autoscaling:groupName condition to the fleet's group; autoScalingGroup:* is the group's UUID segment, the name is fixed.",
        appliesTo: [
          "Resource::*",
          { regex: "/^Resource::arn:<AWS::Partition>:ec2:[^:]+:[^:]+:instance\\/\\*$/g" },
          {
            regex:
              "/^Resource::arn:<AWS::Partition>:autoscaling:[^:]+:[^:]+:autoScalingGroup:\\*:autoScalingGroupName\\/.*$/g",
          },
        ],
      },
    ],
    true,
  );
}

/** A function with a log retention brings CDK's LogRetention singleton function to the stack's root. */
function suppressLogRetentionFindings(stack: Stack): void {
  const logRetention = stack.node.children.find((child) => child.node.id.startsWith("LogRetention"));
  if (!logRetention) return;
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
