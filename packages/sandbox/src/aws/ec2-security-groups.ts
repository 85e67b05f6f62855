import { awsError } from "./simulator.js";

/** An `IpPermission` as EC2 takes and returns it. */
export interface IpPermission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
  PrefixListIds?: { PrefixListId: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId: string; Description?: string }[];
}

export interface SecurityGroup {
  GroupId: string;
  GroupName: string;
  Description: string;
  VpcId: string;
  OwnerId: string;
  IpPermissions: IpPermission[];
  IpPermissionsEgress: IpPermission[];
  Tags?: { Key: string; Value: string }[];
}

function samePermission(a: IpPermission, b: IpPermission): boolean {
  return a.IpProtocol === b.IpProtocol && a.FromPort === b.FromPort && a.ToPort === b.ToPort;
}

/** Adds or removes rules one source at a time, failing like EC2 on duplicates and on missing rules. */
export function editRules(
  group: SecurityGroup,
  key: "IpPermissions" | "IpPermissionsEgress",
  edits: IpPermission[],
  add: boolean,
): void {
  for (const edit of edits) {
    let rule = group[key].find((r) => samePermission(r, edit));
    if (!rule) {
      if (!add)
        throw awsError(
          "InvalidPermission.NotFound",
          "The specified rule does not exist in this security group.",
        );
      rule = {
        IpProtocol: edit.IpProtocol,
        FromPort: edit.FromPort,
        ToPort: edit.ToPort,
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      group[key].push(rule);
    }
    for (const list of ["IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"] as const) {
      const sourceKey = {
        IpRanges: "CidrIp",
        Ipv6Ranges: "CidrIpv6",
        PrefixListIds: "PrefixListId",
        UserIdGroupPairs: "GroupId",
      }[list];
      for (const source of (edit[list] ?? []) as Record<string, string>[]) {
        const existing = (rule[list] ?? []) as Record<string, string>[];
        const at = existing.findIndex((s) => s[sourceKey] === source[sourceKey]);
        if (add && at >= 0)
          throw awsError(
            "InvalidPermission.Duplicate",
            `the specified rule "peer: ${source[sourceKey]}, ${edit.IpProtocol}, from port: ${edit.FromPort}, to port: ${edit.ToPort}, ALLOW" already exists`,
          );
        if (!add && at < 0)
          throw awsError(
            "InvalidPermission.NotFound",
            "The specified rule does not exist in this security group.",
          );
        if (add) existing.push({ ...source });
        else existing.splice(at, 1);
        rule[list] = existing as never;
      }
    }
    const empty = ["IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"].every(
      (l) => !(rule[l as keyof IpPermission] as unknown[] | undefined)?.length,
    );
    if (empty) group[key].splice(group[key].indexOf(rule), 1);
  }
}
