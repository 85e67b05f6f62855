import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  BackupClient,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupSelectionsCommand,
} from "@aws-sdk/client-backup";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeFileSystemPolicyCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import {
  GetResourcePolicyCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  GetParameterCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { type Evidence, formatReadinessProbeOutput } from "@clawops/core/readiness";
import { mockClient } from "aws-sdk-client-mock";
import { goodEvidence, probeResult } from "../../../packages/core/tests/readiness/fixtures.js";

const MOCKS = {
  autoscaling: mockClient(AutoScalingClient),
  ec2: mockClient(EC2Client),
  efs: mockClient(EFSClient),
  secrets: mockClient(SecretsManagerClient),
  iam: mockClient(IAMClient),
  lambda: mockClient(LambdaClient),
  cloudwatch: mockClient(CloudWatchClient),
  logs: mockClient(CloudWatchLogsClient),
  backup: mockClient(BackupClient),
  dynamo: mockClient(DynamoDBClient),
  ssm: mockClient(SSMClient),
  events: mockClient(EventBridgeClient),
};

/** Every SDK call made since the last reset, as `Service.Command`. */
export function apiCalls(): string[] {
  return Object.values(MOCKS).flatMap((m) =>
    m
      .calls()
      .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, "")),
  );
}

export function resetCalls(): void {
  for (const m of Object.values(MOCKS)) m.resetHistory();
}

