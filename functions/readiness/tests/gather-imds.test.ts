import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  GetInstanceMetadataDefaultsCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { describeLaunchTemplate } from "../gather-compute.js";

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

const group = {
  name: "clawops-test-openclaw",
  healthCheckType: "EC2",
  subnetIds: [],
  launchTemplateId: "lt-0abc",
  launchTemplateVersion: "3",
  instances: [],
  activities: [],
};
const template = (ImageId: string, metadata: { HttpTokens?: "required" | "optional" } = {}) =>
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [
      { VersionNumber: 3, LaunchTemplateData: { ImageId, MetadataOptions: metadata } },
    ],
  });

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { ManagedBy: "account" } });
});

describe("Function: describeLaunchTemplate on a template whose image is a resolve:ssm: parameter", () => {
  it.each([
    ["a public parameter name", `resolve:ssm:${AL2023}`, AL2023],
    ["a name with a version selector", "resolve:ssm:/golden/openclaw-ami:7", "/golden/openclaw-ami:7"],
    [
      "a parameter ARN",
      "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/golden/openclaw-ami",
      "arn:aws:ssm:us-east-1:123456789012:parameter/golden/openclaw-ami",
    ],
  ])(
    "resolves %s to its AMI with ssm:GetParameter, then reads that AMI's ImdsSupport",
    async (_what, imageId, name) => {
      template(imageId);
      ssm
        .on(GetParameterCommand)
        .resolves({ Parameter: { Name: name, Type: "String", Value: "ami-0a2023" } });
      ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: "ami-0a2023", ImdsSupport: "v2.0" }] });

      const evidence = await describeLaunchTemplate(group);

      expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({ Name: name });
      expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({ ImageIds: ["ami-0a2023"] });
      expect(evidence).toMatchObject({
        imageId,
        accountHttpTokens: null,
        resolvedImageId: "ami-0a2023",
        imageImdsSupport: "v2.0",
      });
    },
  );

  it("keeps the parameter unavailable, with AWS's error, when it cannot be read", async () => {
    template(`resolve:ssm:${AL2023}`);
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error(`User is not authorized to perform: ssm:GetParameter on resource ${AL2023}`), {
        name: "AccessDeniedException",
      }),
    );

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.resolvedImageId).toEqual({
      unavailable: expect.stringContaining(`ssm:GetParameter ${AL2023}: AccessDeniedException`),
    });
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it.each([
    ["its name", "resolve:ssm:/golden/openclaw-ami:7"],
    ["its ARN", "resolve:ssm:arn:aws:ssm:us-east-1:123456789012:parameter/golden/openclaw-ami"],
  ])(
    "says which setting reads an account parameter the role may not read, named by %s",
    async (_case, image) => {
      template(image);
      ssm.on(GetParameterCommand).rejects(
        Object.assign(new Error("User is not authorized to perform: ssm:GetParameter"), {
          name: "AccessDeniedException",
        }),
      );

      const evidence = await describeLaunchTemplate(group);

      expect(evidence?.resolvedImageId).toEqual({
        unavailable: expect.stringMatching(
          /AccessDeniedException.*\(readiness reads an account parameter only as fleet\.imageParameterName: set it to "\/golden\/openclaw-ami"\)$/,
        ),
      });
    },
  );

  it("keeps the parameter unavailable when it holds no AMI id", async () => {
    template("resolve:ssm:/golden/openclaw-ami");
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: "/golden/openclaw-ami", Value: "latest" } });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.resolvedImageId).toEqual({ unavailable: expect.stringContaining("not an AMI id") });
  });

  it("does not resolve the parameter when the account's default decides", async () => {
    template(`resolve:ssm:${AL2023}`);
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { HttpTokens: "required" } });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.accountHttpTokens).toBe("required");
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });
});

describe("Function: describeLaunchTemplate and the account's IMDSv2 enforcement (HttpTokensEnforced)", () => {
  it("reads the enforcement with the account's defaults", async () => {
    template("ami-0abc");
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({
      AccountLevel: {
        HttpTokens: "required",
        HttpTokensEnforced: "enabled",
        ManagedBy: "declarative-policy",
      },
    });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.accountHttpTokensEnforced).toBe(true);
  });

  it("reads the enforcement, and nothing more, for a template that sets HttpTokens optional", async () => {
    template("ami-0abc", { HttpTokens: "optional" });
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { HttpTokensEnforced: "enabled" } });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence).toMatchObject({ httpTokens: "optional", accountHttpTokensEnforced: true });
    expect(evidence?.accountHttpTokens).toBeUndefined();
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it("takes an account without HttpTokensEnforced as not enforcing", async () => {
    template("ami-0abc");
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: "ami-0abc" }] });

    const evidence = await describeLaunchTemplate(group);

    expect(evidence?.accountHttpTokensEnforced).toBe(false);
  });
});
