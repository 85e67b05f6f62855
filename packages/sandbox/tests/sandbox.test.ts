import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { makeClient } from "@clawops/core/aws";
import { launchLifecyclePattern } from "@clawops/core/events";
import {
  gatewayProbeCommands,
  judgeGatewayHealth,
  parseGatewayProbe,
  probeExecutionTimeoutSeconds,
  runShellScript,
} from "@clawops/core/lifecycle";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../src/sandbox.js";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Boots the group: completes every launch hook with CONTINUE and waits for agents and gateways. */
async function boot(size: number): Promise<Sandbox> {
  const box = await createSandbox({ fleetSize: size, servers: false });
  const asg = box.description.autoScalingGroupName;
  await box.clock.runUntil(() => box.events.published(launchLifecyclePattern(asg)).length >= size);
  for (const event of box.events.published(launchLifecyclePattern(asg))) {
    await makeClient(AutoScalingClient).send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: asg,
        LifecycleHookName: box.description.launchHookName,
        LifecycleActionToken: String(event.detail.LifecycleActionToken),
        LifecycleActionResult: "CONTINUE",
      }),
    );
  }
  await box.clock.advance(35_000);
  return box;
}

async function probeAll(box: Sandbox): Promise<Map<string, string>> {
  const ssm = makeClient(SSMClient);
  const ids = box.fleet.instances().map((i) => i.instanceId);
  const endpoint = box.description.gateway;
  const { Command } = await ssm.send(
    new SendCommandCommand(
      runShellScript(ids, gatewayProbeCommands(endpoint), {
        comment: "probe",
        executionTimeoutSeconds: probeExecutionTimeoutSeconds(endpoint),
      }),
    ),
  );
  await box.clock.advance(2_000);
  const verdicts = new Map<string, string>();
  for (const id of ids) {
    const out = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: id }),
    );
    const health = judgeGatewayHealth(parseGatewayProbe(out.StandardOutputContent ?? ""), endpoint);
    verdicts.set(id, health.healthy ? "healthy" : health.reason);
  }
  return verdicts;
}

describe("Function: createSandbox", () => {
  it("boots three instances with real gateways and sees a killed one fail its probe through the real SSM client", async () => {
    sandbox = await boot(3);
    const instances = sandbox.fleet.instances();
    expect(instances.map((i) => [i.lifecycleState, i.agentRegistered, typeof i.gatewayPort])).toEqual(
      Array.from({ length: 3 }, () => ["InService", true, "number"]),
    );
    expect([...(await probeAll(sandbox)).values()]).toEqual(["healthy", "healthy", "healthy"]);
    const victim = instances[1]?.instanceId ?? "";
    await sandbox.fleet.kill(victim);
    const verdicts = await probeAll(sandbox);
    expect(verdicts.get(victim)).toBe("connection refused: gateway not listening");
    expect([...verdicts].filter(([id]) => id !== victim).map(([, v]) => v)).toEqual(["healthy", "healthy"]);
    expect(sandbox.aws.calls("SSM", "SendCommand")).toHaveLength(2);
  });

  it("builds the fleet from the configuration: IMDSv2 required, no ingress, egress only to the allowlist", async () => {
    sandbox = await createSandbox({ fleetSize: 1, servers: false, gateways: false });
    const [group] = sandbox.aws.models.ec2.securityGroups.filter((g) =>
      sandbox?.description.securityGroupIds.includes(g.GroupId),
    );
    expect(group?.IpPermissions).toEqual([]);
    expect(group?.IpPermissionsEgress.flatMap((p) => p.IpRanges ?? []).map((r) => r.CidrIp)).toContain(
      "160.79.104.0/23",
    );
    expect(group?.IpPermissionsEgress.flatMap((p) => p.IpRanges ?? []).map((r) => r.CidrIp)).not.toContain(
      "0.0.0.0/0",
    );
    const [instance] = sandbox.aws.models.world.instances.values();
    expect(instance?.metadataOptions.HttpTokens).toBe("required");
    expect(sandbox.description.autoScalingGroupName).toBe("clawops-sandbox-openclaw");
  });

  it("ends every gateway process on close, and closing twice is harmless", async () => {
    sandbox = await boot(2);
    const gateways = sandbox.fleet.gateways;
    await sandbox.close();
    await sandbox.close();
    expect(gateways?.list().map((g) => g.running)).toEqual([false, false]);
  });
});
