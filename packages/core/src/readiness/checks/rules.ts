import { ipv4CidrWithin, ipv6CidrWithin, isPrivateIpv4Cidr, isPublicIpv6Cidr } from "../cidr.js";
import type { IpRule, NetworkEvidence } from "../evidence.js";
import type { ReadinessSettings } from "../settings.js";

/** `tcp 443`, `all traffic`, `udp 1000-2000`. */
export function describePorts(rule: IpRule): string {
  if (rule.protocol === "-1") return "all traffic";
  const name = rule.protocol === "6" ? "tcp" : rule.protocol === "17" ? "udp" : rule.protocol;
  const range = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${name} ${range}`;
}

/** The sources/destinations of a rule, each as text. */
export function peersOf(rule: IpRule): string[] {
  return [...rule.cidrs, ...rule.ipv6Cidrs, ...rule.prefixListIds, ...rule.groupIds];
}

/**
 * True when the peer is outside the private address space (or a prefix list, which may hold anything). A range
 * inside one of the VPC's own IPv6 blocks (`vpcIpv6Cidrs`) is inside the VPC, though global unicast.
 */
export function isPublicPeer(peer: string, vpcIpv6Cidrs: readonly string[] = []): boolean {
  if (peer.startsWith("sg-")) return false;
  if (peer.startsWith("pl-")) return true;
  if (!peer.includes(":")) return !isPrivateIpv4Cidr(peer);
  return isPublicIpv6Cidr(peer) && !vpcIpv6Cidrs.some((vpc) => ipv6CidrWithin(peer, vpc));
}

/** True when the rule admits `port` over TCP. */
export function coversPort(rule: IpRule, port: number): boolean {
  if (rule.protocol === "-1") return true;
  if (rule.protocol !== "tcp" && rule.protocol !== "6") return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

const isTcpPort = (rule: IpRule, port: number) =>
  (rule.protocol === "tcp" || rule.protocol === "6") && rule.fromPort === port && rule.toPort === port;

/**
 * Why each destination of an egress rule is not approved: the whole internet never is; VPC-internal
 * destinations (the VPC's IPv4 and IPv6 CIDRs: endpoints, EFS; security groups) are; anything else must
 * match an allowlist entry on its port, or be an AWS gateway-endpoint prefix list (S3, DynamoDB) on 443.
 */
export function unapprovedEgress(
  rule: IpRule,
  network: NetworkEvidence,
  settings: ReadinessSettings,
): string[] {
  const problems: string[] = [];
  const label = describePorts(rule);
  const allowed = settings.egressAllowlist;
  for (const cidr of rule.cidrs) {
    if (cidr === "0.0.0.0/0") problems.push(`${label} to 0.0.0.0/0 (the whole internet)`);
    else if (network.vpcCidrs.some((vpc) => ipv4CidrWithin(cidr, vpc))) continue;
    else if (
      !allowed.some((a) => a.cidr !== undefined && ipv4CidrWithin(cidr, a.cidr) && isTcpPort(rule, a.port))
    )
      problems.push(`${label} to ${cidr} is not on the allowlist`);
  }
  for (const cidr of rule.ipv6Cidrs) {
    if (cidr === "::/0") problems.push(`${label} to ::/0 (the whole internet)`);
    // A VPC's IPv6 block is global unicast (public space), yet a rule to it stays inside the VPC.
    else if (network.vpcIpv6Cidrs.some((vpc) => ipv6CidrWithin(cidr, vpc))) continue;
    else if (!isPublicIpv6Cidr(cidr)) continue;
    else if (!allowed.some((a) => a.cidr === cidr && isTcpPort(rule, a.port)))
      problems.push(`${label} to ${cidr} is not on the allowlist`);
  }
  const gatewayList = new RegExp(`^com\\.amazonaws\\.${settings.region}\\.(s3|dynamodb)$`);
  for (const id of rule.prefixListIds) {
    const name = network.prefixLists.find((p) => p.id === id)?.name ?? "";
    if (allowed.some((a) => a.prefixListId === id && isTcpPort(rule, a.port))) continue;
    if (gatewayList.test(name) && isTcpPort(rule, 443)) continue;
    problems.push(`${label} to prefix list ${id}${name ? ` (${name})` : ""} is not on the allowlist`);
  }
  return problems;
}

/** True when the host (an IPv4 address) is inside an allowlisted CIDR. */
export function hostAllowlisted(host: string, settings: ReadinessSettings): boolean {
  return settings.egressAllowlist.some((a) => a.cidr !== undefined && ipv4CidrWithin(`${host}/32`, a.cidr));
}
