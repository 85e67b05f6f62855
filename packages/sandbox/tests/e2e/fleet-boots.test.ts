/**
 * The game day's first scene: the fleet boots through the real launch gate (the lifecycle flow as the stack
 * deploys it), not through hooks the scene completes itself.
 */
import { launchLifecyclePattern } from "@clawops/core/events";
import { afterAll, describe, expect, it } from "vitest";
import { fleetBootsScene } from "../../src/gameday/fleet-boots.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

let sandbox: Sandbox | undefined;

afterAll(async () => {
  await sandbox?.close();
});

describe("Game day scene: fleet boots", () => {
  it("admits every instance through its own launch gate, each CONTINUEd once its gateway answered healthy", async () => {
    sandbox = await createSandbox({ fleetSize: 2 });
    const lines: string[] = [];

    const result = await fleetBootsScene.run(sandbox, { log: (line) => void lines.push(line) });

    expect(result, lines.join("\n")).toMatchObject({
      passed: true,
      figures: { instances: 2, gated: 2, healthy: 2 },
    });
    const ids = sandbox.fleet.instances().map((i) => i.instanceId);
    for (const id of ids) expect(lines).toContain(`${id}: launch gate SUCCEEDED, CONTINUE`);
    // Every hook was completed by a gate, with its launch event's token, after that instance's gateway probes.
    const tokens = new Map(
      sandbox.events
        .published(launchLifecyclePattern(sandbox.description.autoScalingGroupName))
        .map((e) => [String(e.detail.LifecycleActionToken), String(e.detail.EC2InstanceId)]),
    );
    const completions = sandbox.aws
      .calls("AutoScaling", "CompleteLifecycleAction")
      .filter((c) => c.outcome === "ok");
    const completed = completions.map((c) => [
      tokens.get(String(c.input.LifecycleActionToken)),
      c.input.LifecycleActionResult,
    ]);
    expect([...completed].sort()).toEqual(ids.map((id) => [id, "CONTINUE"]).sort());
    for (const [index, completion] of completions.entries()) {
      const id = String(completed[index]?.[0]);
      const probes = sandbox.aws
        .calls("SSM", "SendCommand")
        .filter((c) => c.at <= completion.at && (c.input.InstanceIds as string[]).includes(id));
      expect(probes.length, id).toBeGreaterThan(0);
    }
  });
});
