import {
  BackupClient,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupSelectionsCommand,
} from "@aws-sdk/client-backup";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  GetInstanceMetadataDefaultsCommand,
} from "@aws-sdk/client-ec2";
import { DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { describeInstances, describeLaunchTemplate } from "../gather-compute.js";
import { describeAlarms } from "../gather-monitoring.js";
import { describeNetwork } from "../gather-network.js";
import { describeBackup } from "../gather-storage.js";

const ec2 = mockClient(EC2Client);
const cloudwatch = mockClient(CloudWatchClient);
const backup = mockClient(BackupClient);
const efs = mockClient(EFSClient);
const NOW = new Date("2026-03-02T08:00:00Z");
const fsArn = (id: string) => `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${id}`;

beforeEach(() => {
  for (const m of [ec2, cloudwatch, backup, efs]) m.reset();
});

describe("Function: describeInstances", () => {
  it("finds an Elastic IP on a secondary network interface, which PublicIpAddress does not show", async () => {
    // Prepare: DescribeInstances' shape for an instance whose primary interface is private and whose second
    // interface (device index 1) carries an Elastic IP.
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-0abc",
              State: { Name: "running", Code: 16 },
              SubnetId: "subnet-0a",
              PrivateIpAddress: "10.40.1.10",
              NetworkInterfaces: [
                {
                  NetworkInterfaceId: "eni-0primary",
                  Attachment: { DeviceIndex: 0 },
                  PrivateIpAddress: "10.40.1.10",
                  PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: "10.40.1.10" }],
                  Ipv6Addresses: [],
                },
                {
                  NetworkInterfaceId: "eni-0second",
                  Attachment: { DeviceIndex: 1 },
                  PrivateIpAddress: "10.40.2.20",
                  Association: { PublicIp: "54.12.34.56", IpOwnerId: "123456789012" },
                  PrivateIpAddresses: [
                    {
                      Primary: true,
                      PrivateIpAddress: "10.40.2.20",
                      Association: { PublicIp: "54.12.34.56", IpOwnerId: "123456789012" },
                    },
                  ],
                  Ipv6Addresses: [],
                },
              ],
              MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
              BlockDeviceMappings: [],
            },
          ],
        },
      ],
    });
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });

    // Act
    const { instances } = await describeInstances("clawops-test-openclaw");

    // Assess
    expect(instances[0]?.publicIpv4).toBe("54.12.34.56");
  });
});

describe("Function: describeLaunchTemplate", () => {
  const group = {
    name: "clawops-test-openclaw",
    healthCheckType: "EC2",
    subnetIds: [],
    launchTemplateId: "lt-0abc",
    launchTemplateVersion: "3",
    instances: [],
    activities: [],
  };
  const template = (ebs: { Encrypted?: boolean }[]) =>
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          VersionNumber: 3,
          LaunchTemplateData: {
            BlockDeviceMappings: ebs.map((Ebs, i) => ({ DeviceName: `/dev/xvd${"ab"[i]}`, Ebs })),
          },
        },
      ],
    });

  it("reads EBS encryption by default when a device leaves Encrypted unset (the account's default decides)", async () => {
    template([{ Encrypted: true }, {}]);
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true, SseType: "sse-ebs" });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.ebsEncrypted).toEqual([true, undefined]);
    expect(evidence?.ebsEncryptionByDefault).toBe(true);
  });

  it("does not ask when every device says Encrypted", async () => {
    template([{ Encrypted: true }]);

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.ebsEncryptionByDefault).toBeUndefined();
    expect(ec2.commandCalls(GetEbsEncryptionByDefaultCommand)).toHaveLength(0);
  });

  it("keeps the template and marks the default unavailable when GetEbsEncryptionByDefault is denied", async () => {
    template([{}]);
    ec2.on(GetEbsEncryptionByDefaultCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.id).toBe("lt-0abc");
    expect(evidence?.ebsEncryptionByDefault).toEqual({
      unavailable: expect.stringContaining("ec2:GetEbsEncryptionByDefault: UnauthorizedOperation"),
    });
  });
});

