import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildManifest } from "@clawops/core/fleet";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Fleet } from "../Fleet.js";
import { groupPeer, logicalIdOf, resourcesOf, rulesOf } from "./fleet-template.js";
import { type BuiltApp, buildApp } from "./harness.js";

const SOUL_DIR = join(import.meta.dirname, "../../soul");

let built: BuiltApp;
let template: Template;
let instanceSg: string;
let instanceRole: string;
beforeAll(async () => {
  built = await buildApp();
  template = built.template(Fleet);
  instanceSg = logicalIdOf(template, "AWS::EC2::SecurityGroup", "OpenClaw instances");
  instanceRole = Object.keys(
    template.findResources("AWS::IAM::Role", {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: "ec2.amazonaws.com" } })],
        }),
      }),
    }),
  )[0]!;
});

const policyStatementsOf = (roleId: string) =>
  Object.values(resourcesOf(template, "AWS::IAM::Policy"))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );

describe("Stack: Fleet (reference) — infrastructure", () => {
  it("launches instances without a public IP, in subnets with no route to an internet gateway", () => {
    template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: false, DeviceIndex: 0 })],
      }),
    });
    const group = Object.values(resourcesOf(template, "AWS::AutoScaling::AutoScalingGroup"))[0]!;
    const subnets = (group.Properties.VPCZoneIdentifier as { Ref: string }[]).map((ref) => ref.Ref);
    expect(subnets).toHaveLength(2);
    const associations = Object.values(resourcesOf(template, "AWS::EC2::SubnetRouteTableAssociation"));
    const routes = Object.values(resourcesOf(template, "AWS::EC2::Route"));
    for (const subnet of subnets) {
      expect(resourcesOf(template, "AWS::EC2::Subnet")[subnet]!.Properties.MapPublicIpOnLaunch).toBe(false);
      const table = associations.find((a) => JSON.stringify(a.Properties.SubnetId).includes(subnet))!
        .Properties.RouteTableId as { Ref: string };
      const tableRoutes = routes.filter(
        (r) => JSON.stringify(r.Properties.RouteTableId) === JSON.stringify(table),
      );
      expect(tableRoutes.length).toBeGreaterThan(0);
      for (const route of tableRoutes) {
        expect(route.Properties.GatewayId).toBeUndefined();
        expect(route.Properties.NatGatewayId).toBeDefined();
      }
    }
  });

  it("requires IMDSv2 with a hop limit of 1 and encrypts gp3 volumes", () => {
    template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpEndpoint: "enabled", HttpTokens: "required", HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true, VolumeType: "gp3" }) }),
        ],
        InstanceType: "t4g.small",
      }),
    });
  });

  it("has no inbound rule at all on the instances' security group", () => {
    expect(rulesOf(template, instanceSg, "Ingress")).toEqual([]);
  });

  it("allows egress only to the allowlist, the VPC endpoints (443), S3's prefix list (443) and EFS (2049)", () => {
    const endpoints = logicalIdOf(template, "AWS::EC2::SecurityGroup", "VPC interface endpoints");
    const fileSystems = logicalIdOf(template, "AWS::EC2::SecurityGroup", "EFS mount targets");
    const prefixList = logicalIdOf(template, "Custom::AWS", "describePrefixLists");
    const expected = [
      { peer: JSON.stringify("160.79.104.0/23"), ports: "tcp:443-443" },
      { peer: groupPeer(endpoints), ports: "tcp:443-443" },
      { peer: groupPeer(fileSystems), ports: "tcp:2049-2049" },
      {
        peer: JSON.stringify({ "Fn::GetAtt": [prefixList, "PrefixLists.0.PrefixListId"] }),
        ports: "tcp:443-443",
      },
    ].sort((a, b) => (a.peer + a.ports).localeCompare(b.peer + b.ports));
    expect(rulesOf(template, instanceSg, "Egress")).toEqual(expected);
  });

  it("reaches every AWS service the fleet and the probes use through VPC endpoints", () => {
    const services = Object.values(resourcesOf(template, "AWS::EC2::VPCEndpoint")).map(
      (endpoint) => JSON.stringify(endpoint.Properties.ServiceName).match(/\.([a-z0-9]+)"[\]}]*$/)?.[1],
    );
    expect(services.sort()).toEqual(
      [
        "ec2messages",
        "elasticfilesystem",
        "logs",
        "monitoring",
        "s3",
        "secretsmanager",
        "ssm",
        "ssmmessages",
      ].sort(),
    );
    template.hasResourceProperties("AWS::EC2::VPCEndpoint", { VpcEndpointType: "Gateway" });
  });

  it("records VPC flow logs to a KMS-encrypted log group", () => {
    template.hasResourceProperties("AWS::EC2::FlowLog", {
      TrafficType: "ALL",
      LogDestinationType: "cloud-watch-logs",
    });
  });

  it("puts launch and terminate hooks on the group with explicit default results and heartbeat timeouts", () => {
    template.hasResourceProperties("AWS::AutoScaling::LifecycleHook", {
      LifecycleHookName: "openclaw-launch-gate",
      LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      DefaultResult: "ABANDON",
      HeartbeatTimeout: 600,
    });
    template.hasResourceProperties("AWS::AutoScaling::LifecycleHook", {
      LifecycleHookName: "openclaw-terminate-drain",
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      DefaultResult: "CONTINUE",
      HeartbeatTimeout: 300,
    });
  });

  it("names the group from the config and keeps capacity during deploys (one new instance at a time)", () => {
    template.hasResource("AWS::AutoScaling::AutoScalingGroup", {
      Properties: Match.objectLike({
        AutoScalingGroupName: "clawops-test-openclaw",
        MinSize: "2",
        DesiredCapacity: "2",
        MaxSize: "4",
        HealthCheckGracePeriod: 300,
      }),
      UpdatePolicy: Match.objectLike({
        AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 1, MinInstancesInService: 2 }),
      }),
    });
  });
});

