import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  GetInstanceMetadataDefaultsCommand,
  paginateDescribeInstances,
  paginateDescribeVolumes,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import {
  type AutoScalingGroupEvidence,
  type Gathered,
  type InstanceEvidence,
  isUnavailable,
  type LaunchTemplateEvidence,
  type LifecycleHookEvidence,
} from "@clawops/core/readiness";
import { gathered } from "./safely.js";

/** The group, its instances, its last scaling activities: one call each (the group and hooks are one page). */
export async function describeGroup(name: string): Promise<AutoScalingGroupEvidence | null> {
  const autoscaling = client(AutoScalingClient);
  const { AutoScalingGroups = [] } = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const group = AutoScalingGroups[0];
  if (!group) return null;
  const { Activities = [] } = await autoscaling.send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 100 }),
  );
  const template =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return {
    name,
    healthCheckType: group.HealthCheckType ?? "EC2",
    subnetIds: (group.VPCZoneIdentifier ?? "").split(",").filter(Boolean),
    ...(template?.LaunchTemplateId ? { launchTemplateId: template.LaunchTemplateId } : {}),
    ...(template?.Version ? { launchTemplateVersion: template.Version } : {}),
    instances: (group.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? "",
      lifecycleState: i.LifecycleState ?? "",
      healthStatus: i.HealthStatus ?? "",
    })),
    activities: Activities.map((a) => ({
      description: a.Description ?? "",
      cause: a.Cause ?? "",
      statusCode: a.StatusCode ?? "",
      startTime: (a.StartTime ?? new Date(0)).toISOString(),
      ...(a.EndTime ? { endTime: a.EndTime.toISOString() } : {}),
    })),
  };
}

export async function describeHooks(name: string): Promise<LifecycleHookEvidence[]> {
  const { LifecycleHooks = [] } = await client(AutoScalingClient).send(
    new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name }),
  );
  return LifecycleHooks.map((h) => ({
    name: h.LifecycleHookName ?? "",
    transition: h.LifecycleTransition ?? "",
    ...(h.HeartbeatTimeout !== undefined ? { heartbeatTimeout: h.HeartbeatTimeout } : {}),
    ...(h.DefaultResult ? { defaultResult: h.DefaultResult } : {}),
  }));
}

/** The instances and the security groups they use. */
export interface DescribedInstances {
  readonly instances: InstanceEvidence[];
  readonly securityGroupIds: string[];
}

/**
 * The group's instances (paginated by the group tag, 1,000 a page) and their volumes (paginated, 200 instance
 * ids per filter): calls grow with pages, not instances.
 */
export async function describeInstances(group: string): Promise<DescribedInstances> {
  const ec2 = client(EC2Client);
  const instances: InstanceEvidence[] = [];
  const groups = new Set<string>();
  const volumeIds = new Map<string, string[]>();
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    {
      Filters: [
        { Name: "tag:aws:autoscaling:groupName", Values: [group] },
        { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
      ],
    },
  );
  for await (const page of pages)
    for (const reservation of page.Reservations ?? [])
      for (const i of reservation.Instances ?? []) {
        const id = i.InstanceId ?? "";
        for (const g of i.SecurityGroups ?? []) if (g.GroupId) groups.add(g.GroupId);
        // PublicIpAddress is the primary interface's only: an Elastic IP on a secondary interface or on a
        // secondary private address shows only in that interface's (or address's) Association.
        const publicIpv4 = [
          ...new Set(
            [
              i.PublicIpAddress,
              ...(i.NetworkInterfaces ?? []).flatMap((n) => [
                n.Association?.PublicIp,
                ...(n.PrivateIpAddresses ?? []).map((a) => a.Association?.PublicIp),
              ]),
            ].filter((ip): ip is string => Boolean(ip)),
          ),
        ].join(", ");
        volumeIds.set(id, (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId ?? "").filter(Boolean));
        instances.push({
          instanceId: id,
          state: i.State?.Name ?? "",
          ...(i.SubnetId ? { subnetId: i.SubnetId } : {}),
          ...(publicIpv4 ? { publicIpv4 } : {}),
          ipv6Addresses: (i.NetworkInterfaces ?? []).flatMap((n) =>
            (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address ?? ""),
          ),
          ...(i.MetadataOptions?.HttpTokens ? { httpTokens: i.MetadataOptions.HttpTokens } : {}),
          ...(i.MetadataOptions?.HttpEndpoint ? { httpEndpoint: i.MetadataOptions.HttpEndpoint } : {}),
          volumes: [],
        });
      }
  const encrypted = new Map<string, boolean | undefined>();
  const ids = instances.map((i) => i.instanceId);
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    const volumePages = paginateDescribeVolumes(
      { client: ec2, pageSize: 500 },
      { Filters: [{ Name: "attachment.instance-id", Values: chunk }] },
    );
    for await (const page of volumePages)
      for (const v of page.Volumes ?? []) encrypted.set(v.VolumeId ?? "", v.Encrypted);
  }
  return {
    instances: instances.map((i) => ({
      ...i,
      volumes: (volumeIds.get(i.instanceId) ?? []).map((volumeId) => ({
        volumeId,
        encrypted: encrypted.get(volumeId),
      })),
    })),
    securityGroupIds: [...groups],
  };
}

