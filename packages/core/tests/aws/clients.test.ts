import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { GetCommandInvocationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ServiceException } from "@smithy/smithy-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AwsCall, client, makeClient, setClientInterceptor } from "../../src/aws/clients.js";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  vi.unstubAllEnvs();
});

function throttling(): ServiceException {
  return new ServiceException({
    name: "ThrottlingException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: "Rate exceeded",
  });
}

describe("Function: makeClient", () => {
  it("routes every command through the installed interceptor with service, command and input", async () => {
    // Prepare
    const calls: AwsCall[] = [];
    restore = setClientInterceptor({
      region: "eu-west-1",
      handle: async (call) => {
        calls.push(call);
        return { AutoScalingGroups: [{ AutoScalingGroupName: "fleet" }] };
      },
    });
    const autoscaling = makeClient(AutoScalingClient);

    // Act
    const out = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["fleet"] }),
    );

    // Assess
    expect(out.AutoScalingGroups?.[0]?.AutoScalingGroupName).toBe("fleet");
    expect(calls).toEqual([
      {
        service: "AutoScaling",
        command: "DescribeAutoScalingGroups",
        input: { AutoScalingGroupNames: ["fleet"] },
      },
    ]);
    expect(await autoscaling.config.region()).toBe("eu-west-1");
  });

  it("retries a throttled command with the SDK's own retry strategy", async () => {
    let attempts = 0;
    restore = setClientInterceptor({
      region: "us-east-1",
      handle: async () => {
        attempts += 1;
        if (attempts < 3) throw throttling();
        return { Status: "Success" };
      },
    });
    const ssm = makeClient(SSMClient);

    const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: "c", InstanceId: "i-1" }));

    expect(out.Status).toBe("Success");
    expect(attempts).toBe(3);
  });

  it("gives up after maxAttempts and surfaces the AWS error by name", async () => {
    restore = setClientInterceptor({
      region: "us-east-1",
      handle: async () => {
        throw throttling();
      },
    });
    const ssm = makeClient(SSMClient, { maxAttempts: 2 });

    await expect(
      ssm.send(new GetCommandInvocationCommand({ CommandId: "c", InstanceId: "i-1" })),
    ).rejects.toMatchObject({
      name: "ThrottlingException",
    });
  });

  it("answers a client made before the interceptor was installed, with sandbox credentials", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    vi.stubEnv("AWS_PROFILE", "clawops-no-such-profile");
    const ssm = makeClient(SSMClient, { region: "us-east-1", maxAttempts: 1 });
    restore = setClientInterceptor({ region: "us-east-1", handle: async () => ({ Status: "Success" }) });

    const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: "c", InstanceId: "i-1" }));

    expect(out.Status).toBe("Success");
    expect(await ssm.config.credentials()).toMatchObject({ accessKeyId: "SANDBOX" });
  });

  it("uses the SDK's default credential chain when no interceptor is installed", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLECHAIN");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "example-secret");
    const ssm = makeClient(SSMClient, { region: "us-east-1" });

    expect(await ssm.config.credentials()).toMatchObject({ accessKeyId: "AKIDEXAMPLECHAIN" });
  });

  it("sends a clawops user agent", () => {
    const ssm = makeClient(SSMClient);
    expect(JSON.stringify(ssm.config.customUserAgent)).toContain("clawops");
  });
});

describe("Function: client", () => {
  it("returns the same client for the same constructor", () => {
    expect(client(SSMClient)).toBe(client(SSMClient));
    expect(client(SSMClient)).not.toBe(client(AutoScalingClient));
  });
});
