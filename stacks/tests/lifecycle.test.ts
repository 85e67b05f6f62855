import { matchesPattern } from "@clawops/core/events";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFixture } from "../../packages/core/tests/events/fixtures.js";
import { Lifecycle } from "../Lifecycle.js";
import { type BuiltApp, buildApp } from "./harness.js";

let built: BuiltApp;
let asgName: string;
beforeAll(async () => {
  built = await buildApp();
  asgName = `clawops-test-${built.config.settings.fleet.mode === "reference" ? built.config.settings.fleet.name : ""}`;
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** Every IAM statement of the stack, flattened. */
function statements(): Statement[] {
  const policies = built.template(Lifecycle).findResources("AWS::IAM::Policy");
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const render = (value: unknown) => JSON.stringify(value);

/** Every action the role of `functions/lifecycle/<file>.ts` is granted. */
function functionActions(file: string): string[] {
  return functionStatements(file).flatMap(actionsOf);
}

/** Every IAM statement of the role of `functions/lifecycle/<file>.ts`. */
function functionStatements(file: string): Statement[] {
  const resources = built.template(Lifecycle).toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === "AWS::Lambda::Function" && r.Properties.Handler === `functions/lifecycle/${file}.handler`,
  );
  if (!fn) throw new Error(`no function for functions/lifecycle/${file}.ts`);
  const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::IAM::Policy" && render(r.Properties.Roles).includes(`"${role}"`))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A lifecycle fixture with its group renamed to the test stage's fleet group. */
function fixtureFor(name: string, group: string) {
  const event = loadFixture("aws.autoscaling", name);
  event.detail.AutoScalingGroupName = group;
  return event;
}

describe("Stack: Lifecycle", () => {
  it("routes the fleet's launch and terminate lifecycle actions, and no other group's", () => {
    const rules = built
      .template(Lifecycle)
      .findResources("AWS::Events::Rule", { Properties: { EventPattern: Match.anyValue() } });
    const patterns = Object.values(rules).map(
      (r) => (r as { Properties: { EventPattern: Record<string, unknown> } }).Properties.EventPattern,
    );
    expect(patterns).toHaveLength(2);
    for (const name of ["launch", "launch-warm-pool", "launch-from-warm-pool", "terminate"]) {
      expect(patterns.filter((p) => matchesPattern(p as never, fixtureFor(name, asgName)))).toHaveLength(1);
      expect(
        patterns.filter((p) => matchesPattern(p as never, fixtureFor(name, "another-teams-asg"))),
      ).toHaveLength(0);
    }
  });

  it("runs both workflows as Standard state machines with X-Ray and full logging to a KMS-encrypted log group", () => {
    const template = built.template(Lifecycle);
    template.resourceCountIs("AWS::StepFunctions::StateMachine", 2);
    template.allResourcesProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL" }),
    });
    template.allResourcesProperties("AWS::Logs::LogGroup", { KmsKeyId: Match.anyValue() });
  });

  it("encrypts the workflow logs with Core's key and creates no key of its own ($1 a month each)", () => {
    const template = built.template(Lifecycle);
    template.resourceCountIs("AWS::KMS::Key", 0);
    template.allResourcesProperties("AWS::Logs::LogGroup", {
      KmsKeyId: { "Fn::ImportValue": Match.stringLikeRegexp("Core") },
    });
  });

  it("does not trace the every-minute monitor (43,800 X-Ray traces a month) and traces the other functions", () => {
    const functions = Object.values(built.template(Lifecycle).findResources("AWS::Lambda::Function")).map(
      (f) => (f as { Properties: Record<string, unknown> }).Properties,
    );
    const monitor = functions.find((p) => p.Handler === "functions/lifecycle/monitor.handler");
    expect(monitor?.TracingConfig).toBeUndefined();
    expect(render(monitor?.Environment)).toContain('"POWERTOOLS_TRACE_ENABLED":"false"');
    const others = functions.filter(
      (p) => String(p.Handler).startsWith("functions/lifecycle/") && p !== monitor,
    );
    expect(others.length).toBeGreaterThan(5);
    for (const p of others) expect(p.TracingConfig).toEqual({ Mode: "Active" });
  });

  it("allows ssm:SendCommand only on AWS-RunShellScript and on instances tagged with the fleet's group", () => {
    const send = statements().filter((s) => actionsOf(s).includes("ssm:SendCommand"));
    expect(send.length).toBeGreaterThan(0);
    for (const statement of send) {
      const resource = render(statement.Resource);
      if (resource.includes("document/AWS-RunShellScript")) {
        expect(statement.Condition).toBeUndefined();
        continue;
      }
      expect(resource).toContain(":instance/*");
      expect(statement.Condition).toEqual({
        StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": asgName },
      });
    }
  });

  it("scopes lifecycle actions and SetInstanceHealth to the fleet's group ARN", () => {
    const actions = [
      "autoscaling:CompleteLifecycleAction",
      "autoscaling:RecordLifecycleActionHeartbeat",
      "autoscaling:SetInstanceHealth",
    ];
    const scoped = statements().filter((s) => actionsOf(s).some((a) => actions.includes(a)));
    expect(new Set(scoped.flatMap(actionsOf))).toEqual(new Set(actions));
    for (const statement of scoped) {
      expect(render(statement.Resource)).toMatch(
        new RegExp(`autoScalingGroup:\\*:autoScalingGroupName/${asgName}"`),
      );
    }
  });

  it.each([
    ["monitor", ["GatewayProbesFailingFleetWide", "GatewayProbesFleetWideCleared"]],
    ["publish", ["LifecycleAbandoned", "DrainFailed"]],
  ])("lets the %s put only its own clawops events on the default bus", (file, detailTypes) => {
    const putEvents = functionStatements(file).filter((s) => actionsOf(s).includes("events:PutEvents"));
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0]?.Condition).toEqual({
      StringEquals: { "events:source": "clawops", "events:detail-type": detailTypes },
    });
    expect(render(putEvents[0]?.Resource)).toContain(":event-bus/default");
  });

  it("lets the monitor save the fleet-wide episode before it announces it (UpdateItem on the state table)", () => {
    expect(functionActions("monitor")).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
    );
  });

  it("grants Resource * only for calls AWS does not scope by resource", () => {
    const allowed = new Set([
      "ssm:GetCommandInvocation",
      "ssm:ListCommandInvocations",
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeWarmPool",
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
      // CDK's LogRetention singleton (log groups it learns at deploy time).
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
    ]);
    const star = statements()
      .filter((s) => render(s.Resource) === '"*"')
      .flatMap(actionsOf);
    expect(star.filter((a) => !allowed.has(a))).toEqual([]);
  });

  it("alarms on unhealthy gateways for 2 of 2 minutes, treating missing data as not breaching", () => {
    built.template(Lifecycle).hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "clawops-test-unhealthy-gateways",
      Namespace: "Clawops",
      MetricName: "UnhealthyGateways",
      Dimensions: Match.arrayWith([
        { Name: "Fleet", Value: "openclaw" },
        { Name: "service", Value: "lifecycle-monitor" },
      ]),
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Period: 60,
      TreatMissingData: "notBreaching",
    });
  });

  it("reads only this stage's monitor metric: another stage's gateways (same fleet name) cannot page this one", () => {
    const alarms = Object.values(built.template(Lifecycle).findResources("AWS::CloudWatch::Alarm"));
    const dimensions = alarms.map((a) => a.Properties.Dimensions as { Name: string; Value: string }[]);
    expect(dimensions.map((d) => [...d].sort((a, b) => a.Name.localeCompare(b.Name)))).toEqual([
      [
        { Name: "Fleet", Value: "openclaw" },
        { Name: "service", Value: "lifecycle-monitor" },
        { Name: "Stage", Value: "test" },
      ],
    ]);
  });

  it("schedules the monitor every minute and the reconciler every five", () => {
    const template = built.template(Lifecycle);
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(5 minutes)" });
  });

  it("gives every function its settings, the state table and the dead-letter queue", () => {
    const functions = built.template(Lifecycle).findResources("AWS::Lambda::Function", {
      Properties: { Environment: { Variables: { CLAWOPS_SETTINGS: Match.anyValue() } } },
    });
    expect(Object.keys(functions)).toHaveLength(8);
    for (const fn of Object.values(functions) as {
      Properties: { Environment: { Variables: Record<string, unknown> }; DeadLetterConfig?: unknown };
    }[]) {
      expect(fn.Properties.Environment.Variables).toHaveProperty("CLAWOPS_STATE_TABLE");
      expect(fn.Properties.Environment.Variables).toHaveProperty("CLAWOPS_DLQ_URL");
      expect(fn.Properties.DeadLetterConfig).toBeDefined();
    }
  });

  it("lets each workflow's role invoke only the functions its ASL names: the gate cannot run the Drain", () => {
    const resources = built.template(Lifecycle).toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const handlerOf = (logicalId: string) =>
      String(resources[logicalId]?.Properties.Handler).replace(/^functions\/lifecycle\/(.+)\.handler$/, "$1");
    const invocable = (machine: RegExp) => {
      const [, stateMachine] = Object.entries(resources).find(
        ([id, r]) => r.Type === "AWS::StepFunctions::StateMachine" && machine.test(id),
      )!;
      const role = (stateMachine.Properties.RoleArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      return Object.values(resources)
        .filter((r) => r.Type === "AWS::IAM::Policy" && render(r.Properties.Roles).includes(`"${role}"`))
        .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((st) => actionsOf(st).includes("lambda:InvokeFunction"))
        .flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]))
        .map((arn) => handlerOf((arn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0]))
        .sort();
    };
    expect(invocable(/^LaunchGate/)).toEqual(["complete", "heartbeat", "probe", "publish"]);
    expect(invocable(/^TerminateDrain/)).toEqual(["complete", "drain", "publish"]);
  });

  it("lets the reconciler read the group's scaling activities (its grace period) and nothing more of them", () => {
    const reconciler = statements().filter((s) =>
      actionsOf(s).includes("autoscaling:DescribeScalingActivities"),
    );
    expect(reconciler).toHaveLength(1);
    expect(actionsOf(reconciler[0]!)).toEqual(
      expect.arrayContaining([
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeScalingActivities",
      ]),
    );
  });

  it("lets the reconciler list the warm pool's instances, which DescribeAutoScalingGroups does not", () => {
    expect(functionActions("reconcile")).toEqual(
      expect.arrayContaining(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeWarmPool"]),
    );
  });

  it("lets the reconciler heartbeat the group's hooks, to ask which holds a waiting instance (warm pool: launch or scale-in return)", () => {
    expect(functionActions("reconcile")).toContain("autoscaling:RecordLifecycleActionHeartbeat");
    const heartbeats = statements().filter((s) =>
      actionsOf(s).includes("autoscaling:RecordLifecycleActionHeartbeat"),
    );
    for (const statement of heartbeats)
      expect(render(statement.Resource)).toMatch(
        new RegExp(`autoScalingGroup:\\*:autoScalingGroupName/${asgName}"`),
      );
  });

  it.each(["probe", "heartbeat", "complete"])(
    "lets the gate's %s task read the instance's lifecycle state, in the group or its warm pool",
    (file) => {
      expect(functionActions(file)).toEqual(
        expect.arrayContaining(["autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeWarmPool"]),
      );
    },
  );

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Lifecycle)).toEqual([]);
  });
});