describe("Stack: Fleet (reference) — gateway boot script", () => {
  /** The boot script with CloudFormation references shown as <ref>. */
  const userData = () => {
    const launchData = Object.values(resourcesOf(template, "AWS::EC2::LaunchTemplate"))[0]!.Properties
      .LaunchTemplateData as { UserData: { "Fn::Base64": { "Fn::Join": [string, unknown[]] } } };
    return launchData.UserData["Fn::Base64"]["Fn::Join"][1]
      .map((part) => (typeof part === "string" ? part : "<ref>"))
      .join("");
  };

  it("mounts the workspace read-only and the runtime read-write, both over TLS with IAM through access points", () => {
    expect(userData()).toContain("/mnt/openclaw/workspace efs _netdev,noresvport,tls,iam,ro,accesspoint=");
    expect(userData()).toContain("/mnt/openclaw/runtime efs _netdev,noresvport,tls,iam,rw,accesspoint=");
  });

  it("binds the gateway to loopback on the configured port and keeps the secret out of files", () => {
    expect(userData()).toContain("openclaw gateway --bind loopback --port 18789");
    expect(userData()).toMatch(/secret=\$\(aws secretsmanager get-secret-value/);
    const secretLines = userData()
      .split("\n")
      .filter((line) => /secret/i.test(line) && !line.startsWith("Description="));
    expect(secretLines.length).toBeGreaterThan(0);
    for (const line of secretLines) expect(line.replace(/<<</g, "")).not.toMatch(/>\s*[/~$]/);
  });
});

describe("Stack: Fleet (reference) — storage, credentials, IAM", () => {
  it("encrypts both file systems with the fleet's KMS key", () => {
    const fileSystems = Object.values(resourcesOf(template, "AWS::EFS::FileSystem"));
    const [key] = Object.keys(resourcesOf(template, "AWS::KMS::Key"));
    expect(fileSystems).toHaveLength(2);
    for (const fs of fileSystems) {
      expect(fs.Properties.Encrypted).toBe(true);
      expect(fs.Properties.KmsKeyId).toEqual({ "Fn::GetAtt": [key, "Arn"] });
    }
  });

  it("denies ClientWrite on the workspace to the instance role and requires TLS on both file systems", () => {
    const workspace = logicalIdOf(template, "AWS::EFS::FileSystem", "-workspace");
    const runtime = logicalIdOf(template, "AWS::EFS::FileSystem", "-runtime");
    const policyOf = (id: string) =>
      (
        resourcesOf(template, "AWS::EFS::FileSystem")[id]!.Properties.FileSystemPolicy as {
          Statement: Record<string, unknown>[];
        }
      ).Statement;
    const tls = expect.objectContaining({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(policyOf(workspace)).toContainEqual(tls);
    expect(policyOf(runtime)).toContainEqual(tls);
    expect(policyOf(workspace)).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Principal: { AWS: { "Fn::GetAtt": [instanceRole, "Arn"] } },
        Action: expect.arrayContaining(["elasticfilesystem:ClientWrite"]),
      }),
    );
    for (const statement of [...policyOf(workspace), ...policyOf(runtime)])
      expect(statement.Effect).toBe("Deny");
  });

  it("lets the instance role read exactly one secret: its own, by ARN", () => {
    const secret = Object.keys(resourcesOf(template, "AWS::SecretsManager::Secret"));
    expect(secret).toHaveLength(1);
    const reads = policyStatementsOf(instanceRole).filter((s) =>
      JSON.stringify(s.Action).includes("secretsmanager:GetSecretValue"),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]!.Resource).toEqual({ Ref: secret[0] });
    template.hasResourceProperties("AWS::SecretsManager::ResourcePolicy", {
      ResourcePolicy: Match.objectLike({
        Statement: [
          Match.objectLike({
            Effect: "Deny",
            Action: "secretsmanager:GetSecretValue",
            Condition: { StringNotEquals: { "aws:PrincipalArn": { "Fn::GetAtt": [instanceRole, "Arn"] } } },
          }),
        ],
      }),
    });
  });

  it("lets the instances write only the runtime file system, through its access point", () => {
    const runtime = logicalIdOf(template, "AWS::EFS::FileSystem", "-runtime");
    const writes = policyStatementsOf(instanceRole).filter((s) =>
      JSON.stringify(s.Action).includes("ClientWrite"),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]!.Resource).toEqual({ "Fn::GetAtt": [runtime, "Arn"] });
    expect(JSON.stringify(writes[0]!.Condition)).toContain("RuntimeAccessPoint");
  });

  it("lets the instances write only their own two log groups", () => {
    const logWrites = policyStatementsOf(instanceRole).filter((s) =>
      JSON.stringify(s.Action).includes("logs:"),
    );
    const groups = logWrites.map((s) => JSON.stringify(s.Resource)).sort();
    expect(groups).toEqual(
      [
        JSON.stringify({ "Fn::GetAtt": [logicalIdOf(template, "AWS::Logs::LogGroup", "/gateway"), "Arn"] }),
        JSON.stringify({ "Fn::GetAtt": [logicalIdOf(template, "AWS::Logs::LogGroup", "/sessions"), "Arn"] }),
      ].sort(),
    );
  });

  it("keeps gateway and session logs for the configured retention, KMS-encrypted", () => {
    for (const name of ["/openclaw/test/openclaw/gateway", "/openclaw/test/openclaw/sessions"]) {
      template.hasResourceProperties("AWS::Logs::LogGroup", {
        LogGroupName: name,
        RetentionInDays: built.config.settings.logRetentionDays,
        KmsKeyId: Match.anyValue(),
      });
    }
  });
});

