import { readdirSync, readFileSync } from "node:fs";
import { matchesPattern } from "@clawops/core/events";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../packages/core/tests/events/fixtures.js";
import { Alerts } from "../Alerts.js";
import { Fleet } from "../Fleet.js";
import { type BuiltApp, buildApp } from "./harness.js";

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
});

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};
type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles?: unknown[] } };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const json = (value: unknown) => JSON.stringify(value);

function logicalId(type: string, match: (props: Record<string, unknown>) => boolean, fn = Alerts): string {
  const resources = built.template(fn).findResources(type);
  const found = Object.entries(resources).find(([, r]) =>
    match((r as { Properties: Record<string, unknown> }).Properties),
  );
  if (!found) throw new Error(`no ${type}`);
  return found[0];
}
const secretId = () => logicalId("AWS::SecretsManager::Secret", () => true);
const routerRoleId = () => {
  const ids = Object.keys(built.template(Alerts).findResources("AWS::IAM::Role")).filter((id) =>
    id.startsWith("RouterServiceRole"),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe("Stack: Alerts", () => {
  it("keeps the Slack token in its own KMS-encrypted secret", () => {
    built
      .template(Alerts)
      .hasResourceProperties("AWS::SecretsManager::Secret", { KmsKeyId: Match.anyValue() });
  });

  it("denies every principal but the router's role the secret's value", () => {
    const policies = built.template(Alerts).findResources("AWS::SecretsManager::ResourcePolicy");
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { ResourcePolicy: { Statement: Statement[] } } }).Properties.ResourcePolicy
          .Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "secretsmanager:GetSecretValue",
        Condition: { StringNotEquals: { "aws:PrincipalArn": { "Fn::GetAtt": [routerRoleId(), "Arn"] } } },
      }),
    );
  });

  it("lets the router's role read that one secret and no other", () => {
    const policies = Object.values(built.template(Alerts).findResources("AWS::IAM::Policy")) as Policy[];
    const secretStatements = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => actionsOf(s).some((a) => a.startsWith("secretsmanager:")));
    expect(secretStatements).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: { Ref: secretId() },
      }),
    ]);
    const holder = policies.find((p) => p.Properties.PolicyDocument.Statement.includes(secretStatements[0]!));
    expect(holder!.Properties.Roles).toEqual([{ Ref: routerRoleId() }]);
  });

  it("lets the router's role send every DynamoDB command the router's code sends, on the state table", () => {
    const sent = dynamoActionsSentBy(new URL("../../functions/alerts/", import.meta.url));
    expect(sent).toContain("dynamodb:Query"); // A storm window's transitions are read with a Query.
    const policies = Object.values(built.template(Alerts).findResources("AWS::IAM::Policy")) as Policy[];
    const routerPolicy = policies.find((p) => json(p.Properties.Roles) === json([{ Ref: routerRoleId() }]));
    const dynamo = routerPolicy!.Properties.PolicyDocument.Statement.filter((s) =>
      actionsOf(s).some((a) => a.startsWith("dynamodb:")),
    );
    expect(dynamo).toHaveLength(1);
    expect([...actionsOf(dynamo[0]!)].sort()).toEqual(sent);
    // The Core stack's state table (its ARN imported from Core), not a wildcard.
    expect(json(dynamo[0]!.Resource)).toMatch(/GetAttState[0-9A-F]+Arn/);
    expect(json(dynamo[0]!.Resource)).not.toContain("*");
  });

  it("does not grant the fleet's instance role the alerts secret", () => {
    const fleet = json(built.template(Fleet).toJSON());
    expect(fleet).not.toContain("SlackSecret");
    const alertPolicies = Object.values(built.template(Alerts).findResources("AWS::IAM::Policy")) as Policy[];
    for (const policy of alertPolicies) expect(json(policy.Properties.Roles)).not.toMatch(/Fleet|Instance/);
  });

  it("routes clawops' own alarms and events to the router, and not alarms outside the selector", () => {
    const rules = Object.values(built.template(Alerts).findResources("AWS::Events::Rule")).map(
      (r) => (r as { Properties: { EventPattern: Record<string, unknown> } }).Properties.EventPattern,
    );
    const matched = (event: unknown) =>
      rules.some((pattern) => matchesPattern(pattern as never, event as never));
    const ownAlarm = withField(
      loadFixture("aws.cloudwatch", "metric-alarm"),
      "detail.alarmName",
      "clawops-test-unhealthy-gateways",
    );
    expect(matched(ownAlarm)).toBe(true);
    // Stage `test-eu`'s alarm begins like stage `test`'s: only this stage's own alarms, by exact name.
    expect(matched(withField(ownAlarm, "detail.alarmName", "clawops-test-eu-unhealthy-gateways"))).toBe(
      false,
    );
    expect(matched(loadFixture("clawops", "DrillFailed"))).toBe(true);
    expect(matched(loadFixture("aws.cloudwatch", "outside-selector"))).toBe(false);
    built.template(Alerts).resourceCountIs("AWS::Events::Rule", 2);
  });

  it("gives the router its settings, the state table, the DLQ and a 60 s timeout", () => {
    built.template(Alerts).hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 60,
      Runtime: "nodejs24.x",
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          CLAWOPS_SETTINGS: Match.anyValue(),
          CLAWOPS_STATE_TABLE: Match.anyValue(),
          CLAWOPS_DLQ_URL: Match.anyValue(),
        }),
      },
    });
  });

  it("publishes the router's name and settings where the CLI looks, under /clawops/<stage>/", () => {
    const parameters = built.template(Alerts).findResources("AWS::SSM::Parameter");
    const routerParameter = Object.values(parameters).find(
      (p) => (p as { Properties: { Name: string } }).Properties.Name === "/clawops/test/alert-router",
    ) as { Properties: { Value: unknown } } | undefined;
    const value = json(routerParameter?.Properties.Value);
    expect(value).toContain("functionName");
    expect(value).toContain("slackSecretArn");
    expect(value).toContain("routes");
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Alerts)).toEqual([]);
  });
});

/** The IAM action of each DynamoDB (document) client command. */
const DYNAMO_ACTIONS: Record<string, string> = {
  Get: "dynamodb:GetItem",
  GetItem: "dynamodb:GetItem",
  Put: "dynamodb:PutItem",
  PutItem: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  UpdateItem: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  DeleteItem: "dynamodb:DeleteItem",
  Query: "dynamodb:Query",
  Scan: "dynamodb:Scan",
  BatchGet: "dynamodb:BatchGetItem",
  BatchGetItem: "dynamodb:BatchGetItem",
  BatchWrite: "dynamodb:BatchWriteItem",
  BatchWriteItem: "dynamodb:BatchWriteItem",
};

/** The DynamoDB actions the code in `folder` sends: every `new XxxCommand(` of a DynamoDB client it imports. */
function dynamoActionsSentBy(folder: URL): string[] {
  const actions = new Set<string>();
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(new URL(file, folder), "utf8");
    const imports = [
      ...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/(?:lib|client)-dynamodb"/g),
    ];
    const commands = imports
      .flatMap((m) => m[1]!.split(","))
      .map((name) => name.trim().replace(/^type\s+/, ""))
      .filter((name) => name.endsWith("Command"));
    for (const command of commands) {
      if (!source.includes(`new ${command}(`)) continue;
      const action = DYNAMO_ACTIONS[command.replace(/Command$/, "")];
      if (!action)
        throw new Error(`functions/alerts/${file} sends ${command}: add its IAM action to DYNAMO_ACTIONS`);
      actions.add(action);
    }
  }
  return [...actions].sort();
}
