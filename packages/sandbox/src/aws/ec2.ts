import { editRules, type IpPermission, type SecurityGroup } from "./ec2-security-groups.js";
import { ec2VolumeCommands, rootVolumeId } from "./ec2-volumes.js";
import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import { InstanceStateCode, type SandboxWorld, type SimInstance } from "./world.js";

type Input = Record<string, unknown>;

/**
 * EC2 resources kept as plain data in AWS's own shapes (subnets, route tables, VPC endpoints, launch
 * templates), so a test or a drift scene can edit them directly and the Describe calls answer the edit.
 */
export interface Ec2Data {
  readonly vpcs: Record<string, unknown>[];
  readonly subnets: Record<string, unknown>[];
  readonly routeTables: Record<string, unknown>[];
  readonly vpcEndpoints: Record<string, unknown>[];
  readonly securityGroups: SecurityGroup[];
  /** `LaunchTemplate` rows with their versions' `LaunchTemplateData`. */
  readonly launchTemplates: { template: Record<string, unknown>; versions: Record<string, unknown>[] }[];
  /**
   * `Image` rows as DescribeImages answers them (`ImdsSupport: "v2.0"`: instances launch requiring IMDSv2
   * unless the launch or the account says otherwise). An AMI that a launch template or an instance names and
   * that is not listed here answers as registered without ImdsSupport.
   */
  readonly images: Record<string, unknown>[];
  /** The account's settings in the region; the Enable/Disable and Modify calls edit them. */
  readonly account: Ec2AccountSettings;
}

/** Account-level EC2 settings of the region. */
export interface Ec2AccountSettings {
  /**
   * GetEbsEncryptionByDefault: every new volume is encrypted. Change it with Enable/DisableEbsEncryptionByDefault
   * (existing volumes keep their encryption, as in AWS).
   */
  ebsEncryptionByDefault: boolean;
  /** GetInstanceMetadataDefaults' `AccountLevel`: only the options that have a default (none: no preference). */
  instanceMetadataDefaults: {
    HttpTokens?: "optional" | "required";
    HttpPutResponseHopLimit?: number;
    HttpEndpoint?: "enabled" | "disabled";
    InstanceMetadataTags?: "enabled" | "disabled";
    /** `enabled`: AWS refuses a launch whose HttpTokens does not resolve to `required` (not modelled here). */
    HttpTokensEnforced?: "enabled" | "disabled";
  };
}

export type { IpPermission, SecurityGroup };

export function emptyEc2Data(): Ec2Data {
  return {
    vpcs: [],
    subnets: [],
    routeTables: [],
    vpcEndpoints: [],
    securityGroups: [],
    launchTemplates: [],
    images: [],
    // The sandbox is a well-run account: EBS encryption by default is on; it sets no IMDS defaults (AWS's
    // default for a new account).
    account: { ebsEncryptionByDefault: true, instanceMetadataDefaults: {} },
  };
}

/**
 * The AMIs DescribeImages knows: the listed ones, and every other AMI a launch template version or an
 * instance names (registered, without ImdsSupport).
 */
function knownImages(world: SandboxWorld, data: Ec2Data): Record<string, unknown>[] {
  const named = [
    ...data.launchTemplates.flatMap((t) =>
      t.versions.map((v) => (v.LaunchTemplateData as { ImageId?: string } | undefined)?.ImageId),
    ),
    ...[...world.instances.values()].map((i) => i.imageId),
  ].filter((id): id is string => Boolean(id?.startsWith("ami-")));
  const listed = new Set(data.images.map((i) => i.ImageId));
  const implicit = [...new Set(named)]
    .filter((id) => !listed.has(id))
    .map((ImageId) => ({
      ImageId,
      OwnerId: world.account,
      State: "available",
      Architecture: "arm64",
      ImageType: "machine",
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
    }));
  return [...data.images, ...implicit];
}

const IMDS_DEFAULT_KEYS = [
  "HttpTokens",
  "HttpPutResponseHopLimit",
  "HttpEndpoint",
  "InstanceMetadataTags",
  "HttpTokensEnforced",
] as const;

type Filter = { Name: string; Values: string[] };

