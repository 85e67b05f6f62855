import type { Template } from "aws-cdk-lib/assertions";

/** A CloudFormation resource as `Template.toJSON()` shows it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
}

/** Resources of a type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The logical id of the only resource of `type` whose properties contain `needle` (JSON-serialized). */
export function logicalIdOf(template: Template, type: string, needle: string): string {
  const ids = Object.entries(resourcesOf(template, type))
    .filter(([, resource]) => JSON.stringify(resource.Properties).includes(needle))
    .map(([id]) => id);
  if (ids.length !== 1)
    throw new Error(`expected one ${type} with ${needle}, found ${ids.join(", ") || "none"}`);
  return ids[0]!;
}

/** A security group rule reduced to what it allows: peer and port range. */
export interface RuleSummary {
  readonly peer: string;
  readonly ports: string;
}

const peerOf = (rule: Record<string, unknown>): string =>
  JSON.stringify(
    rule.CidrIp ??
      rule.CidrIpv6 ??
      rule.DestinationPrefixListId ??
      rule.DestinationSecurityGroupId ??
      rule.SourcePrefixListId ??
      rule.SourceSecurityGroupId,
  );

/** Every egress (or ingress) rule of a security group, inline and standalone, summarized and sorted. */
export function rulesOf(template: Template, groupId: string, direction: "Egress" | "Ingress"): RuleSummary[] {
  const group = resourcesOf(template, "AWS::EC2::SecurityGroup")[groupId]!;
  const inline = (group.Properties[`SecurityGroup${direction}`] ?? []) as Record<string, unknown>[];
  const standalone = Object.values(resourcesOf(template, `AWS::EC2::SecurityGroup${direction}`))
    .map((resource) => resource.Properties)
    .filter(
      (rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ "Fn::GetAtt": [groupId, "GroupId"] }),
    );
  return [...inline, ...standalone]
    .map((rule) => ({ peer: peerOf(rule), ports: `${rule.IpProtocol}:${rule.FromPort}-${rule.ToPort}` }))
    .sort((a, b) => (a.peer + a.ports).localeCompare(b.peer + b.ports));
}

/** `{ "Fn::GetAtt": [id, "GroupId"] }` as `peerOf` renders it. */
export const groupPeer = (id: string) => JSON.stringify({ "Fn::GetAtt": [id, "GroupId"] });
