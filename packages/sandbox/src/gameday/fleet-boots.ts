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
import type { Sandbox } from "../sandbox.js";
import type { Scene, SceneResult, Timeline } from "./scene.js";

/** Logs each instance's lifecycle state, agent and gateway as they change, until stopped. */
export function watchFleet(sandbox: Sandbox, timeline: Timeline): () => void {
  const seen = new Map<string, string>();
  let cancel = () => {};
  const look = () => {
    for (const i of sandbox.fleet.instances()) {
      const line = `${i.lifecycleState}, EC2 ${i.ec2State}, SSM agent ${i.agentRegistered ? "online" : "not yet"}, gateway ${i.gatewayPort ? `on 127.0.0.1:${i.gatewayPort}` : "not started"}`;
      if (seen.get(i.instanceId) !== line) timeline.log(`${i.instanceId}: ${line}`);
      seen.set(i.instanceId, line);
    }
    cancel = sandbox.clock.schedule(1_000, look);
  };
  look();
  return () => cancel();
}

/**
 * Scene 1: the fleet boots. Each instance raises a launch lifecycle event; the scene completes the hooks
 * itself for now (the launch gate replaces this), waits for the SSM agents and the real gateway processes,
 * then probes every gateway through the real SSM client: passed when all answer healthy.
 */
export const fleetBootsScene: Scene = {
  name: "fleet boots",
  async run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult> {
    const { description } = sandbox;
    const stop = watchFleet(sandbox, timeline);
    try {
      const launches = launchLifecyclePattern(description.autoScalingGroupName);
      const expected = sandbox.fleet.instances().length;
      await sandbox.clock.runUntil(() => sandbox.events.published(launches).length >= expected, {
        limitMs: 60_000,
      });
      const events = sandbox.events.published(launches);
      timeline.log(
        `${events.length} launch lifecycle events on the bus (hook ${description.launchHookName})`,
      );
      const autoscaling = makeClient(AutoScalingClient);
      for (const event of events) {
        await autoscaling.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: description.autoScalingGroupName,
            LifecycleHookName: description.launchHookName,
            LifecycleActionToken: String(event.detail.LifecycleActionToken),
            LifecycleActionResult: "CONTINUE",
          }),
        );
      }
      timeline.log("launch hooks completed with CONTINUE (the launch gate takes this over)");
      const ready = () =>
        sandbox.fleet
          .instances()
          .every((i) => i.lifecycleState === "InService" && i.agentRegistered && i.gatewayPort);
      if (!(await sandbox.clock.runUntil(ready, { step: 1_000, limitMs: 10 * 60_000 }))) {
        return { passed: false, figures: {}, reason: "instances did not come up within 10 minutes" };
      }
      const ids = sandbox.fleet.instances().map((i) => i.instanceId);
      const endpoint = description.gateway;
      const ssm = makeClient(SSMClient);
      const { Command } = await ssm.send(
        new SendCommandCommand(
          runShellScript(ids, gatewayProbeCommands(endpoint), {
            comment: "game day: fleet boots",
            executionTimeoutSeconds: probeExecutionTimeoutSeconds(endpoint),
          }),
        ),
      );
      timeline.log(`SSM SendCommand ${Command?.CommandId}: gateway probe on ${ids.length} instances`);
      await sandbox.clock.advance(3_000);
      let healthy = 0;
      for (const id of ids) {
        const out = await ssm.send(
          new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: id }),
        );
        const verdict = judgeGatewayHealth(parseGatewayProbe(out.StandardOutputContent ?? ""), endpoint);
        timeline.log(`${id}: gateway ${verdict.healthy ? "healthy" : "UNHEALTHY"} (${verdict.reason})`);
        if (verdict.healthy) healthy += 1;
      }
      return {
        passed: healthy === ids.length && ids.length > 0,
        figures: { instances: ids.length, healthy, "AWS calls": sandbox.aws.calls().length },
        ...(healthy === ids.length ? {} : { reason: `${ids.length - healthy} gateway(s) unhealthy` }),
      };
    } finally {
      stop();
    }
  },
};