/** The value(s) an EC2 filter name reads from a resource; `tag:Key` reads tags. */
function filterValues(
  resource: Record<string, unknown>,
  name: string,
  fields: Record<string, (r: Record<string, unknown>) => unknown>,
): unknown[] {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    const tags = (resource.Tags as { Key: string; Value: string }[] | undefined) ?? [];
    return tags.filter((t) => t.Key === key).map((t) => t.Value);
  }
  if (name === "tag-key") return ((resource.Tags as { Key: string }[] | undefined) ?? []).map((t) => t.Key);
  const read = fields[name];
  if (!read) throw awsError("InvalidParameterValue", `The filter '${name}' is invalid`);
  const value = read(resource);
  return Array.isArray(value) ? value : [value];
}

/** EC2 filter semantics: filters are ANDed, values ORed, `*` and `?` are wildcards. */
function applyFilters<T extends Record<string, unknown>>(
  rows: T[],
  filters: Filter[] | undefined,
  fields: Record<string, (r: Record<string, unknown>) => unknown>,
): T[] {
  if (!filters?.length) return rows;
  const matches = (pattern: string, value: unknown) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    ).test(String(value));
  return rows.filter((row) =>
    filters.every((f) => filterValues(row, f.Name, fields).some((v) => f.Values.some((p) => matches(p, v)))),
  );
}

