/**
 * Security review as tests, over the synthesized templates of every stack: each IAM statement listed with its
 * resources, no `Resource: "*"` outside an explained allowlist, no secret-looking value in any Lambda's
 * environment, and cdk-nag (AwsSolutions) with zero unsuppressed findings and a reason on every suppression.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Alerts } from "../stacks/Alerts.js";
import { Core } from "../stacks/Core.js";
import { Drills } from "../stacks/Drills.js";
import { FailureDrill } from "../stacks/FailureDrill.js";
import { Fleet } from "../stacks/Fleet.js";
import { Lifecycle } from "../stacks/Lifecycle.js";
import { Readiness } from "../stacks/Readiness.js";
import { type BuiltApp, buildApp, type NagFinding } from "../stacks/tests/harness.js";

const STACKS = { Core, Fleet, Drills, Lifecycle, Alerts, FailureDrill, Readiness } as const;
type StackName = keyof typeof STACKS;

/**
 * Actions allowed on `Resource: "*"`, each with why. Every one is an action AWS does not scope by resource
 * (no resource-level permissions in the Service Authorization Reference), or one whose resource is created
 * later with a name nobody knows at deploy time, narrowed by a condition instead.
 */
const WILDCARD_ALLOWLIST: ReadonlyArray<{ stack: StackName | "*"; action: RegExp; reason: string }> = [
  {
    stack: "*",
    action: /^xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)$/,
    reason:
      "X-Ray has no resource-level permissions; active tracing of functions and state machines needs these.",
  },
  {
    stack: "*",
    action: /^logs:(PutRetentionPolicy|DeleteRetentionPolicy)$/,
    reason:
      "CDK's LogRetention singleton sets retention on log groups whose names it learns only at deploy time.",
  },
  {
    stack: "*",
    action:
      /^logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/,
    reason:
      'Step Functions log delivery: AWS documents these vended-log actions with Resource "*" (no resource-level permissions).',
  },
  {
    stack: "*",
    action: /^(autoscaling:Describe[A-Za-z]+|ec2:Describe[A-Za-z]+)$/,
    reason: "Auto Scaling and EC2 Describe* actions do not support resource-level permissions.",
  },
  {
    stack: "*",
    action: /^ssm:(GetCommandInvocation|ListCommandInvocations)$/,
    reason:
      "SSM command results are read by command id; these actions have no resource types (SendCommand itself is scoped).",
  },
  {
    stack: "Fleet",
    action:
      /^(ssm:(DescribeAssociation|DescribeDocument|GetDocument|ListAssociations|ListInstanceAssociations|UpdateAssociationStatus|UpdateInstanceAssociationStatus|UpdateInstanceInformation)|ssmmessages:[A-Za-z]+|ec2messages:[A-Za-z]+)$/,
    reason:
      "The instance's SSM agent (the same statements as AmazonSSMManagedInstanceCore): agent channels have no resource ARNs.",
  },
  {
    stack: "Fleet",
    action: /^elasticfilesystem:ClientMount$/,
    reason: "Narrowed by the elasticfilesystem:AccessPointArn condition to the workspace access point.",
  },
  {
    stack: "Alerts",
    action: /^cloudwatch:GetMetricWidgetImage$/,
    reason: "GetMetricWidgetImage has no resource-level permissions (the alarm's graph in the Slack thread).",
  },
  {
    stack: "Drills",
    action: /^backup:(DescribeRestoreJob|ListRecoveryPointsByResource|PutRestoreValidationResult)$/,
    reason:
      "Restore jobs have no ARN, and recovery points are listed by the file system's ARN as a parameter: AWS Backup does not scope these by resource.",
  },
  {
    stack: "Drills",
    action: /^ec2:CreateNetworkInterface$/,
    reason:
      "elasticfilesystem:CreateMountTarget checks the caller for it; the ENI does not exist yet (could be narrowed to the fleet's subnet and security-group ARNs).",
  },
  {
    stack: "Readiness",
    action:
      /^(secretsmanager:ListSecrets|lambda:ListFunctions|cloudwatch:DescribeAlarms|cloudwatch:GetMetricData|backup:ListBackupJobs|ec2:GetEbsEncryptionByDefault|ec2:GetInstanceMetadataDefaults)$/,
    reason:
      "Read-only inventory for the readiness checks: these list actions (and GetMetricData, which reads whether the gateway alarm's metric still gets data, GetEbsEncryptionByDefault, the account setting that encrypts a launch template device with Encrypted unset, and GetInstanceMetadataDefaults, the account's IMDS defaults that decide HttpTokens for a launch template that leaves it unset; ec2:DescribeImages, the AMI's ImdsSupport, is an ec2:Describe* above) have no resource-level permissions, except DescribeAlarms: the scan reads every alarm of the account, composite alarms included, which needs it unscoped.",
  },
];

interface Statement {
  readonly stack: StackName;
  readonly source: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: unknown[];
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every identity-policy statement of a template: inline policies, managed policies, roles' inline policies. */
function statementsOf(stack: StackName, template: Record<string, unknown>): Statement[] {
  const resources = (template.Resources ?? {}) as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  const out: Statement[] = [];
  const collect = (source: string, document: unknown) => {
    for (const s of asArray((document as { Statement?: unknown })?.Statement) as Record<string, unknown>[]) {
      out.push({
        stack,
        source,
        effect: String(s.Effect),
        actions: asArray(s.Action as string | string[]).map(String),
        resources: asArray(s.Resource),
      });
    }
  };
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy")
      collect(id, r.Properties?.PolicyDocument);
    if (r.Type === "AWS::IAM::Role")
      for (const p of asArray(r.Properties?.Policies) as Array<{
        PolicyName?: string;
        PolicyDocument?: unknown;
      }>)
        collect(`${id}/${p.PolicyName}`, p.PolicyDocument);
  }
  return out;
}