/** What decides HttpTokens for a template that does not set it `required`. */
type ImdsDefaults = Pick<
  LaunchTemplateEvidence,
  "accountHttpTokens" | "accountHttpTokensEnforced" | "resolvedImageId" | "imageImdsSupport"
>;

/** EC2's prefix for a launch template image that names an SSM parameter holding the AMI id. */
const RESOLVE_SSM = "resolve:ssm:";

/**
 * AWS's order of precedence after the template: the account's instance metadata default in the region, then
 * the AMI's ImdsSupport. The AMI is read only when the account has no default (it cannot override one). The
 * same call says whether the account enforces IMDSv2 at launch, which matters for a template that sets
 * HttpTokens `optional` too (EC2 then refuses its launches): that template asks nothing more.
 */
async function imdsDefaults(templateHttpTokens: string | undefined, imageId: string | undefined) {
  const defaults = await gathered("ec2:GetInstanceMetadataDefaults", async () => {
    const { AccountLevel } = await client(EC2Client).send(new GetInstanceMetadataDefaultsCommand({}));
    return {
      httpTokens: AccountLevel?.HttpTokens ?? null,
      enforced: AccountLevel?.HttpTokensEnforced === "enabled",
    };
  });
  const accountHttpTokensEnforced = isUnavailable(defaults) ? defaults : defaults.enforced;
  if (templateHttpTokens) return { accountHttpTokensEnforced } satisfies ImdsDefaults;
  const accountHttpTokens = isUnavailable(defaults) ? defaults : defaults.httpTokens;
  if (accountHttpTokens !== null)
    return { accountHttpTokens, accountHttpTokensEnforced } satisfies ImdsDefaults;
  if (imageId?.startsWith(RESOLVE_SSM)) {
    const resolvedImageId = await resolveImage(imageId);
    if (isUnavailable(resolvedImageId))
      return { accountHttpTokens, accountHttpTokensEnforced, resolvedImageId } satisfies ImdsDefaults;
    const imageImdsSupport = await imdsSupport(resolvedImageId);
    return {
      accountHttpTokens,
      accountHttpTokensEnforced,
      resolvedImageId,
      imageImdsSupport,
    } satisfies ImdsDefaults;
  }
  const imageImdsSupport: Gathered<string | null> = imageId?.startsWith("ami-")
    ? await imdsSupport(imageId)
    : { unavailable: `the template's image ${imageId ?? "(none)"} is not an AMI id` };
  return { accountHttpTokens, accountHttpTokensEnforced, imageImdsSupport } satisfies ImdsDefaults;
}

/** The AMI's ImdsSupport (`null` when it sets none). */
function imdsSupport(imageId: string): Promise<Gathered<string | null>> {
  return gathered("ec2:DescribeImages", async (): Promise<Gathered<string | null>> => {
    const { Images = [] } = await client(EC2Client).send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const image = Images.find((i) => i.ImageId === imageId);
    return image ? (image.ImdsSupport ?? null) : { unavailable: `ec2:DescribeImages: ${imageId} not found` };
  });
}

