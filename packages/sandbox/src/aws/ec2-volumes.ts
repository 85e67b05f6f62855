import type { Ec2Data } from "./ec2.js";
import type { CommandHandler } from "./simulator.js";
import type { SandboxWorld, SimInstance } from "./world.js";

/** The root volume id of an instance: stable, so DescribeInstances and DescribeVolumes agree. */
export const rootVolumeId = (instance: Pick<SimInstance, "instanceId">) =>
  `vol-${instance.instanceId.slice(2)}`;

/** The encryption of the root volume as the instance's launch template version asks for it. */
function encryption(data: Ec2Data, instance: SimInstance): { encrypted: boolean; kmsKeyId?: string } {
  const entry = data.launchTemplates.find((t) => t.template.LaunchTemplateId === instance.launchTemplate?.id);
  const version = entry?.versions.find((v) => String(v.VersionNumber) === instance.launchTemplate?.version);
  const ebs = (
    version?.LaunchTemplateData as {
      BlockDeviceMappings?: { Ebs?: { Encrypted?: boolean; KmsKeyId?: string } }[];
    }
  )?.BlockDeviceMappings?.find((b) => b.Ebs)?.Ebs;
  return { encrypted: ebs?.Encrypted === true, ...(ebs?.KmsKeyId ? { kmsKeyId: ebs.KmsKeyId } : {}) };
}

/**
 * EC2's volume and prefix-list reads: DescribeVolumes (the root volume of each live instance, filtered by
 * `attachment.instance-id`, encrypted as its launch template says) and DescribeManagedPrefixLists (none are
 * modelled: the sandbox account has no customer-managed list).
 */
export function ec2VolumeCommands(world: SandboxWorld, data: Ec2Data): Record<string, CommandHandler> {
  return {
    DescribeVolumes(input) {
      const filters = (input.Filters as { Name: string; Values: string[] }[] | undefined) ?? [];
      const attached = filters.find((f) => f.Name === "attachment.instance-id")?.Values;
      const volumes = [...world.instances.values()]
        .filter((i) => i.state !== "terminated" && (!attached || attached.includes(i.instanceId)))
        .map((i) => {
          const { encrypted, kmsKeyId } = encryption(data, i);
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
    DescribeManagedPrefixLists: () => ({ PrefixLists: [] }),
  };
}
