import type { FleetDescription } from "@clawops/core/fleet";
import { Match } from "aws-cdk-lib/assertions";
import { use } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import defaultConfig from "../../clawops.config.js";
import { Fleet, type FleetResources } from "../Fleet.js";
import { Lifecycle } from "../Lifecycle.js";
import { Readiness } from "../Readiness.js";
import { type BuiltApp, buildApp } from "./harness.js";

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
  imageParameterName: "/acme/openclaw/ami",
};

const importConfig = (fleet: Record<string, unknown> = IMPORTED_FLEET) => {
  const config = structuredClone(defaultConfig) as { defaults: Record<string, unknown>; stages?: unknown };
  config.defaults.fleet = fleet;
  config.stages = {};
  return config;
};

/** Every key path of a description (arrays as one level), to compare the two modes' shapes. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keyPaths(inner, prefix ? `${prefix}.${key}` : key));
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

let imported: BuiltApp;
let importedFleet: FleetResources;
let referenceDescription: FleetDescription;
beforeAll(async () => {
  await buildApp({ live: true });
  referenceDescription = use(Fleet).description;
  imported = await buildApp({ config: importConfig() });
  importedFleet = use(Fleet);
  // Two whole apps (every stack, functions bundled) on a shared 2-core machine.
}, 240_000);

describe("Stack: Fleet (import)", () => {
  it("synthesizes offline and describes the fleet exactly as the config names it", () => {
    const d = importedFleet.description;
    expect(d.mode).toBe("import");
    expect(d.autoScalingGroupName).toBe("acme-openclaw");
    expect(d.instanceRoleArn).toBe(IMPORTED_FLEET.instanceRoleArn);
    expect(d.workspace).toEqual({
      fileSystemId: "fs-0aa11bb22cc33dd44",
      accessPointId: "fsap-0123456789abcdef0",
      mountPath: "/mnt/openclaw/workspace",
    });
    expect(d.secretArn).toBe(IMPORTED_FLEET.secretArn);
    expect(d.manifestParameterName).toBe("/acme/openclaw/soul-manifest");
    expect(d.gateway.port).toBe(18789);
  });

  it("gives the control plane the same description keys in both modes", () => {
    expect(keyPaths(importedFleet.description).sort()).toEqual(keyPaths(referenceDescription).sort());
  });

  it("hands out CDK objects that resolve to the configured ids and ARNs", () => {
    expect(importedFleet.asg.autoScalingGroupName).toBe("acme-openclaw");
    expect(importedFleet.instanceRole.roleArn).toBe(IMPORTED_FLEET.instanceRoleArn);
    expect(importedFleet.secret.secretArn).toBe(IMPORTED_FLEET.secretArn);
    expect(importedFleet.workspaceFileSystem.fileSystemId).toBe("fs-0aa11bb22cc33dd44");
    expect(importedFleet.runtimeAccessPoint.accessPointId).toBe("fsap-0fedcba9876543210");
    expect(importedFleet.vpc.privateSubnets.map((s) => s.subnetId)).toEqual(IMPORTED_FLEET.subnetIds);
    expect(importedFleet.securityGroup.securityGroupId).toBe("sg-0123456789abcdef0");
    expect(importedFleet.gatewayLogGroup.logGroupName).toBe("/acme/openclaw/gateway");
  });

  it("creates none of the fleet: no instances, network, file systems, secrets, keys, vaults or log groups", () => {
    const template = imported.template(Fleet);
    for (const type of [
      "AWS::AutoScaling::AutoScalingGroup",
      "AWS::EC2::VPC",
      "AWS::EFS::FileSystem",
      "AWS::SecretsManager::Secret",
      "AWS::Backup::BackupVault",
      "AWS::EC2::SecurityGroup",
      "AWS::KMS::Key",
      "AWS::Logs::LogGroup",
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  it("publishes the description for the CLI at /clawops/<stage>/fleet", () => {
    const template = imported.template(Fleet);
    const parameter = Object.values(template.findResources("AWS::SSM::Parameter")).find(
      (p) => p.Properties.Name === "/clawops/test/fleet",
    );
    expect(JSON.parse(parameter?.Properties.Value).autoScalingGroupName).toBe("acme-openclaw");
  });

  it("lets readiness read the fleet's own image parameter by its exact name, and no other account parameter", () => {
    const resources = Object.values(imported.template(Readiness).findResources("AWS::IAM::Policy"))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
            .Statement,
      )
      .filter((st) => st.Effect === "Allow" && [st.Action].flat().includes("ssm:GetParameter"))
      .flatMap((st) => [st.Resource].flat())
      .map((r) => JSON.stringify(r));
    const account = resources.filter((r) => !r.includes("::parameter/aws/service/"));
    expect(account).toHaveLength(2);
    expect(account.join(" ")).toContain(':parameter/acme/openclaw/ami"');
    expect(account.join(" ")).toContain(':parameter/acme/openclaw/soul-manifest"');
    expect(account.join(" ")).not.toMatch(/parameter\/\*/);
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(imported.nagFindings(Fleet)).toEqual([]);
  });

  it("refuses subnets that do not map onto the availability zones", async () => {
    const fleet = { ...IMPORTED_FLEET, subnetIds: ["subnet-0aaa1111bbbb2222c"] };
    await expect(buildApp({ config: importConfig(fleet) })).rejects.toThrow(/one subnet per zone/);
  }, 120_000);
});

