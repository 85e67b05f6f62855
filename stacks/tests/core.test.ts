import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Core } from "../Core.js";
import { type BuiltApp, buildApp } from "./harness.js";

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