/**
 * The AMI id a `resolve:ssm:<parameter>` image stands for, read as EC2 reads it at launch: ssm:GetParameter
 * on everything after the prefix, which is a name or an ARN, optionally with `:version` or `:label` (the
 * selectors GetParameter itself takes). Unavailable when the parameter cannot be read or holds no AMI id.
 */
async function resolveImage(imageId: string): Promise<Gathered<string>> {
  const name = imageId.slice(RESOLVE_SSM.length);
  const resolved = await gathered(`ssm:GetParameter ${name}`, async (): Promise<Gathered<string>> => {
    const { Parameter } = await client(SSMClient).send(new GetParameterCommand({ Name: name }));
    const value = Parameter?.Value ?? "";
    return value.startsWith("ami-")
      ? value
      : { unavailable: `ssm:GetParameter ${name}: holds ${JSON.stringify(value)}, not an AMI id` };
  });
  // The role reads AWS's public parameters and only the one account parameter the config names.
  if (
    isUnavailable(resolved) &&
    /AccessDenied/.test(resolved.unavailable) &&
    !name.startsWith("/aws/service/")
  )
    return {
      unavailable: `${resolved.unavailable} (readiness reads an account parameter only as fleet.imageParameterName: set it to ${JSON.stringify(parameterNameOf(name))})`,
    };
  return resolved;
}

/** The parameter's name as `fleet.imageParameterName` takes it: without a `:version`/`:label` selector or an ARN. */
function parameterNameOf(reference: string): string {
  const name = reference.startsWith("arn:") ? `/${reference.split(":parameter/")[1] ?? ""}` : reference;
  return name.replace(/:[^:/]+$/, "");
}

/**
 * The group's launch template version: IMDS options, public IP association, EBS encryption, user data. When a
 * block device leaves `Encrypted` unset, the account's EBS encryption by default decides (one more call, only
 * then; its failure is kept as unavailable and the device is judged as unencrypted). When the template leaves
 * HttpTokens unset, the account's instance metadata default and then the AMI decide (one to three more calls,
 * only then: the defaults, the `resolve:ssm:` parameter, the image; a failure is kept as unavailable and the
 * check says it could not tell). A template that sets HttpTokens `optional` reads only the defaults, for the
 * account's IMDSv2 enforcement.
 */
export async function describeLaunchTemplate(
  group: AutoScalingGroupEvidence | null,
): Promise<LaunchTemplateEvidence | null> {
  if (!group?.launchTemplateId) return null;
  const { LaunchTemplateVersions = [] } = await client(EC2Client).send(
    new DescribeLaunchTemplateVersionsCommand({
      LaunchTemplateId: group.launchTemplateId,
      Versions: [group.launchTemplateVersion ?? "$Default"],
    }),
  );
  const version = LaunchTemplateVersions[0];
  const data = version?.LaunchTemplateData;
  if (!version || !data) return null;
  const ebsEncrypted = (data.BlockDeviceMappings ?? []).filter((b) => b.Ebs).map((b) => b.Ebs?.Encrypted);
  const ebsEncryptionByDefault = ebsEncrypted.includes(undefined)
    ? await gathered("ec2:GetEbsEncryptionByDefault", async () => {
        const { EbsEncryptionByDefault } = await client(EC2Client).send(
          new GetEbsEncryptionByDefaultCommand({}),
        );
        return EbsEncryptionByDefault === true;
      })
    : undefined;
  const httpTokens = data.MetadataOptions?.HttpTokens;
  const imds = httpTokens === "required" ? {} : await imdsDefaults(httpTokens, data.ImageId);
  return {
    id: group.launchTemplateId,
    version: String(version.VersionNumber ?? group.launchTemplateVersion ?? ""),
    ...(httpTokens ? { httpTokens } : {}),
    ...(data.ImageId ? { imageId: data.ImageId } : {}),
    ...imds,
    associatePublicIp: (data.NetworkInterfaces ?? []).some((n) => n.AssociatePublicIpAddress === true),
    ebsEncrypted,
    ...(ebsEncryptionByDefault !== undefined ? { ebsEncryptionByDefault } : {}),
    userData: data.UserData ? Buffer.from(data.UserData, "base64").toString("utf8") : "",
  };
}
