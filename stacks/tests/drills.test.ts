import { isDeepStrictEqual } from "node:util";
import { drillTags } from "@clawops/core/drills";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Drills } from "../Drills.js";
import { type BuiltApp, buildApp, cfnText } from "./harness.js";

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
}, 400_000);

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
function statements(): Statement[] {
  const policies = built.template(Drills).findResources("AWS::IAM::Policy");
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const withAction = (action: string) => statements().filter((s) => actionsOf(s).includes(action));

/** Each drill function's role (its construct id: `PollServiceRole…` → `Poll`) and its policy's statements. */
function rolePolicies(): { role: string; statements: Statement[] }[] {
  type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref?: string }[] } };
  return Object.values(
    built.template(Drills).findResources("AWS::IAM::Policy") as Record<string, Policy>,
  ).map((p) => ({
    role: String(p.Properties.Roles[0]?.Ref).replace(/ServiceRole.*$/, ""),
    statements: p.Properties.PolicyDocument.Statement,
  }));
}

type IamRequest = { action: string; resource: string; context: Record<string, string | string[]> };
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);
/** IAM's condition operators these policies use (an unknown one fails the test rather than pass silently). */
function conditionHolds(operator: string, key: string, expected: unknown, request: IamRequest): boolean {
  const wanted = [expected].flat().map(cfnText);
  const actual = request.context[key];
  const values = actual === undefined ? [] : [actual].flat();
  const present = actual !== undefined;
  switch (operator) {
    case "StringEquals":
      return present && values.some((v) => wanted.includes(v));
    case "StringNotEquals":
      return !present || values.every((v) => !wanted.includes(v));
    case "StringLike":
      return present && values.some((v) => wanted.some((w) => glob(w, v)));
    case "StringLikeIfExists":
      return !present || values.some((v) => wanted.some((w) => glob(w, v)));
    case "StringNotLike":
      return !present || values.every((v) => !wanted.some((w) => glob(w, v)));
    case "Null":
      return wanted[0] === "true" ? !present : present;
    case "ForAllValues:StringEquals":
      return values.every((v) => wanted.includes(v));
    default:
      throw new Error(`no evaluation of ${operator} in this test`);
  }
}
function applies(s: Statement, request: IamRequest): boolean {
  const resources = [s.Resource].flat().map(cfnText);
  return (
    actionsOf(s).some((a) => glob(a, request.action)) &&
    resources.some((r) => glob(r, request.resource)) &&
    Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, request)),
    )
  );
}
/** IAM's decision for one role's own statements: an explicit Deny wins, else an Allow, else denied. */
function decide(statements: Statement[], request: IamRequest): "Allow" | "Deny" {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === "Deny")) return "Deny";
  return matching.some((s) => s.Effect === "Allow") ? "Allow" : "Deny";
}

