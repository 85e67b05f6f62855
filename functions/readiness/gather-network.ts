import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type IpPermission,
  paginateDescribeManagedPrefixLists,
  paginateDescribeRouteTables,
  type RouteTable,
} from "@aws-sdk/client-ec2";
import { client } from "@clawops/core/aws";
import type { IpRule, NetworkEvidence } from "@clawops/core/readiness";

function rule(p: IpPermission): IpRule {
  return {
    protocol: p.IpProtocol ?? "-1",
    ...(p.FromPort !== undefined ? { fromPort: p.FromPort } : {}),
    ...(p.ToPort !== undefined ? { toPort: p.ToPort } : {}),
    cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp ?? "").filter(Boolean),
    ipv6Cidrs: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? "").filter(Boolean),
    prefixListIds: (p.PrefixListIds ?? []).map((r) => r.PrefixListId ?? "").filter(Boolean),
    groupIds: (p.UserIdGroupPairs ?? []).map((r) => r.GroupId ?? "").filter(Boolean),
  };
}

function tableOf(subnetId: string, vpcId: string, tables: readonly RouteTable[]): RouteTable | undefined {
  return (
    tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ??
    tables.find((t) => t.VpcId === vpcId && t.Associations?.some((a) => a.Main))
  );
}

/**
 * Security groups (fleet's and instances'), the group's subnets with their effective route tables, the VPC's
 * IPv4 and IPv6 CIDRs and the managed prefix lists: one call each (route tables and prefix lists paginated).
 */
export async function describeNetwork(
  securityGroupIds: readonly string[],
  subnetIds: readonly string[],
): Promise<NetworkEvidence> {
  const ec2 = client(EC2Client);
  const [{ SecurityGroups = [] }, { Subnets = [] }] = await Promise.all([
    ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...securityGroupIds] })),
    ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnetIds] })),
  ]);
  const vpcIds = [...new Set(Subnets.map((s) => s.VpcId ?? "").filter(Boolean))];
  const tables: RouteTable[] = [];
  if (vpcIds.length > 0)
    for await (const page of paginateDescribeRouteTables(
      { client: ec2 },
      { Filters: [{ Name: "vpc-id", Values: vpcIds }] },
    ))
      tables.push(...(page.RouteTables ?? []));
  const { Vpcs = [] } = vpcIds.length > 0 ? await ec2.send(new DescribeVpcsCommand({ VpcIds: vpcIds })) : {};
  const prefixLists: NetworkEvidence["prefixLists"][number][] = [];
  for await (const page of paginateDescribeManagedPrefixLists({ client: ec2 }, {}))
    for (const p of page.PrefixLists ?? [])
      prefixLists.push({ id: p.PrefixListId ?? "", name: p.PrefixListName ?? "" });
  return {
    vpcCidrs: Vpcs.flatMap((v) =>
      (v.CidrBlockAssociationSet ?? []).map((c) => c.CidrBlock ?? "").filter(Boolean),
    ),
    // A disassociated block stays listed for a while with its state: only an associated one is the VPC's.
    vpcIpv6Cidrs: Vpcs.flatMap((v) =>
      (v.Ipv6CidrBlockAssociationSet ?? [])
        .filter((c) => (c.Ipv6CidrBlockState?.State ?? "associated") === "associated")
        .map((c) => c.Ipv6CidrBlock ?? "")
        .filter(Boolean),
    ),
    securityGroups: SecurityGroups.map((g) => ({
      groupId: g.GroupId ?? "",
      inbound: (g.IpPermissions ?? []).map(rule),
      outbound: (g.IpPermissionsEgress ?? []).map(rule),
    })),
    subnets: Subnets.map((s) => ({
      subnetId: s.SubnetId ?? "",
      mapPublicIpOnLaunch: s.MapPublicIpOnLaunch === true,
      assignIpv6OnCreation: s.AssignIpv6AddressOnCreation === true,
      routeTargets: (tableOf(s.SubnetId ?? "", s.VpcId ?? "", tables)?.Routes ?? []).map((r) => ({
        destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "",
        target:
          r.GatewayId ??
          r.NatGatewayId ??
          r.EgressOnlyInternetGatewayId ??
          r.TransitGatewayId ??
          r.NetworkInterfaceId ??
          r.VpcPeeringConnectionId ??
          "",
        ...(r.State ? { state: r.State } : {}),
      })),
    })),
    prefixLists,
  };
}
