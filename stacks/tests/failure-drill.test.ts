import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { FailureDrill } from "../FailureDrill.js";
import { type BuiltApp, buildApp } from "./harness.js";

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** Every IAM statement of the stack, flattened. */
function statements(): Statement[] {
  const policies = built.template(FailureDrill).findResources("AWS::IAM::Policy");
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const render = (value: unknown) => JSON.stringify(value);

describe("Stack: FailureDrill", () => {
  it("runs the drill as a Standard state machine with X-Ray and full logging to a KMS-encrypted log group", () => {
    const template = built.template(FailureDrill);
    template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: true }),
    });
    template.allResourcesProperties("AWS::Logs::LogGroup", { KmsKeyId: Match.anyValue() });
  });

  it("encrypts its workflow logs with Core's key and creates no key of its own ($1 a month each)", () => {
    const template = built.template(FailureDrill);
    template.resourceCountIs("AWS::KMS::Key", 0);
    template.allResourcesProperties("AWS::Logs::LogGroup", {
      KmsKeyId: { "Fn::ImportValue": Match.stringLikeRegexp("Core") },
    });
  });

  it("gives every task its settings, the state table and the dead-letter queue", () => {
    const functions = built.template(FailureDrill).findResources("AWS::Lambda::Function", {
      Properties: { Description: Match.stringLikeRegexp("failure drill") },
    });
    expect(Object.keys(functions)).toHaveLength(6);
    for (const fn of Object.values(functions)) {
      const env = (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
        .Environment.Variables;
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(["CLAWOPS_SETTINGS", "CLAWOPS_STATE_TABLE", "CLAWOPS_DLQ_URL"]),
      );
      expect(render(env.CLAWOPS_SETTINGS)).toContain("clawops-test-unhealthy-gateways");
    }
  });

  it("sends commands only as AWS-RunShellScript to instances of the fleet's group", () => {
    const send = statements().filter((s) => actionsOf(s).includes("ssm:SendCommand"));
    expect(send.length).toBeGreaterThan(0);
    for (const s of send) {
      const resource = render(s.Resource);
      if (resource.includes("instance/*"))
        expect(render(s.Condition)).toContain("ssm:resourceTag/aws:autoscaling:groupName");
      else expect(resource).toContain("document/AWS-RunShellScript");
    }
  });

  it("reads only the unhealthy-gateways alarm and puts events only on the default bus", () => {
    // Preflight refuses while it is in ALARM; Observe times it.
    const describe = statements().filter((s) => actionsOf(s).includes("cloudwatch:DescribeAlarms"));
    expect(describe).toHaveLength(2);
    for (const s of describe) expect(render(s.Resource)).toContain("alarm:clawops-test-unhealthy-gateways");
    const put = statements().filter((s) => actionsOf(s).includes("events:PutEvents"));
    expect(put).toHaveLength(1);
    expect(render(put[0]?.Resource)).toContain("event-bus/default");
  });

  it("grants no wildcard action and no resource wildcard outside Describe calls, X-Ray and tagged instances", () => {
    for (const s of statements()) {
      expect(actionsOf(s).some((a) => a.endsWith("*"))).toBe(false);
      if (s.Resource !== "*") continue;
      for (const action of actionsOf(s))
        expect(action).toMatch(
          /^(autoscaling:Describe|ssm:GetCommandInvocation$|xray:|logs:(Create|Describe|Get|List|Put|Update|Delete)|states:)/,
        );
    }
  });

  it("publishes its state machine ARN where the CLI looks for it", () => {
    built.template(FailureDrill).hasResourceProperties("AWS::SSM::Parameter", {
      Name: "/clawops/test/failure-drill-state-machine-arn",
    });
  });

  it("has no schedule while failureDrill.schedule is null (the default)", () => {
    built.template(FailureDrill).resourceCountIs("AWS::Events::Rule", 0);
  });

  it("leaves no cdk-nag finding without a reasoned suppression", () => {
    expect(built.nagFindings(FailureDrill)).toEqual([]);
  });
});
