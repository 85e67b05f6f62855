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
import { installLifecycle, outcomeOf } from "./scenes/lifecycle.js";

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
 * Scene 1: the fleet boots through the real launch gate. The lifecycle flow is installed before the first
 * instance launches; each launch lifecycle event starts a gate, which admits its instance (CONTINUE) once the
 * gateway answers healthy through SSM. The scene then probes every gateway itself through the real SSM client:
 * passed when every gate admitted its instance and every gateway answers healthy.
 */
export const fleetBootsScene: Scene = {
  name: "fleet boots",
  async run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult> {
    const { description } = sandbox;
    const stop = watchFleet(sandbox, timeline);
    const lifecycle = await installLifecycle(sandbox);
    try {
      const launches = launchLifecyclePattern(description.autoScalingGroupName);
      const expected = sandbox.fleet.instances().length;
      await sandbox.clock.runUntil(() => sandbox.events.published(launches).length >= expected, {
        limitMs: 60_000,
      });
      const events = sandbox.events.published(launches);
      timeline.log(
        `${events.length} launch lifecycle events on the bus (hook ${description.launchHookName}): each starts a launch gate`,
      );
      const ready = () =>
        sandbox.fleet
          .instances()
          .every(
            (i) =>
              i.lifecycleState === "InService" &&
              i.agentRegistered &&
              i.gatewayPort &&
              lifecycle.executionOf(i.instanceId, "launch-gate")?.status === "SUCCEEDED",
          );
      if (!(await sandbox.clock.runUntil(ready, { step: 1_000, limitMs: 10 * 60_000 }))) {
        return { passed: false, figures: {}, reason: "instances did not come up within 10 minutes" };
      }
      const ids = sandbox.fleet.instances().map((i) => i.instanceId);
      const admitted = ids.filter((id) => {
        const gate = lifecycle.executionOf(id, "launch-gate");
        const result = outcomeOf(gate);
        timeline.log(`${id}: launch gate ${gate?.status ?? "never started"}${result ? `, ${result}` : ""}`);
        return gate?.status === "SUCCEEDED" && result === "CONTINUE";
      });
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
      const passed = ids.length > 0 && admitted.length === ids.length && healthy === ids.length;
      const reasons = [
        ...(admitted.length === ids.length
          ? []
          : [`${ids.length - admitted.length} instance(s) not admitted by a launch gate`]),
        ...(healthy === ids.length ? [] : [`${ids.length - healthy} gateway(s) unhealthy`]),
      ];
      return {
        passed,
        figures: {
          instances: ids.length,
          gated: admitted.length,
          healthy,
          "AWS calls": sandbox.aws.calls().length,
        },
        ...(passed ? {} : { reason: reasons.join("; ") }),
      };
    } finally {
      lifecycle.uninstall();
      stop();
    }
  },
};