export function describeInstance(_world: SandboxWorld, instance: SimInstance): Record<string, unknown> {
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    InstanceType: instance.instanceType,
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: "default" },
    PrivateIpAddress: instance.privateIpAddress,
    PrivateDnsName: `ip-${instance.privateIpAddress.replaceAll(".", "-")}.ec2.internal`,
    PublicDnsName: "",
    SubnetId: instance.subnetId,
    VpcId: instance.vpcId,
    State: { Code: InstanceStateCode[instance.state], Name: instance.state },
    SecurityGroups: instance.securityGroupIds.map((id) => ({ GroupId: id })),
    MetadataOptions: {
      ...instance.metadataOptions,
      State: "applied",
      HttpProtocolIpv6: "disabled",
      InstanceMetadataTags: "disabled",
    },
    ...(instance.iamInstanceProfileArn
      ? { IamInstanceProfile: { Arn: instance.iamInstanceProfileArn } }
      : {}),
    BlockDeviceMappings: [
      {
        DeviceName: "/dev/xvda",
        Ebs: { Status: "attached", VolumeId: rootVolumeId(instance), DeleteOnTermination: true },
      },
    ],
    NetworkInterfaces: [
      {
        PrivateIpAddress: instance.privateIpAddress,
        SubnetId: instance.subnetId,
        VpcId: instance.vpcId,
        Ipv6Addresses: [],
      },
    ],
    Tags: Object.entries(instance.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

const INSTANCE_FILTERS: Record<string, (r: Record<string, unknown>) => unknown> = {
  "instance-id": (r) => r.InstanceId,
  "instance-state-name": (r) => (r.State as { Name: string }).Name,
  "vpc-id": (r) => r.VpcId,
  "subnet-id": (r) => r.SubnetId,
  "availability-zone": (r) => (r.Placement as { AvailabilityZone: string }).AvailabilityZone,
  "instance.group-id": (r) => (r.SecurityGroups as { GroupId: string }[]).map((g) => g.GroupId),
  "metadata-options.http-tokens": (r) => (r.MetadataOptions as { HttpTokens: string }).HttpTokens,
};

/** Describe semantics shared by the network resources: ids must exist, then filters apply. */
function describeRows(
  rows: Record<string, unknown>[],
  input: Input,
  kind: { ids: string; field: string; filter: string; notFound: string; label: string },
) {
  const ids = input[kind.ids] as string[] | undefined;
  const missing = ids?.find((id) => !rows.some((r) => r[kind.field] === id));
  if (missing) throw awsError(kind.notFound, `The ${kind.label} ID '${missing}' does not exist`);
  const selected = ids?.length ? rows.filter((r) => ids.includes(r[kind.field] as string)) : rows;
  return applyFilters(selected, input.Filters as Filter[] | undefined, {
    [kind.filter]: (r) => r[kind.field],
    "vpc-id": (r) => r.VpcId,
    "group-name": (r) => r.GroupName,
    "service-name": (r) => r.ServiceName,
    "association.subnet-id": (r) =>
      ((r.Associations as { SubnetId?: string }[] | undefined) ?? []).map((a) => a.SubnetId),
  });
}

/** EC2 as a command-level model: instances from the world, network and templates as data. */
export function ec2Model(world: SandboxWorld, data: Ec2Data): ServiceModel {
  const group = (input: Input) => {
    const id = input.GroupId as string;
    const found = data.securityGroups.find((g) => g.GroupId === id);
    if (!found) throw awsError("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    return found;
  };
  const edit = (key: "IpPermissions" | "IpPermissionsEgress", add: boolean) => (input: Input) => {
    editRules(group(input), key, (input.IpPermissions as IpPermission[]) ?? [], add);
    return { Return: true };
  };
  return {
    service: "EC2",
    commands: {
      ...ec2VolumeCommands(world, data),
      DescribeInstances(input) {
        const ids = input.InstanceIds as string[] | undefined;
        const max = input.MaxResults as number | undefined;
        if (ids?.length && max !== undefined)
          throw awsError(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
          );
        if (max !== undefined && (max < 5 || max > 1000))
          throw awsError(
            "InvalidParameterValue",
            `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
          );
        for (const id of ids ?? [])
          if (!world.instances.has(id))
            throw awsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
        const rows = [...world.instances.values()]
          .filter((i) => !ids?.length || ids.includes(i.instanceId))
          .map((i) => describeInstance(world, i));
        const filtered = applyFilters(rows, input.Filters as Filter[] | undefined, INSTANCE_FILTERS);
        const page = paginate(filtered, {
          maxResults: max,
          nextToken: input.NextToken as string | undefined,
          defaultSize: 1000,
        });
        return {
          Reservations: page.items.map((instance) => ({
            ReservationId: `r-${String(instance.InstanceId).slice(2)}`,
            OwnerId: world.account,
            Instances: [instance],
          })),
          NextToken: page.nextToken,
        };
      },
      ModifyInstanceMetadataOptions(input) {
        const instance = world.instances.get(input.InstanceId as string);
        if (!instance)
          throw awsError(
            "InvalidInstanceID.NotFound",
            `The instance ID '${String(input.InstanceId)}' does not exist`,
          );
        if (input.HttpTokens)
          instance.metadataOptions.HttpTokens = input.HttpTokens as "required" | "optional";
        if (input.HttpEndpoint)
          instance.metadataOptions.HttpEndpoint = input.HttpEndpoint as "enabled" | "disabled";
        if (input.HttpPutResponseHopLimit)
          instance.metadataOptions.HttpPutResponseHopLimit = input.HttpPutResponseHopLimit as number;
        return {
          InstanceId: instance.instanceId,
          InstanceMetadataOptions: { ...instance.metadataOptions, State: "pending" },
        };
      },
      DescribeSecurityGroups: (input) => ({
        SecurityGroups: structuredClone(
          describeRows(data.securityGroups as unknown as Record<string, unknown>[], input, {
            ids: "GroupIds",
            field: "GroupId",
            filter: "group-id",
            notFound: "InvalidGroup.NotFound",
            label: "security group",
          }),
        ),
      }),
      AuthorizeSecurityGroupIngress: edit("IpPermissions", true),
      RevokeSecurityGroupIngress: edit("IpPermissions", false),
      AuthorizeSecurityGroupEgress: edit("IpPermissionsEgress", true),
      RevokeSecurityGroupEgress: edit("IpPermissionsEgress", false),
      DescribeVpcs: (input) => ({
        // AWS lists the primary CIDR in CidrBlockAssociationSet too (readers of secondary CIDRs use that).
        Vpcs: structuredClone(
          describeRows(data.vpcs, input, {
            ids: "VpcIds",
            field: "VpcId",
            filter: "vpc-id",
            notFound: "InvalidVpcID.NotFound",
            label: "vpc",
          }),
        ).map((vpc) => ({
          CidrBlockAssociationSet: [
            {
              AssociationId: `vpc-cidr-assoc-${String(vpc.VpcId).slice(4)}`,
              CidrBlock: vpc.CidrBlock,
              CidrBlockState: { State: "associated" },
            },
          ],
          ...vpc,
        })),
      }),
      DescribeSubnets: (input) => ({
        Subnets: structuredClone(
          describeRows(data.subnets, input, {
            ids: "SubnetIds",
            field: "SubnetId",
            filter: "subnet-id",
            notFound: "InvalidSubnetID.NotFound",
            label: "subnet",
          }),
        ),
      }),
      DescribeRouteTables: (input) => ({
        RouteTables: structuredClone(
          describeRows(data.routeTables, input, {
            ids: "RouteTableIds",
            field: "RouteTableId",
            filter: "route-table-id",
            notFound: "InvalidRouteTableID.NotFound",
            label: "route table",
          }),
        ),
      }),
      DescribeVpcEndpoints: (input) => ({
        VpcEndpoints: structuredClone(
          describeRows(data.vpcEndpoints, input, {
            ids: "VpcEndpointIds",
            field: "VpcEndpointId",
            filter: "vpc-endpoint-id",
            notFound: "InvalidVpcEndpointId.NotFound",
            label: "vpc endpoint",
          }),
        ),
      }),
      // The readiness flow asks when a launch template leaves HttpTokens unset (the account's default decides
      // before the AMI). With no defaults set, AWS answers an AccountLevel without them.
      GetInstanceMetadataDefaults: () => ({
        AccountLevel: { ...structuredClone(data.account.instanceMetadataDefaults), ManagedBy: "account" },
      }),
      ModifyInstanceMetadataDefaults(input) {
        // `no-preference` (-1 for the hop limit) removes the account's default for that option.
        const defaults = data.account.instanceMetadataDefaults as Record<string, unknown>;
        for (const key of IMDS_DEFAULT_KEYS) {
          const value = input[key];
          if (value === undefined) continue;
          if (value === "no-preference" || value === -1) delete defaults[key];
          else defaults[key] = value;
        }
        return { Return: true };
      },
      DescribeImages(input) {
        const ids = input.ImageIds as string[] | undefined;
        const images = knownImages(world, data);
        const missing = ids?.find((id) => !images.some((i) => i.ImageId === id));
        if (missing) throw awsError("InvalidAMIID.NotFound", `The image id '[${missing}]' does not exist`);
        const selected = ids?.length ? images.filter((i) => ids.includes(i.ImageId as string)) : images;
        return {
          Images: structuredClone(
            applyFilters(selected, input.Filters as Filter[] | undefined, {
              "image-id": (r) => r.ImageId,
              "owner-id": (r) => r.OwnerId,
              state: (r) => r.State,
              architecture: (r) => r.Architecture,
            }),
          ),
        };
      },
      DescribeLaunchTemplates(input) {
        const rows = data.launchTemplates.map((t) => t.template);
        const ids = input.LaunchTemplateIds as string[] | undefined;
        const names = input.LaunchTemplateNames as string[] | undefined;
        return {
          LaunchTemplates: structuredClone(
            rows.filter(
              (r) =>
                (!ids?.length || ids.includes(r.LaunchTemplateId as string)) &&
                (!names?.length || names.includes(r.LaunchTemplateName as string)),
            ),
          ),
        };
      },
      DescribeLaunchTemplateVersions(input) {
        const entry = data.launchTemplates.find(
          (t) =>
            t.template.LaunchTemplateId === input.LaunchTemplateId ||
            t.template.LaunchTemplateName === input.LaunchTemplateName,
        );
        if (!entry)
          throw awsError("InvalidLaunchTemplateId.NotFound", "The specified launch template does not exist.");
        const wanted = (input.Versions as string[] | undefined) ?? [];
        const latest = String(entry.template.LatestVersionNumber);
        const resolve = (v: string) =>
          v === "$Latest" ? latest : v === "$Default" ? String(entry.template.DefaultVersionNumber) : v;
        const versions = entry.versions.filter(
          (v) => wanted.length === 0 || wanted.map(resolve).includes(String(v.VersionNumber)),
        );
        return { LaunchTemplateVersions: structuredClone(versions) };
      },
    },
  };
}
