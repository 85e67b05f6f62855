import { ClawopsAlarm, clawopsAlarmName } from "@clawops/core/events";
import { CfnOutput, aws_cloudwatch as cloudwatch, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { NagSuppressions } from "cdk-nag";
import type { StackContext } from "sst/constructs";
import { configOf } from "./config.js";

/**
 * What every flow shares: the one KMS key of the control plane (state table, queues, topic, secrets and the
 * workflows' log groups: a customer managed key is $1 a month, and its yearly rotation adds $1 for each of the first
 * two, so $3 a month from year 3, bench/cost.ts), the state table (alert threads, dedup keys, gate and drill records; TTL
 * and point-in-time recovery), the dead-letter queue every failure ends in (with an alarm on its depth), and
 * the fallback topic that hears about it when Slack cannot.
 */
export function Core({ stack, app }: StackContext) {
  const { settings } = configOf(stack);

  const key = new kms.Key(stack, "Key", {
    description: `clawops ${app.stage}: state table, dead-letter queue, alert topic, secrets, workflow logs`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const table = new dynamodb.TableV2(stack, "State", {
    partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    timeToLiveAttribute: "expiresAt",
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const deadLetterQueue = new sqs.Queue(stack, "DeadLetterQueue", {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });

  const fallbackTopic = new sns.Topic(stack, "FallbackTopic", {
    displayName: `clawops ${app.stage} fallback alerts`,
    masterKey: key,
    enforceSSL: true,
  });
  if (settings.alerts.fallbackEmail) {
    fallbackTopic.addSubscription(new subscriptions.EmailSubscription(settings.alerts.fallbackEmail));
  }
  const { region, account, partition } = Stack.of(stack);
  /** The one alarm that notifies this topic; the topic policy names it exactly (a `clawops-<stage>-*` pattern
   * would also admit a stage named `<stage>-eu`). */
  const deadLetterAlarmName = clawopsAlarmName(app.stage, ClawopsAlarm.DeadLetters);
  const fromDeadLetterAlarm = {
    StringEquals: { "aws:SourceAccount": account },
    ArnEquals: {
      "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:${deadLetterAlarmName}`,
    },
  };
  // enforceSSL writes a topic policy, and a topic policy replaces SNS's default one (which let the account's
  // CloudWatch publish): without this Allow the alarms' notifications are refused ("no resource-based policy
  // allows the SNS:Publish action"). Only this account's dead-letter alarm of this stage.
  fallbackTopic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowThisStagesAlarms",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [fallbackTopic.topicArn],
      conditions: fromDeadLetterAlarm,
    }),
  );
  // SNS encrypts what the alarm publishes to the topic with this key, as CloudWatch: the two actions AWS
  // documents for an alarm publishing to an SSE-KMS topic, for the same one alarm. The key also guards the state
  // table, the dead-letter queue and the Slack secret: CloudWatch gets nothing else of it.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowThisStagesAlarmsToPublishEncrypted",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      conditions: fromDeadLetterAlarm,
    }),
  );
  // CloudWatch Logs encrypts the workflows' log groups with it, for this account's log groups only.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${account}:log-group:*`,
        },
      },
    }),
  );

  const deadLetterAlarm = new cloudwatch.Alarm(stack, "DeadLetterDepth", {
    alarmName: deadLetterAlarmName,
    alarmDescription:
      "Something clawops could not deliver or process is waiting in the dead-letter queue. Run `clawops alerts replay`.",
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: "Maximum",
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  deadLetterAlarm.addAlarmAction(new actions.SnsAction(fallbackTopic));

  NagSuppressions.addResourceSuppressions(deadLetterQueue, [
    {
      id: "AwsSolutions-SQS3",
      reason:
        "This is the terminal dead-letter queue; its depth is alarmed and replayed by `clawops alerts replay`.",
    },
  ]);

  for (const [name, value] of Object.entries({
    "state-table": table.tableName,
    "dead-letter-queue-url": deadLetterQueue.queueUrl,
    "fallback-topic-arn": fallbackTopic.topicArn,
  })) {
    new ssm.StringParameter(stack, `Param-${name}`, {
      parameterName: `/clawops/${app.stage}/${name}`,
      stringValue: value,
    });
  }
  new CfnOutput(stack, "StateTableName", { value: table.tableName });
  new CfnOutput(stack, "DeadLetterQueueUrl", { value: deadLetterQueue.queueUrl });

  return { key, table, deadLetterQueue, deadLetterAlarm, fallbackTopic };
}
