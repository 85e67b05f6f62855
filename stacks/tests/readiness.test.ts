import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Readiness } from "../Readiness.js";
import { type BuiltApp, buildApp } from "./harness.js";

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
function statements(): Statement[] {
  const policies = built.template(Readiness).findResources("AWS::IAM::Policy");
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const withAction = (action: string) => statements().filter((s) => actionsOf(s).includes(action));
const render = (value: unknown) => JSON.stringify(value);
/** A resource as one string: `Fn::Join` joined, `Ref`s as `<AWS-Partition>` (no colon inside). */
const flat = (value: unknown): string => {
  if (typeof value === "string") return value;
  const v = value as { Ref?: string; "Fn::Join"?: [string, unknown[]] };
  if (v.Ref) return `<${v.Ref.replaceAll("::", "-")}>`;
  if (v["Fn::Join"]) return v["Fn::Join"][1].map(flat).join(v["Fn::Join"][0]);
  return render(value);
};

describe("Stack: Readiness", () => {
  it("runs on the configured schedule", () => {
    built.template(Readiness).hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: built.config.settings.readiness.schedule,
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  it("gives the run its settings, the state table and the dead-letter queue", () => {
    built.template(Readiness).hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          CLAWOPS_SETTINGS: Match.anyValue(),
          CLAWOPS_STATE_TABLE: Match.anyValue(),
          CLAWOPS_DLQ_URL: Match.anyValue(),
        }),
      },
      Timeout: 300,
    });
  });

  it("simulates only the fleet's instance role and the alert router's role", () => {
    const simulate = withAction("iam:SimulatePrincipalPolicy");
    expect(simulate).toHaveLength(1);
    const resources = simulate[0]!.Resource as unknown[];
    expect(resources).toHaveLength(2);
    expect(render(resources)).not.toContain('"*"');
    expect(render(resources)).toMatch(/Instance|Role/);
  });

  it("sends commands only as AWS-RunShellScript to the fleet group's instances", () => {
    const send = withAction("ssm:SendCommand");
    expect(send).toHaveLength(2);
    expect(render(send.map((s) => s.Resource))).toContain("document/AWS-RunShellScript");
    const onInstances = send.find((s) => render(s.Resource).includes("instance/*"));
    expect(render(onInstances?.Condition)).toContain("ssm:resourceTag/aws:autoscaling:groupName");
  });

  it("reads but never writes or reads values of secrets", () => {
    const all = statements().flatMap(actionsOf);
    expect(all).not.toContain("secretsmanager:GetSecretValue");
    expect(
      all
        .filter((a) => /^(ec2|autoscaling|elasticfilesystem|backup|cloudwatch):/.test(a))
        .every((a) => /:(Describe|List|Get)/.test(a)),
    ).toBe(true);
  });

  it("scopes the resources that AWS lets it scope", () => {
    for (const action of [
      "elasticfilesystem:DescribeFileSystemPolicy",
      "backup:GetBackupPlan",
      "ssm:GetParameter",
      "logs:FilterLogEvents",
      "events:PutEvents",
      "dynamodb:PutItem",
    ]) {
      for (const s of withAction(action)) expect(render(s.Resource), action).not.toBe('"*"');
    }
  });

  it("may read the account's EBS encryption by default (it decides a launch template device with Encrypted unset)", () => {
    const read = withAction("ec2:GetEbsEncryptionByDefault");
    expect(read).toHaveLength(1);
    expect(read[0]!.Effect).toBe("Allow");
  });

  it("may read the account's instance metadata defaults and the AMI (they decide HttpTokens a launch template leaves unset)", () => {
    for (const action of ["ec2:GetInstanceMetadataDefaults", "ec2:DescribeImages"]) {
      const read = withAction(action);
      expect(read, action).toHaveLength(1);
      expect(read[0]!.Effect).toBe("Allow");
    }
  });

  it("may read a launch template's resolve:ssm: image parameter only among AWS's public ones (reference fleet)", () => {
    const resources = withAction("ssm:GetParameter")
      .filter((s) => s.Effect === "Allow")
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(flat));
    // Public parameters have an empty account in their ARN (arn:aws:ssm:<region>::parameter/aws/service/...).
    expect(resources).toContainEqual(
      expect.stringMatching(/^arn:[^:]+:ssm:[^:]+::parameter\/aws\/service\/\*$/),
    );
    // Besides them, only the soul manifest: no account parameter by wildcard.
    expect(resources.filter((r) => !/::parameter\/aws\/service\//.test(r))).toEqual([
      expect.stringMatching(/:parameter\/clawops\/[^*]+\/soul-manifest$/),
    ]);
  });

  it("can never read a SecureString in clear: kms:Decrypt through SSM is denied", () => {
    const deny = statements().filter((s) => s.Effect === "Deny" && actionsOf(s).includes("kms:Decrypt"));
    expect(deny).toHaveLength(1);
    expect(deny[0]!.Resource).toBe("*");
    expect(render(deny[0]!.Condition)).toMatch(/kms:ViaService.*ssm\./);
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Readiness)).toEqual([]);
  });
});