describe("Function: describeLaunchTemplate on a template that leaves HttpTokens unset", () => {
  const group = {
    name: "clawops-test-openclaw",
    healthCheckType: "EC2",
    subnetIds: [],
    launchTemplateId: "lt-0abc",
    launchTemplateVersion: "3",
    instances: [],
    activities: [],
  };
  const template = (metadata: { HttpTokens?: "required" | "optional" }) =>
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        { VersionNumber: 3, LaunchTemplateData: { ImageId: "ami-0abc", MetadataOptions: metadata } },
      ],
    });

  it("reads the account's instance metadata default, and not the AMI when the account decides", async () => {
    template({});
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({
      AccountLevel: { HttpTokens: "required", HttpPutResponseHopLimit: 2, ManagedBy: "account" },
    });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.accountHttpTokens).toBe("required");
    expect(evidence?.imageImdsSupport).toBeUndefined();
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it("reads the AMI's ImdsSupport when the account has no default", async () => {
    template({});
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { ManagedBy: "account" } });
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: "ami-0abc", ImdsSupport: "v2.0" }] });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence).toMatchObject({
      imageId: "ami-0abc",
      accountHttpTokens: null,
      imageImdsSupport: "v2.0",
    });
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({ ImageIds: ["ami-0abc"] });
  });

  it("keeps the template and marks the account's default unavailable when the call is denied", async () => {
    template({});
    ec2.on(GetInstanceMetadataDefaultsCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.accountHttpTokens).toEqual({
      unavailable: expect.stringContaining("ec2:GetInstanceMetadataDefaults: UnauthorizedOperation"),
    });
  });

  it("asks nothing more when the template sets HttpTokens", async () => {
    template({ HttpTokens: "required" });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.httpTokens).toBe("required");
    expect(ec2.commandCalls(GetInstanceMetadataDefaultsCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});

describe("Function: describeNetwork", () => {
  it("gives the VPC's associated IPv6 blocks beside its IPv4 CIDRs", async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-0a", VpcId: "vpc-0abc" }] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        {
          VpcId: "vpc-0abc",
          CidrBlockAssociationSet: [{ CidrBlock: "10.40.0.0/16", CidrBlockState: { State: "associated" } }],
          Ipv6CidrBlockAssociationSet: [
            { Ipv6CidrBlock: "2600:1f18:4b2:5e00::/56", Ipv6CidrBlockState: { State: "associated" } },
            { Ipv6CidrBlock: "2600:1f18:4b2:7700::/56", Ipv6CidrBlockState: { State: "disassociated" } },
          ],
        },
      ],
    });

    const network = await describeNetwork(["sg-0fleet"], ["subnet-0a"]);

    expect(network.vpcCidrs).toEqual(["10.40.0.0/16"]);
    expect(network.vpcIpv6Cidrs).toEqual(["2600:1f18:4b2:5e00::/56"]);
  });
});

describe("Function: describeNetwork on route states", () => {
  it("keeps a route's blackhole state, so a deleted internet gateway's route is not counted as public", async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-0a", VpcId: "vpc-0abc" }] });
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          VpcId: "vpc-0abc",
          Associations: [{ SubnetId: "subnet-0a" }],
          Routes: [
            { DestinationCidrBlock: "10.40.0.0/16", GatewayId: "local", State: "active" },
            { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0gone", State: "blackhole" },
          ],
        },
      ],
    });
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-0abc" }] });

    const network = await describeNetwork(["sg-0fleet"], ["subnet-0a"]);

    expect(network.subnets[0]?.routeTargets).toEqual([
      { destination: "10.40.0.0/16", target: "local", state: "active" },
      { destination: "0.0.0.0/0", target: "igw-0gone", state: "blackhole" },
    ]);
  });
});

