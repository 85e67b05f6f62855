import {
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { makeClient } from "@clawops/core/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iamModel } from "../src/aws/iam.js";
import { SimulatedAws } from "../src/aws/simulated-aws.js";
import { SandboxClock } from "../src/clock.js";

const aws = new SimulatedAws({ clock: new SandboxClock() });
aws.simulator.register(iamModel(aws.world));
let uninstall: () => void;
const iam = makeClient(IAMClient);
const secret = (name: string) => aws.world.arn("secretsmanager", `secret:${name}`);
const OWN = secret("clawops/test/fleet-AbCdEf");

async function role(name: string, statements: unknown[]): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: "{}" }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: "p",
      PolicyDocument: JSON.stringify({ Statement: statements }),
    }),
  );
  return Role!.Arn!;
}

async function decisions(
  roleArn: string,
  resources: string[],
  context?: { ContextKeyName: string; ContextKeyValues: string[] }[],
) {
  const out = await iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: roleArn,
      ActionNames: ["secretsmanager:GetSecretValue"],
      ResourceArns: resources,
      ...(context ? { ContextEntries: context.map((c) => ({ ...c, ContextKeyType: "string" })) } : {}),
    }),
  );
  return (out.EvaluationResults ?? []).map((r) => [
    r.EvalResourceName,
    r.EvalDecision,
    r.MissingContextValues ?? [],
  ]);
}

beforeAll(() => {
  uninstall = aws.install();
});
afterAll(() => uninstall());

describe("Function: iamModel SimulatePrincipalPolicy", () => {
  it("allows exactly the scoped secret and denies look-alikes", async () => {
    const arn = await role("scoped", [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: OWN },
    ]);
    expect(await decisions(arn, [OWN, secret("clawops/test/fleet-admin-Xy12Ab")])).toEqual([
      [OWN, "allowed", []],
      [secret("clawops/test/fleet-admin-Xy12Ab"), "implicitDeny", []],
    ]);
  });

  it("lets a wildcard policy match look-alikes, as IAM does", async () => {
    const arn = await role("broad", [
      { Effect: "Allow", Action: "secretsmanager:Get*", Resource: secret("clawops/test/*") },
    ]);
    expect((await decisions(arn, [secret("clawops/test/alerts-GhIjKl")]))[0]?.[1]).toBe("allowed");
  });

  it("lets an explicit Deny win over an Allow", async () => {
    const arn = await role("denied", [
      { Effect: "Allow", Action: "secretsmanager:*", Resource: "*" },
      { Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: OWN },
    ]);
    expect((await decisions(arn, [OWN]))[0]?.[1]).toBe("explicitDeny");
  });

  it("reports condition keys it was not given as missing", async () => {
    const arn = await role("conditional", [
      {
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { StringEquals: { "aws:ResourceTag/team": "ops" } },
      },
    ]);
    expect(await decisions(arn, [OWN])).toEqual([[OWN, "implicitDeny", ["aws:ResourceTag/team"]]]);
    expect(
      (
        await decisions(arn, [OWN], [{ ContextKeyName: "aws:ResourceTag/team", ContextKeyValues: ["ops"] }])
      )[0]?.[1],
    ).toBe("allowed");
  });

  it("answers NoSuchEntity for an unknown role", async () => {
    await expect(decisions(aws.world.arn("iam", "role/nobody"), [OWN])).rejects.toMatchObject({
      name: "NoSuchEntity",
    });
  });
});
