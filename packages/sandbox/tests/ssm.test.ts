import {
  GetCommandInvocationCommand,
  GetParameterCommand,
  ListCommandInvocationsCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { makeClient } from "@clawops/core/aws";
import { afterEach, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./account.js";

const MARKER = "# test-script v1";
let account: TestAccount;
afterEach(() => account?.close());

const ssm = () => makeClient(SSMClient);
const instanceIds = () => [...account.aws.world.instances.keys()];
const send = (ids: string[], options: { timeout?: number; marker?: string } = {}) =>
  ssm().send(
    new SendCommandCommand({
      DocumentName: "AWS-RunShellScript",
      InstanceIds: ids,
      Parameters: {
        commands: [options.marker ?? MARKER, "echo hi"],
        executionTimeout: [String(options.timeout ?? 60)],
      },
    }),
  );

/** An account whose instance's agent has registered, with a script that prints its instance id. */
async function ready(): Promise<void> {
  account = await testAccount();
  account.aws.ssm.onScript(MARKER, async (instance) => ({ stdout: `ran on ${instance.instanceId}\n` }));
  await account.clock.advance(31_000);
}

describe("Function: ssmModel", () => {
  it("answers InvalidInstanceId until the instance's agent has registered", async () => {
    account = await testAccount();
    account.aws.ssm.onScript(MARKER, async () => ({ stdout: "" }));
    await expect(send(instanceIds())).rejects.toMatchObject({ name: "InvalidInstanceId" });
    await account.clock.advance(31_000);
    await expect(send(instanceIds())).resolves.toMatchObject({ Command: { Status: "Pending" } });
  });

  it("answers InvocationDoesNotExist right after SendCommand, then the invocation's result", async () => {
    await ready();
    const [id] = instanceIds() as [string];
    const { Command } = await send([id]);
    const get = () =>
      ssm().send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: id }));
    await expect(get()).rejects.toMatchObject({ name: "InvocationDoesNotExist" });
    await account.clock.advance(2_000);
    await expect(get()).resolves.toMatchObject({
      Status: "Success",
      ResponseCode: 0,
      StandardOutputContent: `ran on ${id}\n`,
    });
  });

  it("ends a command TimedOut when it runs past its executionTimeout", async () => {
    await ready();
    const [id] = instanceIds() as [string];
    account.aws.ssm.onScript("# sleeps", async () => {
      await account.clock.sleep(600_000);
      return { stdout: "too late" };
    });
    const { Command } = await send([id], { marker: "# sleeps", timeout: 30 });
    await account.clock.advance(29_000);
    const get = () =>
      ssm().send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: id }));
    await expect(get()).resolves.toMatchObject({ Status: "InProgress" });
    await account.clock.advance(2_000);
    await expect(get()).resolves.toMatchObject({ Status: "TimedOut", StatusDetails: "ExecutionTimedOut" });
  });

  it("refuses more than 50 instance ids in one command", async () => {
    await ready();
    const ids = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, "0")}`);
    await expect(send(ids)).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("fails loudly for a script no simulator knows", async () => {
    await ready();
    await expect(send(instanceIds(), { marker: "# unknown" })).rejects.toThrow(/not simulated: SSM script/);
  });

  it("lists a whole batch's output with Details", async () => {
    account = await testAccount({ desired: 3 });
    account.aws.ssm.onScript(MARKER, async (instance) => ({ stdout: `ok ${instance.instanceId}` }));
    await account.clock.advance(31_000);
    const { Command } = await send(instanceIds());
    await account.clock.advance(2_000);
    const out = await ssm().send(
      new ListCommandInvocationsCommand({ CommandId: Command?.CommandId, Details: true }),
    );
    expect(out.CommandInvocations?.map((i) => i.CommandPlugins?.[0]?.Output).sort()).toEqual(
      instanceIds()
        .map((id) => `ok ${id}`)
        .sort(),
    );
  });

  it("retries injected throttling through the SDK's own retry strategy", async () => {
    await ready();
    account.aws.simulator.inject("SSM.SendCommand", { throttle: 2 });
    await send(instanceIds());
    expect(account.aws.simulator.calls("SSM", "SendCommand").map((c) => c.outcome)).toEqual([
      "ThrottlingException",
      "ThrottlingException",
      "ok",
    ]);
  });

  it("stores parameters with versions and refuses to overwrite unless told", async () => {
    account = await testAccount();
    await ssm().send(new PutParameterCommand({ Name: "/clawops/x", Value: "1", Type: "String" }));
    await expect(
      ssm().send(new PutParameterCommand({ Name: "/clawops/x", Value: "2", Type: "String" })),
    ).rejects.toMatchObject({
      name: "ParameterAlreadyExists",
    });
    await ssm().send(
      new PutParameterCommand({ Name: "/clawops/x", Value: "2", Type: "String", Overwrite: true }),
    );
    await expect(ssm().send(new GetParameterCommand({ Name: "/clawops/x" }))).resolves.toMatchObject({
      Parameter: { Value: "2", Version: 2 },
    });
    await expect(ssm().send(new GetParameterCommand({ Name: "/clawops/none" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
    });
  });
});
