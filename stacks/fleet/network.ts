import { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as cr from "aws-cdk-lib/custom-resources";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";

/** One allowed outbound destination (from `settings.egressAllowlist`). */
export interface EgressDestination {
  readonly name: string;
  readonly cidr?: string | undefined;
  readonly prefixListId?: string | undefined;
  readonly port: number;
}

/** Props of `FleetNetwork`. */
export interface FleetNetworkProps {
  readonly cidr: string;
  readonly maxAzs: number;
  /** NAT gateways for the allowlisted internet egress; 0 leaves the instance subnets isolated. */
  readonly natGateways: number;
  readonly egressAllowlist: readonly EgressDestination[];
  /** Where the VPC's flow logs go (KMS-encrypted, set retention). */
  readonly flowLogGroup: logs.ILogGroup;
}

/** Name of the subnet group the instances, file systems and endpoints live in. */
export const FLEET_SUBNETS = "fleet";

/** The interface endpoints the fleet and clawops' probes use instead of the internet. */
const INTERFACE_ENDPOINTS = {
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Efs: ec2.InterfaceVpcEndpointAwsService.ELASTIC_FILESYSTEM,
} as const;

/** Construct id CDK gives the singleton Lambda behind every `AwsCustomResource` of a stack. */
const AWS_CUSTOM_RESOURCE_SINGLETON = "AWS679f53fac002430cb0da5b7982bd2287";

/** Security-group rule descriptions accept only these characters. */
const describeRule = (text: string) => text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "-");

/**
 * The fleet's network: private instance subnets (no route to an internet gateway; NAT only if configured), VPC
 * flow logs, interface endpoints for the AWS services and an S3 gateway endpoint, and the security groups:
 * instances (no inbound rule at all; egress only to the allowlist, the endpoints and EFS), endpoints, file
 * systems and the soul writer.
 */
export class FleetNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly instanceSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly fileSystemSecurityGroup: ec2.SecurityGroup;
  readonly writerSecurityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.SubnetSelection = { subnetGroupName: FLEET_SUBNETS };

  constructor(scope: Construct, id: string, props: FleetNetworkProps) {
    super(scope, id);
    const subnetConfiguration: ec2.SubnetConfiguration[] =
      props.natGateways > 0
        ? [
            { name: "nat", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
            { name: FLEET_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          ]
        : [{ name: FLEET_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }];
    this.vpc = new ec2.Vpc(this, "Vpc", {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.maxAzs,
      natGateways: props.natGateways,
      subnetConfiguration,
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(props.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    const group = (groupId: string, description: string) =>
      new ec2.SecurityGroup(this, groupId, { vpc: this.vpc, description, allowAllOutbound: false });
    this.instanceSecurityGroup = group(
      "InstanceSecurityGroup",
      "OpenClaw instances: no inbound rule; egress only to the allowlist, the VPC endpoints and EFS",
    );
    this.endpointSecurityGroup = group(
      "EndpointSecurityGroup",
      "VPC interface endpoints: HTTPS from the fleet",
    );
    this.fileSystemSecurityGroup = group("FileSystemSecurityGroup", "EFS mount targets: NFS from the fleet");
    this.writerSecurityGroup = group("WriterSecurityGroup", "Soul writer: NFS to the workspace only");

    for (const [endpointId, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: this.subnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
    this.vpc.addGatewayEndpoint("S3", {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.subnets],
    });
    this.instanceSecurityGroup.connections.allowTo(
      this.endpointSecurityGroup,
      ec2.Port.tcp(443),
      "AWS APIs through the VPC interface endpoints",
    );
    this.instanceSecurityGroup.addEgressRule(
      ec2.Peer.prefixList(this.s3PrefixListId()),
      ec2.Port.tcp(443),
      "S3 through the gateway endpoint (package repositories)",
    );
    for (const rule of props.egressAllowlist) {
      const peer = rule.prefixListId
        ? ec2.Peer.prefixList(rule.prefixListId)
        : rule.cidr!.includes(":")
          ? ec2.Peer.ipv6(rule.cidr!)
          : ec2.Peer.ipv4(rule.cidr!);
      this.instanceSecurityGroup.addEgressRule(
        peer,
        ec2.Port.tcp(rule.port),
        describeRule(`allowlist ${rule.name}`),
      );
    }
  }

  /**
   * The region's S3 prefix list id, which the instance security group needs to reach the gateway endpoint. It
   * differs per region and CloudFormation exposes it nowhere, so it is read at deploy time (never at synth time:
   * the app must synthesize offline).
   */
  private s3PrefixListId(): string {
    const region = Stack.of(this).region;
    const lookup = new cr.AwsCustomResource(this, "S3PrefixList", {
      onUpdate: {
        service: "EC2",
        action: "describePrefixLists",
        parameters: { Filters: [{ Name: "prefix-list-name", Values: [`com.amazonaws.${region}.s3`] }] },
        physicalResourceId: cr.PhysicalResourceId.of(`s3-prefix-list-${region}`),
        outputPaths: ["PrefixLists.0.PrefixListId"],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ["ec2:DescribePrefixLists"], resources: ["*"] }),
      ]),
      installLatestAwsSdk: false,
    });
    NagSuppressions.addResourceSuppressions(
      lookup,
      [
        {
          id: "AwsSolutions-IAM5",
          reason: "ec2:DescribePrefixLists is a read-only describe with no resource-level permissions.",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
    // The handler of every AwsCustomResource is one singleton function at the stack's root.
    const singleton = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
    if (singleton) {
      NagSuppressions.addResourceSuppressions(
        singleton,
        [
          {
            id: "AwsSolutions-IAM4",
            reason: "CDK's AwsCustomResource handler uses AWSLambdaBasicExecutionRole (logs only).",
          },
          { id: "AwsSolutions-L1", reason: "CDK's AwsCustomResource handler pins its own Node.js runtime." },
        ],
        true,
      );
    }
    return lookup.getResponseField("PrefixLists.0.PrefixListId");
  }
}
