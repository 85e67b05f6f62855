import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import defaultConfig from "../../clawops.config.js";
import { Drills } from "../Drills.js";
import { Fleet } from "../Fleet.js";
import { type BuiltApp, buildApp } from "./harness.js";

// A stage of its own: SST keeps each function's build under .sst/artifacts/<construct address>, and the address
// includes the stack's name, so this file's synthesis cannot delete another file's working directories.
const STAGE = "drillsimport";
const PLAN_ARN =
  "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:acme_openclaw_weekly-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

const IMPORTED_FLEET = {
  mode: "import",
  autoScalingGroupName: "acme-openclaw",
  instanceRoleArn: "arn:aws:iam::123456789012:role/acme-openclaw-instance",
  vpcId: "vpc-0abc1234def567890",
  subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
  availabilityZones: ["us-east-1a", "us-east-1b"],
  securityGroupIds: ["sg-0123456789abcdef0"],
  workspaceFileSystemId: "fs-0aa11bb22cc33dd44",
  runtimeFileSystemId: "fs-0ee55ff66aa77bb88",
  workspaceAccessPointId: "fsap-0123456789abcdef0",
  runtimeAccessPointId: "fsap-0fedcba9876543210",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/openclaw-AbCdEf",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  backupVaultName: "acme-openclaw",
  backupPlanId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
  gatewayLogGroupName: "/acme/openclaw/gateway",
  sessionLogGroupName: "/acme/openclaw/sessions",
  manifestParameterName: "/acme/openclaw/soul-manifest",
  restoreTestingPlanArn: PLAN_ARN,
};

const importConfig = (fleet: Record<string, unknown>) => {
  const config = structuredClone(defaultConfig) as { defaults: Record<string, unknown>; stages?: unknown };
  config.defaults.fleet = fleet;
  config.stages = {};
  return config;
};

type Resource = { Properties: Record<string, unknown> };
const rulesOf = (app: BuiltApp) =>
  Object.values(app.template(Drills).findResources("AWS::Events::Rule")) as Resource[];
/** Every value list a pattern gives for `restoreTestingPlanArn`, at any depth (`$or` branches, `createdBy`). */
function planArnsIn(pattern: unknown): unknown[] {
  if (pattern === null || typeof pattern !== "object") return [];
  return Object.entries(pattern).flatMap(([key, value]) =>
    key === "restoreTestingPlanArn" ? [value] : planArnsIn(value),
  );
}

let imported: BuiltApp;
beforeAll(async () => {
  imported = await buildApp({ stage: STAGE, config: importConfig(IMPORTED_FLEET) });
}, 600_000); // a whole variant app (every stack, functions bundled): minutes on a shared 2-core machine

describe("Stack: Drills (imported fleet with its own restore testing plan)", () => {
  it("starts a validation drill only for completed jobs of exactly the configured restore testing plan", () => {
    const backupRules = rulesOf(imported).filter((r) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes("aws.backup"),
    );
    expect(backupRules).toHaveLength(1);
    const pattern = backupRules[0]!.Properties.EventPattern;
    expect(pattern).toMatchObject({ source: ["aws.backup"], "detail-type": ["Restore Job State Change"] });
    const planArns = planArnsIn(pattern);
    expect(planArns.length).toBeGreaterThan(0);
    for (const arns of planArns) expect(arns).toEqual([PLAN_ARN]);
    const [stateMachineId] = Object.keys(
      imported.template(Drills).findResources("AWS::StepFunctions::StateMachine"),
    );
    expect(backupRules[0]!.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { Ref: stateMachineId } }),
    ]);
  });

  it("keeps the scheduled drill from drills.schedule", () => {
    imported.template(Drills).hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: imported.config.settings.drills.schedule ?? "",
      Targets: [Match.objectLike({ Input: JSON.stringify({ keep: false }) })],
    });
  });

  it("validates the imported fleet's recovery points: its vault and file systems, recovery points of the account", () => {
    const plan = Object.values(imported.template(Drills).findResources("AWS::Lambda::Function")).find(
      (fn) => (fn as Resource).Properties.Description === `clawops ${STAGE} drills: plan`,
    ) as Resource | undefined;
    const env = plan?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    const settings = JSON.stringify(env?.Variables.CLAWOPS_SETTINGS ?? null);
    for (const name of ["acme-openclaw", "fs-0aa11bb22cc33dd44", "fs-0ee55ff66aa77bb88"])
      expect(settings).toContain(name);
    imported.template(Drills).hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "backup:DescribeRecoveryPoint",
            Effect: "Allow",
            Resource: {
              "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp(":recovery-point:\\*$")])],
            },
          }),
        ]),
      },
    });
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(imported.nagFindings(Drills)).toEqual([]);
    expect(imported.nagFindings(Fleet)).toEqual([]);
  });

  it.each([
    ["a plan's name instead of its ARN", "acme_openclaw_weekly", /expected a restore testing plan's ARN/],
    [
      "another service's ARN",
      "arn:aws:backup:us-east-1:123456789012:backup-plan:a1b2c3d4",
      /expected a restore testing plan's ARN/,
    ],
    [
      "a plan in another region",
      PLAN_ARN.replace("us-east-1", "eu-west-1"),
      /got a plan in eu-west-1, expected one in the app's region us-east-1/,
    ],
  ])(
    "refuses %s at synth, naming fleet.restoreTestingPlanArn",
    async (_, arn, message) => {
      const config = importConfig({ ...IMPORTED_FLEET, restoreTestingPlanArn: arn });
      const synth = buildApp({ stage: STAGE, config });
      await expect(synth).rejects.toThrow(/^fleet\.restoreTestingPlanArn: /);
      await expect(synth).rejects.toThrow(message);
    },
    120_000,
  );
});