describe("Stack: Fleet (reference) — soul documents and backup", () => {
  it("deploys every soul document of the repository through the custom resource", () => {
    const resource = Object.values(resourcesOf(template, "Custom::SoulDocuments"))[0]!;
    const documents = resource.Properties.Documents as Record<string, string>;
    expect(Object.keys(documents).sort()).toEqual([
      "AGENTS.md",
      "IDENTITY.md",
      "SOUL.md",
      "TOOLS.md",
      "USER.md",
    ]);
    expect(Buffer.from(documents["SOUL.md"]!, "base64").toString()).toBe(
      readFileSync(join(SOUL_DIR, "SOUL.md"), "utf8"),
    );
  });

  it("stores the synth-time SHA-256 manifest in the parameter the description names, after the documents", () => {
    const parameter = logicalIdOf(template, "AWS::SSM::Parameter", '"Name":"/clawops/test/soul-manifest"');
    const properties = resourcesOf(template, "AWS::SSM::Parameter")[parameter]!;
    expect(JSON.parse(properties.Properties.Value as string)).toEqual(buildManifest(SOUL_DIR));
    expect(properties.DependsOn).toContain(Object.keys(resourcesOf(template, "Custom::SoulDocuments"))[0]);
  });

  it("mounts the workspace access point in the soul writer, inside the VPC", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      FileSystemConfigs: [Match.objectLike({ LocalMountPath: "/mnt/workspace" })],
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue() }),
    });
  });

  it("backs up both file systems daily into a KMS-encrypted vault with the configured retention", () => {
    template.hasResourceProperties("AWS::Backup::BackupVault", {
      BackupVaultName: "clawops-test-openclaw",
      EncryptionKeyArn: Match.anyValue(),
    });
    template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [
          Match.objectLike({ ScheduleExpression: "cron(0 5 * * ? *)", Lifecycle: { DeleteAfterDays: 35 } }),
        ],
      }),
    });
    const selection = JSON.stringify(Object.values(resourcesOf(template, "AWS::Backup::BackupSelection"))[0]);
    for (const fs of Object.keys(resourcesOf(template, "AWS::EFS::FileSystem")))
      expect(selection).toContain(`"${fs}"`);
  });

  it("creates no restore testing plan unless asked", () => {
    template.resourceCountIs("AWS::Backup::RestoreTestingPlan", 0);
  });

  it("passes cdk-nag AwsSolutions with no unsuppressed finding", () => {
    expect(built.nagFindings(Fleet)).toEqual([]);
  });
});
