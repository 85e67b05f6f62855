import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Core } from "../Core.js";
import { type BuiltApp, buildApp, cfnText } from "./harness.js";

type Resource = { Type: string; Properties: Record<string, unknown> };
type PolicyStatement = {
  Effect: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

function ofTypeIn(app: BuiltApp, type: string): Resource[] {
  const { Resources: resources } = app.template(Core).toJSON() as { Resources: Record<string, Resource> };
  return Object.values(resources).filter((r) => r.Type === type);
}

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
});

describe("Stack: Core", () => {
  it("keeps state in an encrypted on-demand table with TTL and point-in-time recovery", () => {
    built.template(Core).hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it("encrypts the dead-letter queue with the stack's key and alarms on any message in it", () => {
    const template = built.template(Core);
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [Match.anyValue()],
    });
  });

  it("lets this stage's alarms publish to the SSL-only fallback topic, through its key, so fallbackEmail hears of dead letters", () => {
    const { Resources: resources } = built.template(Core).toJSON() as { Resources: Record<string, Resource> };
    const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
    const topicId = Object.keys(resources).find((id) => resources[id]?.Type === "AWS::SNS::Topic");
    // A topic policy replaces SNS's default one: only what it allows may publish.
    const policies = ofType("AWS::SNS::TopicPolicy");
    expect(policies.map((p) => p.Properties.Topics)).toEqual([[{ Ref: topicId }]]);
    const document = policies[0]?.Properties.PolicyDocument as { Statement: PolicyStatement[] } | undefined;
    const statements = document?.Statement ?? [];
    const publishers = statements.filter(
      (s) => s.Effect === "Allow" && s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    expect(publishers.map((s) => [s.Action].flat())).toEqual([["sns:Publish"]]);
    const condition = publishers[0]?.Condition ?? {};
    // Only this account's alarms, of this stage: the stack's own account, in both conditions.
    const account = cfnText(condition.StringEquals?.["aws:SourceAccount"]);
    expect(Object.keys(condition.StringEquals ?? {})).toEqual(["aws:SourceAccount"]);
    // The one alarm that publishes, by its exact ARN: a `clawops-test-*` pattern would admit stage `test-eu`.
    expect(Object.keys(condition)).toEqual(["StringEquals", "ArnEquals"]);
    const sourceArn = cfnText(condition.ArnEquals?.["aws:SourceArn"]);
    const [, partition, service, region, arnAccount] = sourceArn.split(":");
    expect({ service, arnAccount }).toEqual({ service: "cloudwatch", arnAccount: account });
    const alarmArn = (name: unknown) =>
      `arn:${partition}:cloudwatch:${region}:${account}:alarm:${String(name)}`;
    const publishing = ofType("AWS::CloudWatch::Alarm").filter((a) =>
      JSON.stringify(a.Properties.AlarmActions ?? []).includes(String(topicId)),
    );
    expect(publishing.map((a) => a.Properties.AlarmName)).toEqual(["clawops-test-dead-letters"]);
    expect(publishing.map((a) => alarmArn(a.Properties.AlarmName))).toEqual([sourceArn]);
    // SNS encrypts what CloudWatch publishes with the topic's key: the key policy must let CloudWatch use it.
    built.template(Core).hasResourceProperties("AWS::KMS::Key", {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: Match.arrayWith(["kms:Decrypt", "kms:GenerateDataKey*"]),
          }),
        ]),
      },
    });
  });

  it("lets CloudWatch use the control plane's key only to publish the dead-letter alarm to the encrypted topic", () => {
    // The key also encrypts the state table, the dead-letter queue and the Slack secret: CloudWatch may only
    // encrypt for the topic (Decrypt, GenerateDataKey*), and only for this account's dead-letter alarm.
    const keys = ofTypeIn(built, "AWS::KMS::Key");
    expect(keys).toHaveLength(1);
    const policy = keys[0]?.Properties.KeyPolicy as { Statement: PolicyStatement[] } | undefined;
    const statements = policy?.Statement ?? [];
    const forCloudWatch = statements.filter((s) => s.Principal?.Service === "cloudwatch.amazonaws.com");
    expect(forCloudWatch.map((s) => [s.Effect, [s.Action].flat().sort()])).toEqual([
      ["Allow", ["kms:Decrypt", "kms:GenerateDataKey*"]],
    ]);
    const condition = forCloudWatch[0]?.Condition ?? {};
    expect(Object.keys(condition).sort()).toEqual(["ArnEquals", "StringEquals"]);
    expect(Object.keys(condition.StringEquals ?? {})).toEqual(["aws:SourceAccount"]);
    expect(Object.keys(condition.ArnEquals ?? {})).toEqual(["aws:SourceArn"]);
    // The same account and alarm ARN as the topic policy's publisher statement.
    const [topicPolicy] = ofTypeIn(built, "AWS::SNS::TopicPolicy");
    const topicStatements =
      (topicPolicy?.Properties.PolicyDocument as { Statement: PolicyStatement[] } | undefined)?.Statement ??
      [];
    const publisher = topicStatements.find((s) => s.Principal?.Service === "cloudwatch.amazonaws.com");
    const account = cfnText(publisher?.Condition?.StringEquals?.["aws:SourceAccount"]);
    const alarmArn = cfnText(publisher?.Condition?.ArnEquals?.["aws:SourceArn"]);
    expect(alarmArn).toMatch(
      new RegExp(`^arn:aws:cloudwatch:us-east-1:${account}:alarm:clawops-test-dead-letters$`),
    );
    expect(cfnText(condition.StringEquals?.["aws:SourceAccount"])).toBe(account);
    expect(cfnText(condition.ArnEquals?.["aws:SourceArn"])).toBe(alarmArn);
  });

  it("rotates its KMS key", () => {
    built.template(Core).hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("has the control plane's one key, usable by CloudWatch Logs for this account's log groups only", () => {
    const template = built.template(Core);
    template.resourceCountIs("AWS::KMS::Key", 1);
    template.hasResourceProperties("AWS::KMS::Key", {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: Match.stringLikeRegexp("^logs\\..*amazonaws\\.com$") },
            Condition: {
              ArnLike: { "kms:EncryptionContext:aws:logs:arn": Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it("publishes what the CLI needs under /clawops/<stage>/", () => {
    built.template(Core).hasResourceProperties("AWS::SSM::Parameter", { Name: "/clawops/test/state-table" });
    built
      .template(Core)
      .hasResourceProperties("AWS::SSM::Parameter", { Name: "/clawops/test/dead-letter-queue-url" });
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Core)).toEqual([]);
  });
});