/** What the fake account holds; the tests flip parts of it. */
export interface FakeFleet {
  instances: number;
  /** Probe stdout per instance id (default: a healthy probe). */
  probeOutput?: (instanceId: string) => string;
  openIngress?: boolean;
  latest?: { runId: string; statuses: Record<string, string> };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${(0x1000 + i).toString(16)}`);

/** Answers every call a readiness run makes from the good-fleet fixture, for `fleet.instances` instances. */
export function installFakeAws(fleet: FakeFleet): {
  events: () => { DetailType?: string; Detail?: string }[];
} {
  for (const m of Object.values(MOCKS)) m.reset();
  const e = goodEvidence() as Evidence & Record<string, never>;
  const good = goodEvidence();
  const instanceIds = ids(fleet.instances);
  const asg = good.autoScalingGroup as Exclude<Evidence["autoScalingGroup"], null | { unavailable: string }>;
  MOCKS.autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: asg.name,
        HealthCheckType: "EC2",
        VPCZoneIdentifier: asg.subnetIds.join(","),
        LaunchTemplate: { LaunchTemplateId: "lt-0abc", Version: "3" },
        Instances: instanceIds.map((InstanceId) => ({
          InstanceId,
          LifecycleState: "InService",
          HealthStatus: "Healthy",
        })),
      } as never,
    ],
  });
  MOCKS.autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  MOCKS.autoscaling.on(DescribeLifecycleHooksCommand).resolves({
    LifecycleHooks: [
      {
        LifecycleHookName: "openclaw-launch-gate",
        LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout: 600,
        DefaultResult: "ABANDON",
      },
      {
        LifecycleHookName: "openclaw-terminate-drain",
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        HeartbeatTimeout: 300,
        DefaultResult: "CONTINUE",
      },
    ],
  });
  MOCKS.ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: instanceIds.map((InstanceId) => ({
          InstanceId,
          State: { Name: "running" },
          SubnetId: "subnet-0a",
          SecurityGroups: [{ GroupId: "sg-0fleet" }],
          MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
          BlockDeviceMappings: [{ Ebs: { VolumeId: `vol-${InstanceId}` } }],
          NetworkInterfaces: [],
        })) as never,
      },
    ],
  });
  MOCKS.ec2.on(DescribeVolumesCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
    Volumes: input.Filters[0]!.Values.map((id) => ({ VolumeId: `vol-${id}`, Encrypted: true })),
  }));
  MOCKS.ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [
      {
        VersionNumber: 3,
        LaunchTemplateData: {
          MetadataOptions: { HttpTokens: "required" },
          BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
          UserData: Buffer.from("#!/bin/bash\necho start").toString("base64"),
        },
      },
    ],
  });
  const network = good.network as Exclude<Evidence["network"], { unavailable: string }>;
  const permission = (r: (typeof network.securityGroups)[number]["outbound"][number]) => ({
    IpProtocol: r.protocol,
    FromPort: r.fromPort,
    ToPort: r.toPort,
    IpRanges: r.cidrs.map((CidrIp) => ({ CidrIp })),
    Ipv6Ranges: r.ipv6Cidrs.map((CidrIpv6) => ({ CidrIpv6 })),
    PrefixListIds: r.prefixListIds.map((PrefixListId) => ({ PrefixListId })),
    UserIdGroupPairs: r.groupIds.map((GroupId) => ({ GroupId })),
  });
  MOCKS.ec2.on(DescribeSecurityGroupsCommand).callsFake(() => ({
    SecurityGroups: [
      {
        GroupId: "sg-0fleet",
        IpPermissions: fleet.openIngress
          ? [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]
          : [],
        IpPermissionsEgress: network.securityGroups[0]!.outbound.map(permission),
      },
    ],
  }));
  MOCKS.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: ["subnet-0a", "subnet-0b"].map((SubnetId) => ({
      SubnetId,
      VpcId: "vpc-0abc",
      MapPublicIpOnLaunch: false,
    })),
  });
  MOCKS.ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        VpcId: "vpc-0abc",
        Associations: [{ SubnetId: "subnet-0a" }, { SubnetId: "subnet-0b" }],
        Routes: [
          { DestinationCidrBlock: "10.40.0.0/16", GatewayId: "local" },
          { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0abc" },
        ],
      },
    ],
  });
  MOCKS.ec2
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [{ VpcId: "vpc-0abc", CidrBlockAssociationSet: [{ CidrBlock: "10.40.0.0/16" }] }] });
  MOCKS.ec2.on(DescribeManagedPrefixListsCommand).resolves({
    PrefixLists: [{ PrefixListId: "pl-63a5400a", PrefixListName: "com.amazonaws.us-east-1.s3" }],
  });
  const fileSystems = good.fileSystems as Exclude<Evidence["fileSystems"], { unavailable: string }>;
  MOCKS.efs.on(DescribeFileSystemsCommand).callsFake((input: { FileSystemId: string }) => ({
    FileSystems: [{ FileSystemId: input.FileSystemId, Encrypted: true, KmsKeyId: "key" }],
  }));
  MOCKS.efs.on(DescribeFileSystemPolicyCommand).callsFake((input: { FileSystemId: string }) => {
    const policy = fileSystems.find((f) => f.fileSystemId === input.FileSystemId)?.policy;
    if (!policy) return Promise.reject(Object.assign(new Error("no policy"), { name: "PolicyNotFound" }));
    return Promise.resolve({ Policy: JSON.stringify(policy) });
  });
  const secrets = good.secrets as Exclude<Evidence["secrets"], { unavailable: string }>;
  MOCKS.secrets
    .on(ListSecretsCommand)
    .resolves({ SecretList: secrets.map((s) => ({ ARN: s.arn, Name: s.name })) });
  MOCKS.secrets.on(GetResourcePolicyCommand).callsFake((input: { SecretId: string }) => {
    const policy = secrets.find((s) => s.arn === input.SecretId)?.resourcePolicy;
    return policy ? { ResourcePolicy: JSON.stringify(policy) } : {};
  });
  const sims = good.simulations as Exclude<Evidence["simulations"], { unavailable: string }>;
  MOCKS.iam
    .on(SimulatePrincipalPolicyCommand)
    .callsFake((input: { PolicySourceArn: string; ResourceArns: string[] }) => ({
      EvaluationResults: input.ResourceArns.map((arn) => ({
        EvalActionName: "secretsmanager:GetSecretValue",
        EvalResourceName: arn,
        EvalDecision:
          sims.find((s) => s.principalArn === input.PolicySourceArn && s.resourceArn === arn)?.decision ??
          "implicitDeny",
        MissingContextValues: [],
      })),
    }));
  MOCKS.lambda.on(ListFunctionsCommand).resolves({
    Functions: [
      { FunctionName: "clawops-test-router", Environment: { Variables: { CLAWOPS_STAGE: "test" } } },
    ],
  });
  const alarm = (good.alarms as Exclude<Evidence["alarms"], { unavailable: string }>)[0]!;
  MOCKS.cloudwatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      {
        AlarmName: alarm.name,
        Namespace: "Clawops",
        MetricName: alarm.metricName,
        Dimensions: [{ Name: "Fleet", Value: "openclaw" }],
        ActionsEnabled: true,
        StateValue: "OK",
      },
    ],
  });
  MOCKS.logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix: string }) => ({
    logGroups: [{ logGroupName: input.logGroupNamePrefix, retentionInDays: 365, kmsKeyId: "key" }],
  }));
  MOCKS.logs
    .on(FilterLogEventsCommand)
    .resolves({ events: [{ timestamp: Date.parse("2026-03-02T07:45:00Z"), message: "session" }] });
  const fsArn = (id: string) => `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${id}`;
  MOCKS.backup.on(GetBackupPlanCommand).resolves({
    BackupPlan: {
      BackupPlanName: "openclaw-daily",
      Rules: [
        {
          RuleName: "daily",
          ScheduleExpression: "cron(0 5 ? * * *)",
          TargetBackupVaultName: "clawops-test-openclaw",
          Lifecycle: { DeleteAfterDays: 35 },
        },
      ],
    },
  });
  MOCKS.backup.on(ListBackupSelectionsCommand).resolves({ BackupSelectionsList: [{ SelectionId: "sel-1" }] });
  MOCKS.backup.on(GetBackupSelectionCommand).resolves({
    BackupSelection: {
      SelectionName: "fs",
      IamRoleArn: "r",
      Resources: [fsArn("fs-0work"), fsArn("fs-0run")],
    },
  });
  MOCKS.backup
    .on(DescribeBackupVaultCommand)
    .resolves({ BackupVaultName: "clawops-test-openclaw", EncryptionKeyArn: "key" });
  MOCKS.backup.on(ListBackupJobsCommand).resolves({
    BackupJobs: ["fs-0work", "fs-0run"].map((id) => ({
      ResourceArn: fsArn(id),
      State: "COMPLETED",
      CreationDate: new Date("2026-03-02T05:00:00Z"),
      CompletionDate: new Date("2026-03-02T05:20:00Z"),
    })),
  });
  const drill = good.restoreDrill as Exclude<Evidence["restoreDrill"], { unavailable: string }>;
  const records: Record<string, Record<string, { S: string }>> = {
    drill: { verdict: { S: JSON.stringify({ ...drill, failed: false }) }, finishedAt: { S: drill!.at } },
    "drill#failure": { record: { S: JSON.stringify(good.failureDrill) } },
    evals: { report: { S: JSON.stringify((good.evals as { latest: unknown }).latest) } },
    "evals#scheduled": {
      report: { S: JSON.stringify((good.evals as { lastScheduled: unknown }).lastScheduled) },
    },
  };
  MOCKS.dynamo
    .on(QueryCommand)
    .callsFake((input: { ExpressionAttributeValues: { ":pk": { S: string } } }) => {
      const item = records[input.ExpressionAttributeValues[":pk"].S];
      return { Items: item ? [item] : [] };
    });
  MOCKS.dynamo.on(GetItemCommand).callsFake(() =>
    fleet.latest
      ? {
          Item: {
            runId: { S: fleet.latest.runId },
            statuses: { S: JSON.stringify(fleet.latest.statuses) },
          },
        }
      : {},
  );
  MOCKS.dynamo.on(PutItemCommand).callsFake((input: { Item: Record<string, { S?: string }> }) => {
    if (input.Item.sk?.S === "latest")
      fleet.latest = {
        runId: input.Item.runId!.S!,
        statuses: JSON.parse(input.Item.statuses!.S!) as Record<string, string>,
      };
    return {};
  });
  MOCKS.ssm
    .on(GetParameterCommand)
    .resolves({ Parameter: { Value: JSON.stringify({ files: good.manifest }) } });
  let command = 0;
  const batches = new Map<string, string[]>();
  MOCKS.ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
    const id = `cmd-${++command}`;
    batches.set(id, input.InstanceIds);
    return { Command: { CommandId: id } };
  });
  const output = fleet.probeOutput ?? (() => formatReadinessProbeOutput(probeResult()));
  MOCKS.ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
    CommandInvocations: (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
      InstanceId,
      Status: "Success",
      CommandPlugins: [{ Output: output(InstanceId) }],
    })),
  }));
  MOCKS.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  void e;
  return {
    events: () =>
      MOCKS.events
        .calls()
        .flatMap((c) => (c.args[0].input as { Entries: { DetailType?: string; Detail?: string }[] }).Entries),
  };
}
