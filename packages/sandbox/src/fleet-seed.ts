import type { ResolvedConfig } from "@clawops/core/config";
import {
  type FleetDescription,
  fleetNames,
  gatewayEndpoint,
  RUNTIME_MOUNT,
  WORKSPACE_MOUNT,
} from "@clawops/core/fleet";
import { LAUNCHING, TERMINATING } from "./aws/autoscaling-engine.js";
import type { IpPermission } from "./aws/ec2.js";
import type { SimulatedAws } from "./aws/simulated-aws.js";

/** VPC endpoints of the reference fleet (private subnets reach AWS through them, not the internet). */
const ENDPOINT_SERVICES = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "logs",
  "secretsmanager",
  "elasticfilesystem",
] as const;

/**
 * Builds the simulated fleet's resources from the SAME settings the stacks get: `fleetNames` for names,
 * generated ids (vpc-, subnet-, sg-, lt-, fs-, ...) for what only a deployment knows, and the checklist's
 * security posture as data: IMDSv2 required, encrypted volumes, no ingress, egress only to the allowlist.
 * Creates the Auto Scaling group with its two hooks at `desired` instances; returns the fleet description.
 */
export function seedFleet(aws: SimulatedAws, config: ResolvedConfig, desired: number): FleetDescription {
  const { world, ec2 } = aws;
  const settings = config.settings;
  const fleet = settings.fleet;
  const names = fleetNames(config);
  const reference = fleet.mode === "reference" ? fleet : undefined;
  const vpcId = world.id("vpc");
  const azCount = reference?.maxAzs ?? 2;
  const zones = Array.from({ length: azCount }, (_, i) => `${world.region}${"abcdef"[i]}`);
  const subnets = zones.map((zone, i) => ({
    subnetId: world.id("subnet"),
    availabilityZone: zone,
    vpcId,
    cidr: `10.40.${i * 16}.0/20`,
  }));
  const securityGroupId = world.id("sg");
  const endpointGroupId = world.id("sg");
  const egress: IpPermission[] = settings.egressAllowlist.map((rule) => ({
    IpProtocol: "tcp",
    FromPort: rule.port,
    ToPort: rule.port,
    ...(rule.cidr?.includes(":") ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr, Description: rule.name }] } : {}),
    ...(rule.cidr && !rule.cidr.includes(":")
      ? { IpRanges: [{ CidrIp: rule.cidr, Description: rule.name }] }
      : {}),
    ...(rule.prefixListId
      ? { PrefixListIds: [{ PrefixListId: rule.prefixListId, Description: rule.name }] }
      : {}),
  }));
  egress.push({
    IpProtocol: "tcp",
    FromPort: 443,
    ToPort: 443,
    UserIdGroupPairs: [{ GroupId: endpointGroupId, Description: "VPC endpoints" }],
  });
  egress.push({
    IpProtocol: "tcp",
    FromPort: 2049,
    ToPort: 2049,
    IpRanges: [{ CidrIp: reference?.vpcCidr ?? "10.40.0.0/16", Description: "EFS" }],
  });

  ec2.vpcs.push({
    VpcId: vpcId,
    CidrBlock: reference?.vpcCidr ?? "10.40.0.0/16",
    State: "available",
    IsDefault: false,
  });
  for (const s of subnets) {
    ec2.subnets.push({
      SubnetId: s.subnetId,
      VpcId: vpcId,
      AvailabilityZone: s.availabilityZone,
      CidrBlock: s.cidr,
      MapPublicIpOnLaunch: false,
      AssignIpv6AddressOnCreation: false,
      State: "available",
    });
    ec2.routeTables.push({
      RouteTableId: world.id("rtb"),
      VpcId: vpcId,
      Associations: [{ SubnetId: s.subnetId, Main: false }],
      Routes: [
        { DestinationCidrBlock: reference?.vpcCidr ?? "10.40.0.0/16", GatewayId: "local", State: "active" },
        ...((reference?.natGateways ?? 1) > 0
          ? [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: world.id("nat"), State: "active" }]
          : []),
      ],
    });
  }
  for (const service of ENDPOINT_SERVICES) {
    ec2.vpcEndpoints.push({
      VpcEndpointId: world.id("vpce"),
      VpcEndpointType: "Interface",
      VpcId: vpcId,
      ServiceName: `com.amazonaws.${world.region}.${service}`,
      State: "available",
      PrivateDnsEnabled: true,
      SubnetIds: subnets.map((s) => s.subnetId),
      Groups: [{ GroupId: endpointGroupId }],
    });
  }
  ec2.securityGroups.push(
    {
      GroupId: securityGroupId,
      GroupName: `${names.autoScalingGroupName}-instances`,
      Description: "OpenClaw instances: no inbound, allowlisted outbound",
      VpcId: vpcId,
      OwnerId: world.account,
      IpPermissions: [],
      IpPermissionsEgress: egress,
    },
    {
      GroupId: endpointGroupId,
      GroupName: `${names.autoScalingGroupName}-endpoints`,
      Description: "VPC endpoints: HTTPS from the instances",
      VpcId: vpcId,
      OwnerId: world.account,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: securityGroupId }] },
      ],
      IpPermissionsEgress: [],
    },
  );

  const launchTemplate = { id: world.id("lt"), name: `${names.autoScalingGroupName}-template`, version: "1" };
  const instanceRoleArn = world
    .arn("iam", `role/${names.autoScalingGroupName}-instance`)
    .replace(`:${world.region}:`, "::");
  const kmsKeyArn = world.arn("kms", `key/${world.uuid("kms")}`);
  const imageId = world.id("ami");
  ec2.launchTemplates.push({
    template: {
      LaunchTemplateId: launchTemplate.id,
      LaunchTemplateName: launchTemplate.name,
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    },
    versions: [
      {
        LaunchTemplateId: launchTemplate.id,
        LaunchTemplateName: launchTemplate.name,
        VersionNumber: 1,
        DefaultVersion: true,
        LaunchTemplateData: {
          ImageId: imageId,
          InstanceType: reference?.instanceType ?? "t4g.small",
          MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            {
              DeviceName: "/dev/xvda",
              Ebs: { Encrypted: true, KmsKeyId: kmsKeyArn, VolumeSize: 20, VolumeType: "gp3" },
            },
          ],
          NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [securityGroupId] }],
          IamInstanceProfile: { Arn: instanceRoleArn.replace(":role/", ":instance-profile/") },
        },
      },
    ],
  });

  const hooks = reference?.lifecycleHooks ?? {
    launchHeartbeatSeconds: 600,
    terminateHeartbeatSeconds: 300,
    launchDefaultResult: "ABANDON" as const,
    terminateDefaultResult: "CONTINUE" as const,
  };
  aws.autoScaling.createGroup({
    name: names.autoScalingGroupName,
    min: Math.min(reference?.minSize ?? 0, desired),
    max: Math.max(reference?.maxSize ?? desired, desired),
    desired,
    healthCheckGracePeriod: reference?.healthCheckGracePeriodSeconds ?? 300,
    launch: {
      imageId,
      instanceType: reference?.instanceType ?? "t4g.small",
      securityGroupIds: [securityGroupId],
      subnets,
      launchTemplate,
      iamInstanceProfileArn: instanceRoleArn.replace(":role/", ":instance-profile/"),
    },
    hooks: [
      {
        LifecycleHookName: names.launchHookName,
        LifecycleTransition: LAUNCHING,
        HeartbeatTimeout: hooks.launchHeartbeatSeconds,
        DefaultResult: hooks.launchDefaultResult,
      },
      {
        LifecycleHookName: names.terminateHookName,
        LifecycleTransition: TERMINATING,
        HeartbeatTimeout: hooks.terminateHeartbeatSeconds,
        DefaultResult: hooks.terminateDefaultResult,
      },
    ],
  });

  const secretName = `${names.autoScalingGroupName}/credentials`;
  const create = aws.secrets.commands.CreateSecret;
  if (create)
    void create(
      {
        Name: secretName,
        SecretString: JSON.stringify({ modelApiKey: "sk-sandbox-not-a-secret" }),
        KmsKeyId: kmsKeyArn,
      },
      { service: "SecretsManager", command: "CreateSecret", input: {} },
    );
  const secret = aws.secrets.secrets.get(secretName);
  if (secret) {
    // Readable only by the instance role: deny everyone else (the resource policy a readiness check reads).
    secret.policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InstanceRoleOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": instanceRoleArn } },
        },
      ],
    });
  }
  const fs = (mountPath: string) => ({
    fileSystemId: world.id("fs"),
    accessPointId: world.id("fsap"),
    mountPath,
  });
  return {
    ...names,
    mode: fleet.mode,
    instanceRoleArn,
    vpcId,
    subnetIds: subnets.map((s) => s.subnetId),
    availabilityZones: zones,
    securityGroupIds: [securityGroupId],
    workspace: fs(WORKSPACE_MOUNT),
    runtime: fs(RUNTIME_MOUNT),
    secretArn: secret?.arn ?? "",
    kmsKeyArn,
    backupPlanId: world.uuid("backup-plan"),
    gateway: gatewayEndpoint(config),
  };
}
