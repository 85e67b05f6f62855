import { afterEach, describe, expect, it } from "vitest";
import { installLifecycle, type LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";

let sandbox: Sandbox | undefined;
let install: LifecycleInstall | undefined;

afterEach(async () => {
  install?.uninstall();
  await sandbox?.close();
  sandbox = undefined;
  install = undefined;
});

describe("Sandbox end to end: another team's lifecycle hook on the fleet's group", () => {
  it("admits the instance once and publishes nothing while another launch hook still holds it, reconciler run after run", async () => {
    // Prepare: an imported fleet's group often carries another team's launch hook (bootstrap, inventory).
    const box = await createSandbox({ config: shortHooksConfig, fleetSize: 1 });
    sandbox = box;
    const engine = box.aws.models.autoScaling;
    engine.putHook(engine.group(box.description.autoScalingGroupName), {
      LifecycleHookName: "bootstrap-config",
      LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      HeartbeatTimeout: 3600,
      DefaultResult: "CONTINUE",
    });
    const flow = await installLifecycle(box);
    install = flow;
    const [instance] = box.fleet.instances();
    const id = instance?.instanceId ?? "";
    // Act: the event's gate CONTINUEs clawops' hook; the other hook keeps the instance in Pending:Wait.
    await box.clock.runUntil(() => flow.executionOf(id, "launch-gate")?.status === "SUCCEEDED", {
      limitMs: 10 * 60_000,
    });
    for (let run = 0; run < 3; run += 1) {
      await box.clock.advance(5 * 60_000);
      await flow.reconcile();
    }
    await box.clock.advance(60_000);
    // Assess: still waiting on the other hook, one gate ran (the event's), nothing published.
    expect(box.fleet.instances().find((i) => i.instanceId === id)?.lifecycleState).toBe("Pending:Wait");
    expect(box.stepFunctions.list(flow.launchGateArn).map((e) => e.name)).toEqual([
      expect.stringMatching(/^i-[0-9a-f]+-[0-9a-f-]{36}$/),
    ]);
    expect(box.events.published({ source: ["clawops"], "detail-type": ["LifecycleAbandoned"] })).toEqual([]);
  });
});