describe("Stack: Drills", () => {
  it("runs the restore drill as a Standard state machine with logging and X-Ray", () => {
    built.template(Drills).hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: true }),
    });
  });

  it("schedules the drill from drills.schedule and the sweeper at a fixed minute of every UTC hour", () => {
    const template = built.template(Drills);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: built.config.settings.drills.schedule ?? "",
    });
    // Not rate(1 hour), whose minute is the deploy's: the publishing run (hour % 6 == 0) lands in every 6 h
    // period of the no-passing-drill alarm, minutes from its edges.
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "cron(7 * * * ? *)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("^Sweeper"), "Arn"] } })],
    });
  });

  it("starts no drill for restore-testing jobs when the stage has no restore testing plan (the default)", () => {
    expect(built.config.settings.fleet).toMatchObject({ restoreTestingPlan: false });
    const rules = Object.values(built.template(Drills).findResources("AWS::Events::Rule")).map((r) =>
      JSON.stringify((r as { Properties: { EventPattern?: unknown } }).Properties.EventPattern ?? {}),
    );
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((pattern) => pattern.includes("aws.backup"))).toEqual([]);
  });

  it("alarms when no drill has passed for maxDaysWithoutPass days; a period without data keeps its state (a new stage does not start in ALARM)", () => {
    built.template(Drills).hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "clawops-test-no-passing-drill",
      MetricName: "DrillDaysSinceLastPass",
      Threshold: built.config.settings.drills.maxDaysWithoutPass,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Period: 6 * 3600,
      TreatMissingData: "ignore",
      AlarmDescription: Match.stringLikeRegexp("dead-letter"),
    });
  });

  it("lets Choose read its recovery point's CompletionDate (DescribeRecoveryPoint), on recovery points only", () => {
    const describe = rolePolicies().flatMap(({ role, statements }) =>
      statements
        .filter((s) => s.Effect === "Allow" && actionsOf(s).includes("backup:DescribeRecoveryPoint"))
        .map((s) => ({ role, resources: [s.Resource].flat().map(cfnText) })),
    );
    expect(describe.map((d) => d.role).sort()).toEqual(["Choose", "Plan"]);
    for (const { resources } of describe)
      expect(resources).toEqual([expect.stringMatching(/:backup:[^:]*:[^:]*:recovery-point:\*$/)]);
  });

  it("reads only this stage's sweeper metric: another stage of the same fleet name cannot hold it in ALARM", () => {
    const alarms = Object.values(built.template(Drills).findResources("AWS::CloudWatch::Alarm"));
    const dimensions = alarms.map((a) => a.Properties.Dimensions as { Name: string; Value: string }[]);
    expect(dimensions.map((d) => [...d].sort((a, b) => a.Name.localeCompare(b.Name)))).toEqual([
      [
        { Name: "Fleet", Value: "openclaw" },
        { Name: "service", Value: "drills-sweeper" },
        { Name: "Stage", Value: "test" },
      ],
    ]);
  });

  it("conditions every EFS delete, mount and mount target on this stage's drill tags and denies them on the fleet's file systems", () => {
    const allows = [
      "elasticfilesystem:DeleteFileSystem",
      "elasticfilesystem:DeleteMountTarget",
      "elasticfilesystem:DeleteAccessPoint",
      "elasticfilesystem:CreateMountTarget",
      "elasticfilesystem:ClientMount",
    ].flatMap((a) => withAction(a).filter((s) => s.Effect === "Allow"));
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows)
      expect(s.Condition?.StringEquals).toEqual({
        "aws:ResourceTag/clawops:created-by": "clawops-drill",
        "aws:ResourceTag/clawops:stage": "test",
      });
    const denies = withAction("elasticfilesystem:DeleteFileSystem").filter((s) => s.Effect === "Deny");
    expect(denies.length).toBeGreaterThan(0);
    expect(JSON.stringify(denies[0]?.Resource)).toContain("file-system/");
  });

  it("lets exactly the roles that delete mount targets delete their network interfaces, only in the fleet's VPC", () => {
    const policies = built.template(Drills).findResources("AWS::IAM::Policy");
    type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown[] } };
    const rolesAllowed = (action: string) =>
      Object.values(policies as Record<string, Policy>)
        .filter((p) =>
          p.Properties.PolicyDocument.Statement.some(
            (s) => s.Effect === "Allow" && actionsOf(s).includes(action),
          ),
        )
        .flatMap((p) => p.Properties.Roles.map((role) => JSON.stringify(role)))
        .sort();
    const deleters = rolesAllowed("elasticfilesystem:DeleteMountTarget");
    // Cleanup, the sweeper and the execution-ended cleanup.
    expect(deleters).toHaveLength(3);
    // DeleteMountTarget also deletes the mount target's ENI with the caller's ec2:DeleteNetworkInterface.
    expect(rolesAllowed("ec2:DeleteNetworkInterface")).toEqual(deleters);
    for (const s of withAction("ec2:DeleteNetworkInterface")) {
      expect(actionsOf(s)).toEqual(["ec2:DeleteNetworkInterface"]);
      expect(JSON.stringify(s.Resource)).toMatch(/:network-interface\/\*"/);
      expect(Object.keys(s.Condition?.ArnEquals ?? {})).toEqual(["ec2:Vpc"]);
      expect(JSON.stringify(s.Condition?.ArnEquals?.["ec2:Vpc"])).toContain(":vpc/");
    }
    // CreateMountTarget makes the ENI with the caller's permissions (EFS API reference).
    const creators = rolesAllowed("elasticfilesystem:CreateMountTarget");
    expect(creators).toHaveLength(1);
    for (const action of [
      "ec2:DescribeSubnets",
      "ec2:DescribeNetworkInterfaces",
      "ec2:CreateNetworkInterface",
    ])
      expect(rolesAllowed(action), action).toEqual(expect.arrayContaining(creators));
  });

  it("lets tagging put only this stage's drill tags, and never on what another stage's drill tagged", () => {
    const tagging = withAction("elasticfilesystem:TagResource");
    const allows = tagging.filter((x) => x.Effect === "Allow");
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      expect(s.Condition?.StringEquals).toMatchObject({
        "aws:RequestTag/clawops:created-by": "clawops-drill",
        "aws:RequestTag/clawops:stage": "test",
      });
      expect(s.Condition?.["ForAllValues:StringEquals"]).toEqual({
        "aws:TagKeys": ["clawops:drill-id", "clawops:created-by", "clawops:stage", "Name"],
      });
    }
    // Every role that may tag is denied tagging what another stage's drill tagged.
    const otherStage = {
      StringNotEquals: { "aws:ResourceTag/clawops:stage": "test" },
      Null: { "aws:ResourceTag/clawops:stage": "false" },
    };
    for (const s of tagging.filter((x) => x.Effect === "Deny" && x.Condition))
      expect(s.Condition).toEqual(otherStage);
    const tags = (s: Statement) => actionsOf(s).includes("elasticfilesystem:TagResource");
    const taggers = rolePolicies().filter((p) => p.statements.some((s) => s.Effect === "Allow" && tags(s)));
    expect(taggers.length).toBeGreaterThan(0);
    for (const p of taggers)
      expect(
        p.statements.some(
          (s) => s.Effect === "Deny" && tags(s) && isDeepStrictEqual(s.Condition, otherStage),
        ),
        p.role,
      ).toBe(true);
    for (const s of withAction("elasticfilesystem:CreateAccessPoint"))
      expect(s.Condition?.StringEquals).toEqual({
        "aws:ResourceTag/clawops:created-by": "clawops-drill",
        "aws:ResourceTag/clawops:stage": "test",
        "aws:RequestTag/clawops:created-by": "clawops-drill",
        "aws:RequestTag/clawops:stage": "test",
      });
  });

  it("lets no role put the drill tags on a file system that is visibly another's, nor on an existing access point", () => {
    // The roles that delete what carries the drill tags also tag: tagging must not make anything deletable.
    // This stack's EFS ARNs (its account and region as the policies name them).
    const anyFileSystem = withAction("elasticfilesystem:TagResource")
      .flatMap((s) => [s.Resource].flat().map(cfnText))
      .find((r) => r.endsWith(":file-system/*"));
    expect(anyFileSystem).toMatch(/^arn:aws:elasticfilesystem:/);
    const arn = (resource: string) => String(anyFileSystem).replace(/file-system\/\*$/, resource);
    const tagAs = (resource: string, existing: Record<string, string>, createAction?: string) => ({
      action: "elasticfilesystem:TagResource",
      resource: arn(resource),
      context: {
        ...Object.fromEntries(drillTags("drill-1", "test").map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
        "aws:TagKeys": drillTags("drill-1", "test").map((t) => t.Key),
        ...Object.fromEntries(Object.entries(existing).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
        ...(createAction ? { "elasticfilesystem:CreateAction": createAction } : {}),
      },
    });
    const allowedRoles = (request: IamRequest) =>
      rolePolicies()
        .filter((p) => decide(p.statements, request) === "Allow")
        .map((p) => p.role)
        .sort();
    const fileSystemTaggers = ["Cleanup", "ExecutionEnded", "Poll", "Sweeper"];
    // A drill's restore (no tag yet: StartRestoreJob copies none) and one a drill of this stage already tagged.
    expect(allowedRoles(tagAs("file-system/fs-0restored", {}))).toEqual(fileSystemTaggers);
    const tagged = Object.fromEntries(drillTags("drill-0", "test").map((t) => [t.Key, t.Value]));
    expect(allowedRoles(tagAs("file-system/fs-0tagged", tagged))).toEqual(fileSystemTaggers);
    // A restore-testing job's copy (validation mode), whatever tags of its source it carries.
    const restoreTest = { "awsbackup-restore-test": "plan", Name: "openclaw-workspace" };
    expect(allowedRoles(tagAs("file-system/fs-0restoretest", restoreTest))).toEqual(["Cleanup", "Poll"]);
    // Another team's file system (or, importing a fleet, the operator's others): named, or made by a stack.
    expect(allowedRoles(tagAs("file-system/fs-0named", { Name: "team-data" }))).toEqual([]);
    const stackMade = {
      "aws:cloudformation:stack-id": "arn:aws:cloudformation:us-east-1:123456789012:stack/x/1",
    };
    expect(allowedRoles(tagAs("file-system/fs-0stack", stackMade))).toEqual([]);
    // Access points: tagged only as Prepare creates one, never afterwards.
    expect(allowedRoles(tagAs("access-point/fsap-0new", {}, "CreateAccessPoint"))).toEqual(["Prepare"]);
    expect(allowedRoles(tagAs("access-point/fsap-0other", {}))).toEqual([]);
  });

  it("lets Plan and Choose read the soul manifest's history, of that one parameter only", () => {
    const history = rolePolicies().flatMap(({ role, statements }) =>
      statements
        .filter((s) => s.Effect === "Allow" && actionsOf(s).includes("ssm:GetParameterHistory"))
        .map((s) => ({ role, resources: [s.Resource].flat().map(cfnText) })),
    );
    expect(history.map((h) => h.role).sort()).toEqual(["Choose", "Plan"]);
    for (const { resources } of history)
      expect(resources).toEqual([
        expect.stringMatching(/:ssm:[^:]*:[^:]*:parameter\/clawops\/test\/soul-manifest$/),
      ]);
  });

  it("lets Plan claim a restore-testing job in the state table (put only, claim items only)", () => {
    const plan = rolePolicies().find((p) => p.role === "Plan");
    const dynamo = plan?.statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo?.flatMap(actionsOf)).toEqual(["dynamodb:PutItem"]);
    // Only items of the claims' partition: not the alert threads, the monitor's state or the drill records.
    expect(dynamo?.[0]?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["drill#restore-job"] },
    });
  });

  it("passes only the restore role, only to AWS Backup", () => {
    const passRole = withAction("iam:PassRole");
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.Condition).toEqual({
      StringEquals: { "iam:PassedToService": "backup.amazonaws.com" },
    });
    expect(JSON.stringify(passRole[0]?.Resource)).toContain("RestoreRole");
  });

  it("lets the verifier talk NFS only to the drill mount targets", () => {
    built.template(Drills).hasResourceProperties("AWS::EC2::SecurityGroupEgress", {
      IpProtocol: "tcp",
      FromPort: 2049,
      ToPort: 2049,
    });
    built.template(Drills).hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      IpProtocol: "tcp",
      FromPort: 2049,
      ToPort: 2049,
    });
  });

  it("deploys a verifier per fleet file system, names each in the drill settings, and lets the workflow invoke both", () => {
    const template = built.template(Drills);
    const verifiers = Object.entries(template.findResources("AWS::Lambda::Function")).filter(([, r]) =>
      String((r as { Properties: { Description?: string } }).Properties.Description).includes(
        "verifier of the",
      ),
    );
    expect(
      verifiers.map(([, r]) => (r as { Properties: { Description: string } }).Properties.Description),
    ).toEqual(
      expect.arrayContaining([expect.stringContaining("workspace"), expect.stringContaining("runtime")]),
    );
    expect(verifiers).toHaveLength(2);
    const invoke = withAction("lambda:InvokeFunction").map((s) => JSON.stringify(s.Resource));
    for (const [logicalId] of verifiers) expect(invoke.some((r) => r.includes(logicalId))).toBe(true);
    expect(JSON.stringify(template.toJSON())).toContain("perFileSystem");
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Drills)).toEqual([]);
  });
});
