import { GetParameterHistoryCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "../account.js";

let account: TestAccount;
afterEach(() => account?.close());
const ssm = () => makeClient(SSMClient);

describe("Function: ssmModel GetParameterHistory, as the restore drill reads the soul manifest of a point's time", () => {
  it("lists the parameter's kept version with its number and when it was written", async () => {
    account = await testAccount();
    await ssm().send(
      new PutParameterCommand({ Name: "/clawops/x/soul-manifest", Value: "{}", Type: "String" }),
    );

    const { Parameters } = await ssm().send(
      new GetParameterHistoryCommand({ Name: "/clawops/x/soul-manifest" }),
    );

    expect(Parameters).toEqual([
      expect.objectContaining({
        Name: "/clawops/x/soul-manifest",
        Value: "{}",
        Version: 1,
        LastModifiedDate: expect.any(Date),
      }),
    ]);
  });

  it("answers ParameterNotFound for a parameter that does not exist", async () => {
    account = await testAccount();

    await expect(ssm().send(new GetParameterHistoryCommand({ Name: "/clawops/none" }))).rejects.toMatchObject(
      { name: "ParameterNotFound" },
    );
  });
});