// Every whole-app synthesis that differs from the default runs in this one file: SST writes function artifacts
// under .sst/artifacts, and two files synthesizing at once delete each other's working directories.
describe("Stack: Fleet (reference) — configured variants", () => {
  it("follows the config: hooks, restore testing plan, no NAT (isolated subnets), retention, monitor cadence", async () => {
    const config = structuredClone(defaultConfig) as { defaults: Record<string, unknown> };
    config.defaults.fleet = {
      mode: "reference",
      natGateways: 0,
      restoreTestingPlan: true,
      lifecycleHooks: { launchHeartbeatSeconds: 900, terminateDefaultResult: "ABANDON" },
    };
    config.defaults.logRetentionDays = 90;
    config.defaults.monitor = { schedule: "rate(5 minutes)" };
    const app = await buildApp({ config });
    const variant = app.template(Fleet);
    // A monitor run every 5 minutes gives the alarm one datapoint per 5-minute period: with 1-minute periods
    // every other period would be missing (not breaching), and two breaching periods in a row would never come.
    app.template(Lifecycle).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "UnhealthyGateways",
      Period: 300,
      EvaluationPeriods: 2,
    });

    variant.hasResourceProperties("AWS::AutoScaling::LifecycleHook", {
      DefaultResult: "ABANDON",
      HeartbeatTimeout: 900,
    });
    variant.hasResourceProperties("AWS::AutoScaling::LifecycleHook", {
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      DefaultResult: "ABANDON",
    });
    variant.resourceCountIs("AWS::EC2::NatGateway", 0);
    variant.resourceCountIs("AWS::EC2::InternetGateway", 0);
    variant.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: "/openclaw/test/openclaw/gateway",
      RetentionInDays: 90,
    });
    variant.hasResourceProperties("AWS::Backup::RestoreTestingPlan", {
      RestoreTestingPlanName: "clawops_test_openclaw",
      RecoveryPointSelection: Match.objectLike({ Algorithm: "LATEST_WITHIN_WINDOW" }),
    });
    variant.hasResourceProperties("AWS::Backup::RestoreTestingSelection", {
      ProtectedResourceType: "EFS",
      ProtectedResourceArns: [Match.anyValue(), Match.anyValue()],
    });
  }, 600_000); // synthesizes a whole variant app: minutes on a shared 2-core machine
});
