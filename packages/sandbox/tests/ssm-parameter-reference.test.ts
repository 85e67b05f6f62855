import {
  EC2Client,
  GetInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataDefaultsCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const ssm = () => makeClient(SSMClient);
const ec2 = () => makeClient(EC2Client);
const AMI_PARAMETER = "/golden/openclaw-ami";

describe("Function: ssmModel GetParameter, as a launch template's resolve:ssm: image reads it", () => {
  it.each([
    ["the name", AMI_PARAMETER, undefined],
    ["the name with its version", `${AMI_PARAMETER}:2`, ":2"],
    [
      "the account's parameter ARN",
      `arn:aws:ssm:us-east-1:123456789012:parameter${AMI_PARAMETER}`,
      undefined,
    ],
  ])("answers %s with the parameter", async (_what, reference, selector) => {
    account = await testAccount();
    await ssm().send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: "ami-0old", Type: "String" }));
    await ssm().send(
      new PutParameterCommand({ Name: AMI_PARAMETER, Value: "ami-0new", Type: "String", Overwrite: true }),
    );

    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: reference }));

    expect(Parameter).toMatchObject({ Name: AMI_PARAMETER, Value: "ami-0new", Version: 2 });
    expect(Parameter?.Selector).toBe(selector);
  });

  it.each([
    ["a version it no longer keeps", `${AMI_PARAMETER}:1`, "ParameterVersionNotFound"],
    [
      "another account's ARN",
      `arn:aws:ssm:us-east-1:210987654321:parameter${AMI_PARAMETER}`,
      "ParameterNotFound",
    ],
  ])("refuses %s", async (_what, reference, error) => {
    account = await testAccount();
    await ssm().send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: "ami-0old", Type: "String" }));
    await ssm().send(
      new PutParameterCommand({ Name: AMI_PARAMETER, Value: "ami-0new", Type: "String", Overwrite: true }),
    );

    await expect(ssm().send(new GetParameterCommand({ Name: reference }))).rejects.toMatchObject({
      name: error,
    });
  });
});

describe("Function: ec2Model instance metadata defaults", () => {
  it("keeps the account's IMDSv2 enforcement (HttpTokensEnforced) and clears it on no-preference", async () => {
    account = await testAccount();
    const enforced = async () =>
      (await ec2().send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel?.HttpTokensEnforced;

    expect(await enforced()).toBeUndefined();
    await ec2().send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokensEnforced: "enabled" }));
    expect(await enforced()).toBe("enabled");
    await ec2().send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokensEnforced: "no-preference" }));
    expect(await enforced()).toBeUndefined();
  });
});
