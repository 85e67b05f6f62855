import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  GetInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataDefaultsCommand,
  paginateDescribeInstances,
} from "@aws-sdk/client-ec2";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../src/sandbox.js";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const ec2 = () => makeClient(EC2Client);

describe("Function: ec2Model", () => {
  it("pages DescribeInstances with MaxResults and filters by the group tag", async () => {
    sandbox = await createSandbox({ fleetSize: 7, servers: false, gateways: false });
    const pages = [];
    for await (const page of paginateDescribeInstances(
      { client: ec2(), pageSize: 5 },
      {
        Filters: [
          { Name: "tag:aws:autoscaling:groupName", Values: [sandbox.description.autoScalingGroupName] },
        ],
      },
    )) {
      pages.push(page.Reservations?.flatMap((r) => r.Instances ?? []).length);
    }
    expect(pages).toEqual([5, 2]);
    const [first] = (await ec2().send(new DescribeInstancesCommand({ MaxResults: 5 }))).Reservations ?? [];
    expect(first?.Instances?.[0]).toMatchObject({ MetadataOptions: { HttpTokens: "required" } });
    expect(first?.Instances?.[0]?.PublicIpAddress).toBeUndefined();
    await expect(
      ec2().send(new DescribeInstancesCommand({ InstanceIds: ["i-00000000000000000"] })),
    ).rejects.toMatchObject({
      name: "InvalidInstanceID.NotFound",
    });
  });

  it("lets a scene inject ingress drift that DescribeSecurityGroups then shows, and refuses duplicates", async () => {
    sandbox = await createSandbox({ fleetSize: 0, servers: false, gateways: false });
    const GroupId = sandbox.description.securityGroupIds[0];
    const rule = { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] };
    await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] }));
    const out = await ec2().send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId ?? ""] }));
    expect(out.SecurityGroups?.[0]?.IpPermissions).toMatchObject([rule]);
    await expect(
      ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] })),
    ).rejects.toMatchObject({
      name: "InvalidPermission.Duplicate",
    });
  });

  it("answers that EBS encryption by default is on, as in a well-run account (the readiness flow asks)", async () => {
    sandbox = await createSandbox({ fleetSize: 0, servers: false, gateways: false });
    const out = await ec2().send(new GetEbsEncryptionByDefaultCommand({}));
    expect(out.EbsEncryptionByDefault).toBe(true);
  });

  it("encrypts a volume whose launch template leaves Encrypted unset as EBS encryption by default says when it is created", async () => {
    // Prepare: the fleet's template without Encrypted; one instance launched while the default is on.
    sandbox = await createSandbox({ fleetSize: 1, servers: false, gateways: false });
    const { ec2: data, world } = sandbox.aws.models;
    for (const t of data.launchTemplates)
      for (const v of t.versions)
        for (const b of (v.LaunchTemplateData as { BlockDeviceMappings: { Ebs: object }[] })
          .BlockDeviceMappings)
          b.Ebs = { VolumeSize: 20, VolumeType: "gp3" };
    const [first] = world.instances.values();
    const volumes = async () =>
      Object.fromEntries(
        ((await ec2().send(new DescribeVolumesCommand({}))).Volumes ?? []).map((v) => [
          v.Attachments?.[0]?.InstanceId,
          v.Encrypted,
        ]),
      );
    expect(await volumes()).toEqual({ [first!.instanceId]: true });

    // Act: the account turns the default off, then the group launches another instance.
    await ec2().send(new DisableEbsEncryptionByDefaultCommand({}));
    const { instanceId, launchTime, state, privateIpAddress, agentRegistered, gatewayPort, ...spec } = first!;
    const second = world.launchInstance(structuredClone(spec));

    // Assess: the existing volume keeps its encryption; the new one is not encrypted.
    expect((await ec2().send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    expect(await volumes()).toEqual({ [first!.instanceId]: true, [second.instanceId]: false });
  });

  it("answers GetInstanceMetadataDefaults with no account default until one is set, and clears it on no-preference", async () => {
    sandbox = await createSandbox({ fleetSize: 0, servers: false, gateways: false });
    const tokens = async () =>
      (await ec2().send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel?.HttpTokens;

    expect(await tokens()).toBeUndefined();
    await ec2().send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokens: "required" }));
    expect(await tokens()).toBe("required");
    await ec2().send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokens: "no-preference" }));
    expect(await tokens()).toBeUndefined();
  });

  it("describes the fleet's AMI, and an AMI's ImdsSupport as registered", async () => {
    sandbox = await createSandbox({ fleetSize: 0, servers: false, gateways: false });
    const { ec2: data } = sandbox.aws.models;
    const template = data.launchTemplates[0]?.versions[0]?.LaunchTemplateData as
      | { ImageId?: string }
      | undefined;
    const fleetAmi = String(template?.ImageId);
    data.images.push({ ImageId: "ami-0v2only", State: "available", ImdsSupport: "v2.0" });

    const out = await ec2().send(new DescribeImagesCommand({ ImageIds: [fleetAmi, "ami-0v2only"] }));

    expect(out.Images?.map((i) => [i.ImageId, i.ImdsSupport])).toEqual([
      ["ami-0v2only", "v2.0"],
      [fleetAmi, undefined],
    ]);
    await expect(
      ec2().send(new DescribeImagesCommand({ ImageIds: ["ami-00000000000000000"] })),
    ).rejects.toMatchObject({ name: "InvalidAMIID.NotFound" });
  });

  it("serves the fleet's credentials secret, with a resource policy naming the instance role", async () => {
    sandbox = await createSandbox({ fleetSize: 0, servers: false, gateways: false });
    const secrets = makeClient(SecretsManagerClient);
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: sandbox.description.secretArn }));
    expect(out.ARN).toMatch(/:secret:clawops-sandbox-openclaw\/credentials-[0-9a-f]{6}$/);
    const secret = sandbox.aws.models.secrets.secrets.get(String(out.Name));
    expect(secret?.policy).toContain(sandbox.description.instanceRoleArn);
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: "nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