describe("Function: describeAlarms", () => {
  const alarm = {
    AlarmName: "clawops-test-unhealthy-gateways",
    Namespace: "Clawops",
    MetricName: "UnhealthyGateways",
    Dimensions: [
      { Name: "service", Value: "lifecycle-monitor" },
      { Name: "Fleet", Value: "openclaw" },
    ],
    ActionsEnabled: true,
    StateValue: "OK" as const,
    TreatMissingData: "notBreaching",
  };

  it.each([
    [
      "the newest datapoint",
      [new Date("2026-03-02T07:58:00Z"), new Date("2026-03-02T07:52:00Z")],
      "2026-03-02T07:58:00.000Z",
    ],
    ["null when the metric stopped arriving (the notBreaching alarm stays OK)", [], null],
  ] as const)("gives the gateway alarm %s", async (_what, timestamps, expected) => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm] });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "m0", StatusCode: "Complete", Timestamps: [...timestamps], Values: timestamps.map(() => 1) },
      ],
    });

    const [found] = await describeAlarms(NOW);

    expect(found?.latestDatapointAt).toEqual(expected);
    expect(found?.treatMissingData).toBe("notBreaching");
    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual(alarm.Dimensions);
    expect(query?.StartTime).toEqual(new Date("2026-03-02T07:45:00Z"));
  });

  it.each([
    ["an every-minute monitor's datapoint 40 minutes old: stale", 60, null],
    [
      "an hourly monitor's datapoint 40 minutes old: within its three periods",
      3600,
      "2026-03-02T07:20:00.000Z",
    ],
  ] as const)("judges %s", async (_what, period, expected) => {
    // The Lifecycle stack's alarm takes one period per monitor run (monitor.schedule up to rate(1 hour)).
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ ...alarm, Period: period }] });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "m0", StatusCode: "Complete", Timestamps: [new Date("2026-03-02T07:20:00Z")], Values: [0] },
      ],
    });

    const [found] = await describeAlarms(NOW);

    expect(found?.latestDatapointAt).toEqual(expected);
    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(period);
  });

  it("marks the metric's data unavailable, not absent, when GetMetricData is denied", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm] });
    cloudwatch.on(GetMetricDataCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: cloudwatch:GetMetricData"), {
        name: "AccessDenied",
      }),
    );

    const [found] = await describeAlarms(NOW);

    expect(found?.latestDatapointAt).toEqual({ unavailable: expect.stringContaining("AccessDenied") });
  });
});

describe("Function: describeBackup", () => {
  it("reads every page of the plan's selections with their exclusions and tag rules, and the tags they need", async () => {
    // Prepare: two pages of ListBackupSelections; the second holds the selection that excludes the workspace.
    backup.on(GetBackupPlanCommand).resolves({
      BackupPlan: { BackupPlanName: "openclaw-daily", Rules: [] },
    });
    backup
      .on(ListBackupSelectionsCommand, { BackupPlanId: "plan-1", NextToken: undefined })
      .resolves({
        BackupSelectionsList: [{ SelectionId: "sel-1", SelectionName: "runtime" }],
        NextToken: "p2",
      })
      .on(ListBackupSelectionsCommand, { BackupPlanId: "plan-1", NextToken: "p2" })
      .resolves({ BackupSelectionsList: [{ SelectionId: "sel-2", SelectionName: "all-efs" }] });
    backup.on(GetBackupSelectionCommand, { SelectionId: "sel-1" }).resolves({
      BackupSelection: { SelectionName: "runtime", IamRoleArn: "r", Resources: [fsArn("fs-0run")] },
    });
    backup.on(GetBackupSelectionCommand, { SelectionId: "sel-2" }).resolves({
      BackupSelection: {
        SelectionName: "all-efs",
        IamRoleArn: "r",
        Resources: ["arn:aws:elasticfilesystem:*:*:file-system/*"],
        NotResources: [fsArn("fs-0work")],
        Conditions: {
          StringEquals: [{ ConditionKey: "aws:ResourceTag/backup", ConditionValue: "daily" }],
          StringNotEquals: [],
          StringLike: [],
          StringNotLike: [],
        },
      },
    });
    efs.on(DescribeFileSystemsCommand).callsFake((input: { FileSystemId: string }) => ({
      FileSystems: [{ FileSystemId: input.FileSystemId, Tags: [{ Key: "backup", Value: "daily" }] }],
    }));
    backup.on(DescribeBackupVaultCommand).resolves({ BackupVaultName: "v", EncryptionKeyArn: "key" });
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });

    // Act
    const evidence = await describeBackup("plan-1", "v", NOW, ["fs-0work", "fs-0run"]);

    // Assess
    expect(evidence.selections.map((s) => s.name)).toEqual(["runtime", "all-efs"]);
    expect(evidence.selections[1]).toMatchObject({
      notResources: [fsArn("fs-0work")],
      conditions: [{ operator: "StringEquals", tagKey: "backup", value: "daily" }],
    });
    expect(evidence.fileSystemTags).toEqual({
      "fs-0work": { backup: "daily" },
      "fs-0run": { backup: "daily" },
    });
  });
});
