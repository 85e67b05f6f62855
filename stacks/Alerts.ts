import { alertRouterSettings } from "@clawops/core/alerts";
import { toCdkEventPattern } from "@clawops/core/events";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, type StackContext, use } from "sst/constructs";
import { alertRoutes } from "../functions/alerts/routes.js";
import { Core } from "./Core.js";
import { configOf } from "./config.js";
import { Fleet } from "./Fleet.js";

/** The router waits out Slack's Retry-After and storm renders; its Slack retries are budgeted from this. */
const ROUTER_TIMEOUT_SECONDS = 60;

/**
 * Alerts to Slack: the router's own secret (the Slack bot token, readable by the router's role and nobody
 * else), the alert router, and the EventBridge rules that feed it CloudWatch alarm state changes and
 * clawops' own events.
 */
export function Alerts({ stack, app }: StackContext) {
  const config = configOf(stack);
  const { key, table, deadLetterQueue } = use(Core);
  const { description } = use(Fleet);
  const { partition, region, account } = Stack.of(stack);

  const secret = new secretsmanager.Secret(stack, "SlackSecret", {
    description: `clawops ${app.stage}: the alert router's Slack bot token, JSON {"botToken":"xoxb-..."} (docs/alerts.md)`,
    encryptionKey: key,
    // A placeholder the router rejects by name (SlackTokenMissingError) until the operator puts the token.
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ botToken: "" }),
      generateStringKey: "placeholder",
    },
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const settings = alertRouterSettings(config, {
    slackSecretArn: secret.secretArn,
    fleetLogGroupName: description.gatewayLogGroupName,
  });
  const router = new SstFunction(stack, "Router", {
    handler: "functions/alerts/router.handler",
    description: `clawops ${app.stage} alerts: CloudWatch alarms and clawops events to Slack`,
    timeout: ROUTER_TIMEOUT_SECONDS,
    logRetention: logRetention(config.settings.logRetentionDays),
    deadLetterQueue,
    environment: {
      POWERTOOLS_SERVICE_NAME: "alerts-router",
      CLAWOPS_STATE_TABLE: table.tableName,
      CLAWOPS_DLQ_URL: deadLetterQueue.queueUrl,
      CLAWOPS_SETTINGS: stack.toJsonString(settings),
    },
  });
  const statements = [
    // The one secret this role may read.
    new iam.PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: [secret.secretArn] }),
    // Every DynamoDB command functions/alerts/state.ts sends (Query reads a storm window's transitions).
    new iam.PolicyStatement({
      actions: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
      ],
      resources: [table.tableArn],
    }),
    new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn] }),
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
    }),
    new iam.PolicyStatement({
      actions: ["events:PutEvents"],
      resources: [`arn:${partition}:events:${region}:${account}:event-bus/default`],
    }),
    new iam.PolicyStatement({
      actions: ["cloudwatch:ListTagsForResource"],
      resources: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`],
    }),
    // GetMetricWidgetImage has no resource-level permissions (AWS's service authorization reference).
    new iam.PolicyStatement({ actions: ["cloudwatch:GetMetricWidgetImage"], resources: ["*"] }),
  ];
  for (const statement of statements) router.addToRolePolicy(statement);
  const routerRole = router.role as iam.IRole;

  // Only the router's role may read the token: deny everyone else, whatever their identity policy says.
  secret.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "OnlyTheAlertRouterReads",
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ["secretsmanager:GetSecretValue"],
      resources: ["*"],
      conditions: { StringNotEquals: { "aws:PrincipalArn": routerRole.roleArn } },
    }),
  );

  for (const route of alertRoutes(app.stage, {
    names: config.settings.alerts.alarmNames,
    namePrefixes: config.settings.alerts.alarmNamePrefixes,
  })) {
    new events.Rule(stack, route.id, {
      description: `clawops ${app.stage}: ${route.id} to the alert router`,
      eventPattern: toCdkEventPattern(route.pattern),
      targets: [new targets.LambdaFunction(router, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
  }

  NagSuppressions.addResourceSuppressions(secret, [
    {
      id: "AwsSolutions-SMG4",
      reason:
        "A Slack bot token is rotated in Slack (reinstall the app), then put with put-secret-value; no rotation Lambda can do it.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    router,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "SST attaches AWSLambdaBasicExecutionRole (the function's own logs only).",
      },
      {
        id: "AwsSolutions-IAM5",
        reason:
          "Resource::* only for X-Ray and cloudwatch:GetMetricWidgetImage, which support no resource-level permissions; alarm:* is ListTagsForResource on this account's alarms (any routed alarm's severity tag).",
        appliesTo: [
          "Resource::*",
          { regex: "/^Resource::arn:<AWS::Partition>:cloudwatch:[^:]+:[^:]+:alarm:\\*$/g" },
        ],
      },
    ],
    true,
  );
  suppressLogRetentionFindings(stack);
  stack.addOutputs({ SlackSecretArn: secret.secretArn, AlertRouterName: router.functionName });
  // The CLI finds the router and its settings here (`clawops alerts test | replay`), with no config file.
  new ssm.StringParameter(stack, "Param-alert-router", {
    parameterName: `/clawops/${app.stage}/alert-router`,
    description: `clawops ${app.stage}: the alert router's function name and settings (read by the clawops CLI)`,
    stringValue: stack.toJsonString({ functionName: router.functionName, settings }),
  });
  return { secret, router };
}

/** SST v2 names log retention by the lowercased `RetentionDays` key ("one_year"), not by days. */
function logRetention(days: number): Lowercase<keyof typeof logs.RetentionDays> {
  const name = (Object.keys(logs.RetentionDays) as (keyof typeof logs.RetentionDays)[]).find(
    (candidate) => logs.RetentionDays[candidate] === days,
  );
  if (!name) throw new RangeError(`${days} is not a CloudWatch Logs retention`);
  return name.toLowerCase() as Lowercase<keyof typeof logs.RetentionDays>;
}

/** CDK's LogRetention singleton (behind `logRetention`) carries findings of its own; say why they are fine. */
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
