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
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
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

let latencyMs = 0;
const wait = () =>
  latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, latencyMs)) : Promise.resolve();
/** Answers after the simulated API latency (benchmarks); immediately in tests. */
const later = <T>(value: T): Promise<T> => wait().then(() => value);
// biome-ignore lint/suspicious/noExplicitAny: the fake answers any command's input.
type AnyInput = any;
const delayed =
  <T>(fn: (input: AnyInput) => T) =>
  (input: AnyInput): Promise<unknown> =>
    wait().then(() => fn(input));

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
  /** Invocation status per instance at the n-th (1-based) ListCommandInvocations of its command (default Success). */
  probeStatus?: (instanceId: string, look: number) => string;
  openIngress?: boolean;
  /** DescribeSecurityGroups is denied: the network checks are `unknown`. */
  networkDenied?: boolean;
  /** The state table's `latest` record: the last run's statuses and each check's last known one. */
  latest?: { runId: string; statuses: Record<string, string>; known?: Record<string, string> };
  /** The health monitor stopped publishing: GetMetricData has no datapoint of the gateway metric. */
  monitorStopped?: boolean;
  /** GetMetricData is denied (the run's role lacks cloudwatch:GetMetricData). */
  metricDataDenied?: boolean;
  /** EventBridge answers PutEvents with every entry failed (FailedEntryCount), as when it throttles. */
  refuseEvents?: boolean;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${(0x1000 + i).toString(16)}`);

/** Answers every call a readiness run makes from the good-fleet fixture, for `fleet.instances` instances. */
export function installFakeAws(
  fleet: FakeFleet,
  options: { latencyMs?: number } = {},
): {
  events: () => { DetailType?: string; Detail?: string }[];
} {
  for (const m of Object.values(MOCKS)) m.reset();
  latencyMs = options.latencyMs ?? 0;
  const e = goodEvidence() as Evidence & Record<string, never>;
  const good = goodEvidence();
  const instanceIds = ids(fleet.instances);
  const asg = good.autoScalingGroup as Exclude<Evidence["autoScalingGroup"], null | { unavailable: string }>;
  MOCKS.autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake(() =>
    later({
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
    }),
  );
  MOCKS.autoscaling.on(DescribeScalingActivitiesCommand).callsFake(() => later({ Activities: [] }));
  MOCKS.autoscaling.on(DescribeLifecycleHooksCommand).callsFake(() =>
    later({
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
    }),
  );
  MOCKS.ec2.on(DescribeInstancesCommand).callsFake(() =>
    later({
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
    }),
  );
  MOCKS.ec2.on(DescribeVolumesCommand).callsFake(
    delayed((input: { Filters: { Values: string[] }[] }) => ({
      Volumes: input.Filters[0]!.Values.map((id) => ({ VolumeId: `vol-${id}`, Encrypted: true })),
    })),
  );
  MOCKS.ec2.on(DescribeLaunchTemplateVersionsCommand).callsFake(() =>
    later({
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
    }),
  );
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
  MOCKS.ec2.on(DescribeSecurityGroupsCommand).callsFake(
    delayed(() => {
      if (fleet.networkDenied)
        throw Object.assign(new Error("not authorized"), { name: "UnauthorizedOperation" });
      return {
        SecurityGroups: [
          {
            GroupId: "sg-0fleet",
            IpPermissions: fleet.openIngress
              ? [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]
              : [],
            IpPermissionsEgress: network.securityGroups[0]!.outbound.map(permission),
          },
        ],
      };
    }),
  );
  MOCKS.ec2.on(DescribeSubnetsCommand).callsFake(() =>
    later({
      Subnets: ["subnet-0a", "subnet-0b"].map((SubnetId) => ({
        SubnetId,
        VpcId: "vpc-0abc",
        MapPublicIpOnLaunch: false,
      })),
    }),
  );
  MOCKS.ec2.on(DescribeRouteTablesCommand).callsFake(() =>
    later({
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
    }),
  );
  MOCKS.ec2
    .on(DescribeVpcsCommand)
    .callsFake(() =>
      later({ Vpcs: [{ VpcId: "vpc-0abc", CidrBlockAssociationSet: [{ CidrBlock: "10.40.0.0/16" }] }] }),
    );
  MOCKS.ec2.on(DescribeManagedPrefixListsCommand).callsFake(() =>
    later({
      PrefixLists: [{ PrefixListId: "pl-63a5400a", PrefixListName: "com.amazonaws.us-east-1.s3" }],
    }),
  );
  const fileSystems = good.fileSystems as Exclude<Evidence["fileSystems"], { unavailable: string }>;
  MOCKS.efs.on(DescribeFileSystemsCommand).callsFake(
    delayed((input: { FileSystemId: string }) => ({
      FileSystems: [{ FileSystemId: input.FileSystemId, Encrypted: true, KmsKeyId: "key" }],
    })),
  );
  MOCKS.efs.on(DescribeFileSystemPolicyCommand).callsFake(
    delayed((input: { FileSystemId: string }) => {
      const policy = fileSystems.find((f) => f.fileSystemId === input.FileSystemId)?.policy;
      if (!policy) return Promise.reject(Object.assign(new Error("no policy"), { name: "PolicyNotFound" }));
      return Promise.resolve({ Policy: JSON.stringify(policy) });
    }),
  );
  const secrets = good.secrets as Exclude<Evidence["secrets"], { unavailable: string }>;
  MOCKS.secrets
    .on(ListSecretsCommand)
    .callsFake(() => later({ SecretList: secrets.map((s) => ({ ARN: s.arn, Name: s.name })) }));
  MOCKS.secrets.on(GetResourcePolicyCommand).callsFake(
    delayed((input: { SecretId: string }) => {
      const policy = secrets.find((s) => s.arn === input.SecretId)?.resourcePolicy;
      return policy ? { ResourcePolicy: JSON.stringify(policy) } : {};
    }),
  );
  const sims = good.simulations as Exclude<Evidence["simulations"], { unavailable: string }>;
  MOCKS.iam.on(SimulatePrincipalPolicyCommand).callsFake(
    delayed((input: { PolicySourceArn: string; ResourceArns: string[] }) => ({
      EvaluationResults: input.ResourceArns.map((arn) => ({
        EvalActionName: "secretsmanager:GetSecretValue",
        EvalResourceName: arn,
        EvalDecision:
          sims.find((s) => s.principalArn === input.PolicySourceArn && s.resourceArn === arn)?.decision ??
          "implicitDeny",
        MissingContextValues: [],
      })),
    })),
  );
  MOCKS.lambda.on(ListFunctionsCommand).callsFake(() =>
    later({
      Functions: [
        { FunctionName: "clawops-test-router", Environment: { Variables: { CLAWOPS_STAGE: "test" } } },
      ],
    }),
  );
  const alarm = (good.alarms as Exclude<Evidence["alarms"], { unavailable: string }>)[0]!;
  MOCKS.cloudwatch.on(DescribeAlarmsCommand).callsFake(() =>
    later({
      MetricAlarms: [
        {
          AlarmName: alarm.name,
          Namespace: "Clawops",
          MetricName: alarm.metricName,
          Dimensions: [{ Name: "Fleet", Value: "openclaw" }],
          ActionsEnabled: true,
          StateValue: "OK",
          TreatMissingData: "notBreaching",
        },
      ],
    }),
  );
  // The health monitor publishes every minute: the newest datapoint is the last whole minute.
  MOCKS.cloudwatch.on(GetMetricDataCommand).callsFake(
    delayed((input: { EndTime: Date; MetricDataQueries: { Id: string }[] }) => {
      if (fleet.metricDataDenied)
        throw Object.assign(new Error("not authorized to perform: cloudwatch:GetMetricData"), {
          name: "AccessDenied",
        });
      return {
        MetricDataResults: input.MetricDataQueries.map((q) => ({
          Id: q.Id,
          StatusCode: "Complete",
          Timestamps: fleet.monitorStopped
            ? []
            : [new Date(Math.floor(input.EndTime.getTime() / 60_000) * 60_000 - 60_000)],
          Values: fleet.monitorStopped ? [] : [1],
        })),
      };
    }),
  );
  MOCKS.logs.on(DescribeLogGroupsCommand).callsFake(
    delayed((input: { logGroupNamePrefix: string }) => ({
      logGroups: [{ logGroupName: input.logGroupNamePrefix, retentionInDays: 365, kmsKeyId: "key" }],
    })),
  );
  MOCKS.logs
    .on(FilterLogEventsCommand)
    .callsFake(() =>
      later({ events: [{ timestamp: Date.parse("2026-03-02T07:45:00Z"), message: "session" }] }),
    );
  const fsArn = (id: string) => `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${id}`;
  MOCKS.backup.on(GetBackupPlanCommand).callsFake(() =>
    later({
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
    }),
  );
  MOCKS.backup
    .on(ListBackupSelectionsCommand)
    .callsFake(() => later({ BackupSelectionsList: [{ SelectionId: "sel-1" }] }));
  MOCKS.backup.on(GetBackupSelectionCommand).callsFake(() =>
    later({
      BackupSelection: {
        SelectionName: "fs",
        IamRoleArn: "r",
        Resources: [fsArn("fs-0work"), fsArn("fs-0run")],
      },
    }),
  );
  MOCKS.backup
    .on(DescribeBackupVaultCommand)
    .callsFake(() => later({ BackupVaultName: "clawops-test-openclaw", EncryptionKeyArn: "key" }));
  MOCKS.backup.on(ListBackupJobsCommand).callsFake(() =>
    later({
      BackupJobs: ["fs-0work", "fs-0run"].map((id) => ({
        ResourceArn: fsArn(id),
        State: "COMPLETED",
        CreationDate: new Date("2026-03-02T05:00:00Z"),
        CompletionDate: new Date("2026-03-02T05:20:00Z"),
      })),
    }),
  );
  const [drill] = good.restoreDrills as Exclude<Evidence["restoreDrills"], { unavailable: string }>;
  const records: Record<string, Record<string, { S: string }>> = {
    drill: { verdict: { S: JSON.stringify({ ...drill, failed: false }) }, finishedAt: { S: drill!.at } },
    "drill#failure": { record: { S: JSON.stringify(good.failureDrill) } },
    evals: { report: { S: JSON.stringify((good.evals as { latest: unknown }).latest) } },
    "evals#scheduled": {
      report: { S: JSON.stringify((good.evals as { lastScheduled: unknown }).lastScheduled) },
    },
  };
  MOCKS.dynamo.on(QueryCommand).callsFake(
    delayed((input: { ExpressionAttributeValues: { ":pk": { S: string } } }) => {
      const item = records[input.ExpressionAttributeValues[":pk"].S];
      return { Items: item ? [item] : [] };
    }),
  );
  MOCKS.dynamo.on(GetItemCommand).callsFake(
    delayed(() =>
      fleet.latest
        ? {
            Item: {
              runId: { S: fleet.latest.runId },
              statuses: { S: JSON.stringify(fleet.latest.statuses) },
              ...(fleet.latest.known ? { known: { S: JSON.stringify(fleet.latest.known) } } : {}),
            },
          }
        : {},
    ),
  );
  MOCKS.dynamo.on(PutItemCommand).callsFake(
    delayed(
      (input: {
        Item: Record<string, { S?: string }>;
        ExpressionAttributeValues?: Record<string, { S?: string }>;
      }) => {
        const expected = input.ExpressionAttributeValues?.[":previous"]?.S;
        if (input.Item.sk?.S === "latest" && expected !== undefined && fleet.latest?.runId !== expected)
          throw Object.assign(new Error("The conditional request failed"), {
            name: "ConditionalCheckFailedException",
          });
        if (input.Item.sk?.S === "latest")
          fleet.latest = {
            runId: input.Item.runId!.S!,
            statuses: JSON.parse(input.Item.statuses!.S!) as Record<string, string>,
            ...(input.Item.known?.S
              ? { known: JSON.parse(input.Item.known.S) as Record<string, string> }
              : {}),
          };
        return {};
      },
    ),
  );
  MOCKS.ssm
    .on(GetParameterCommand)
    .callsFake(() => later({ Parameter: { Value: JSON.stringify({ files: good.manifest }) } }));
  let command = 0;
  const batches = new Map<string, string[]>();
  MOCKS.ssm.on(SendCommandCommand).callsFake(
    delayed((input: { InstanceIds: string[] }) => {
      const id = `cmd-${++command}`;
      batches.set(id, input.InstanceIds);
      return { Command: { CommandId: id } };
    }),
  );
  const output = fleet.probeOutput ?? (() => formatReadinessProbeOutput(probeResult()));
  const looks = new Map<string, number>();
  MOCKS.ssm.on(ListCommandInvocationsCommand).callsFake(
    delayed((input: { CommandId: string }) => {
      const look = (looks.get(input.CommandId) ?? 0) + 1;
      looks.set(input.CommandId, look);
      return {
        CommandInvocations: (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
          InstanceId,
          Status: fleet.probeStatus?.(InstanceId, look) ?? "Success",
          CommandPlugins: [{ Output: output(InstanceId) }],
        })),
      };
    }),
  );
  MOCKS.events.on(PutEventsCommand).callsFake(
    delayed((input: { Entries: unknown[] }) =>
      fleet.refuseEvents
        ? {
            FailedEntryCount: input.Entries.length,
            Entries: input.Entries.map(() => ({
              ErrorCode: "ThrottlingException",
              ErrorMessage: "Rate exceeded",
            })),
          }
        : { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i + 1}` })) },
    ),
  );
  void e;
  return {
    events: () =>
      MOCKS.events
        .calls()
        .flatMap((c) => (c.args[0].input as { Entries: { DetailType?: string; Detail?: string }[] }).Entries),
  };
}