/** Short text of a CloudFormation resource value (a string, a Ref, a GetAtt, a Join). */
function describe_(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value).slice(0, 160);
}

const SECRET_VALUE = [
  /xox[baprs]-[0-9A-Za-z-]+/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bsk-[A-Za-z0-9_-]{16,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];
const SECRET_KEY = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
/** A value under a secret-sounding key is fine when it only points at the secret: an ARN, a name, a reference. */
const POINTER = /^(arn:aws[a-z-]*:|\/?[A-Za-z0-9_+=.@/-]{1,128}$)/;

let app: BuiltApp;
const templates = {} as Record<StackName, Record<string, unknown>>;
const nag = {} as Record<StackName, NagFinding[]>;
const statements: Statement[] = [];

beforeAll(async () => {
  app = await buildApp();
  for (const [name, fn] of Object.entries(STACKS) as Array<[StackName, (typeof STACKS)[StackName]]>) {
    templates[name] = app.template(fn).toJSON() as Record<string, unknown>;
    nag[name] = app.nagFindings(fn);
    statements.push(...statementsOf(name, templates[name]));
  }
}, 600_000);

describe("Security review: IAM", () => {
  it("lists every IAM statement of every stack with its resources", () => {
    const listing = statements.map(
      (s) =>
        `${s.stack} ${s.source} ${s.effect} ${s.actions.join(",")} → ${s.resources.map(describe_).join(", ")}`,
    );
    console.log(`IAM statements (${listing.length}):\n${listing.join("\n")}`);

    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements)
      expect(s.resources.length, `${s.stack} ${s.source} names no resource`).toBeGreaterThan(0);
  });

  it('allows Resource "*" only for allowlisted actions, each with a reason', () => {
    const unexplained = statements
      .filter((s) => s.effect === "Allow" && s.resources.includes("*"))
      .flatMap((s) =>
        s.actions
          .filter(
            (a) =>
              !WILDCARD_ALLOWLIST.some((e) => (e.stack === "*" || e.stack === s.stack) && e.action.test(a)),
          )
          .map((a) => `${s.stack} ${s.source}: ${a}`),
      );

    expect(unexplained).toEqual([]);
    for (const entry of WILDCARD_ALLOWLIST) expect(entry.reason.length).toBeGreaterThan(20);
  });

  it("grants no wildcard action (service:* or *)", () => {
    const wild = statements
      .filter((s) => s.effect === "Allow")
      .flatMap((s) =>
        s.actions.filter((a) => a === "*" || a.endsWith(":*")).map((a) => `${s.stack} ${s.source}: ${a}`),
      );

    expect(wild).toEqual([]);
  });
});

describe("Security review: secrets", () => {
  it("puts no secret-looking value in any Lambda environment variable", () => {
    const leaks: string[] = [];
    for (const [stack, template] of Object.entries(templates)) {
      const resources = (template.Resources ?? {}) as Record<
        string,
        { Type: string; Properties?: Record<string, unknown> }
      >;
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type !== "AWS::Lambda::Function") continue;
        const vars = ((r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ??
          {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(vars)) {
          const text = typeof value === "string" ? value : JSON.stringify(value);
          if (SECRET_VALUE.some((p) => p.test(text)))
            leaks.push(`${stack} ${id} ${key}: secret-looking value`);
          if (SECRET_KEY.test(key) && typeof value === "string" && !POINTER.test(value))
            leaks.push(`${stack} ${id} ${key}: a value, not a pointer to a secret`);
        }
      }
    }

    expect(leaks).toEqual([]);
  });
});

describe("Security review: cdk-nag", () => {
  it("leaves zero unsuppressed AwsSolutions findings in any stack", () => {
    const findings = Object.entries(nag).flatMap(([stack, list]) =>
      list.map((f) => `${stack} ${f.level} ${f.path}: ${f.message.split("\n")[0]}`),
    );

    expect(findings).toEqual([]);
  });

  it("gives every suppression a non-empty reason", () => {
    const suppressions: Array<{ stack: string; path: string; id: string; reason: string }> = [];
    const visit = (stack: string, path: string, node: unknown) => {
      if (!node || typeof node !== "object") return;
      const rules = (
        node as { Metadata?: { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason?: string }> } } }
      ).Metadata?.cdk_nag?.rules_to_suppress;
      for (const rule of rules ?? [])
        suppressions.push({ stack, path, id: rule.id, reason: rule.reason ?? "" });
    };
    for (const [stack, template] of Object.entries(templates)) {
      visit(stack, "(template)", template);
      for (const [id, r] of Object.entries((template.Resources ?? {}) as Record<string, unknown>))
        visit(stack, id, r);
    }
    const unexplained = suppressions
      .filter((s) => s.reason.trim().length < 10)
      .map((s) => `${s.stack} ${s.path} ${s.id}`);

    expect(suppressions.length).toBeGreaterThan(0);
    expect(unexplained).toEqual([]);
  });
});
