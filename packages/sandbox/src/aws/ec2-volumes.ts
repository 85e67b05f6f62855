import type { Ec2Data } from "./ec2.js";
import type { CommandHandler } from "./simulator.js";
import type { SandboxWorld, SimInstance } from "./world.js";

/** The root volume id of an instance: stable, so DescribeInstances and DescribeVolumes agree. */
export const rootVolumeId = (instance: Pick<SimInstance, "instanceId">) =>
  `vol-${instance.instanceId.slice(2)}`;

/**
 * The encryption of the root volume as the instance's launch template version asks for it. With `Encrypted`
 * unset (or no template), EBS follows the account's encryption by default; `Encrypted: false` cannot turn it
 * off either (AWS encrypts every new volume while the default is on).
 */
function encryption(data: Ec2Data, instance: SimInstance): { encrypted: boolean; kmsKeyId?: string } {
  const entry = data.launchTemplates.find((t) => t.template.LaunchTemplateId === instance.launchTemplate?.id);
  const version = entry?.versions.find((v) => String(v.VersionNumber) === instance.launchTemplate?.version);
  const ebs = (
    version?.LaunchTemplateData as {
      BlockDeviceMappings?: { Ebs?: { Encrypted?: boolean; KmsKeyId?: string } }[];
    }
  )?.BlockDeviceMappings?.find((b) => b.Ebs)?.Ebs;
  const encrypted = ebs?.Encrypted === true || data.account.ebsEncryptionByDefault;
  return { encrypted, ...(encrypted && ebs?.KmsKeyId ? { kmsKeyId: ebs.KmsKeyId } : {}) };
}

/**
 * EC2's volume reads and account encryption setting, and the prefix-list read: DescribeVolumes (the root volume
 * of each live instance, filtered by `attachment.instance-id`, encrypted as its launch template and the
 * account's EBS encryption by default say), Get/Enable/DisableEbsEncryptionByDefault, and
 * DescribeManagedPrefixLists (none are modelled: the sandbox account has no customer-managed list).
 */
export function ec2VolumeCommands(world: SandboxWorld, data: Ec2Data): Record<string, CommandHandler> {
  // A volume's encryption is fixed when it is created: changing the default later leaves it as it is. The
  // model has no creation hook, so it fixes every live volume's encryption before the default changes.
  const fixed = new Map<string, { encrypted: boolean; kmsKeyId?: string }>();
  const encryptionOf = (i: SimInstance) => fixed.get(rootVolumeId(i)) ?? encryption(data, i);
  const setDefault = (on: boolean) => {
    for (const i of world.instances.values())
      if (i.state !== "terminated") fixed.set(rootVolumeId(i), encryptionOf(i));
    data.account.ebsEncryptionByDefault = on;
    return { EbsEncryptionByDefault: on };
  };
  return {
    DescribeVolumes(input) {
      const filters = (input.Filters as { Name: string; Values: string[] }[] | undefined) ?? [];
      const attached = filters.find((f) => f.Name === "attachment.instance-id")?.Values;
      const volumes = [...world.instances.values()]
        .filter((i) => i.state !== "terminated" && (!attached || attached.includes(i.instanceId)))
        .map((i) => {
          const { encrypted, kmsKeyId } = encryptionOf(i);
          return {
            VolumeId: rootVolumeId(i),
            Size: 20,
            VolumeType: "gp3",
            State: "in-use",
            AvailabilityZone: i.availabilityZone,
            Encrypted: encrypted,
            ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
            Attachments: [
              { InstanceId: i.instanceId, Device: "/dev/xvda", State: "attached", VolumeId: rootVolumeId(i) },
            ],
          };
        });
      return { Volumes: volumes };
    },
    // The readiness flow asks when a launch template device leaves Encrypted unset.
    GetEbsEncryptionByDefault: () => ({
      EbsEncryptionByDefault: data.account.ebsEncryptionByDefault,
      SseType: "sse-ebs",
    }),
    EnableEbsEncryptionByDefault: () => setDefault(true),
    DisableEbsEncryptionByDefault: () => setDefault(false),
    DescribeManagedPrefixLists: () => ({ PrefixLists: [] }),
  };
}
