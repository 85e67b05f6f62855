import { afterEach, describe, expect, it } from "vitest";
import type { WarmPoolState } from "../../src/aws/autoscaling-engine.js";
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

const TEN_MINUTES = 10 * 60_000;

describe("Sandbox end to end: warm pool with ReuseOnScaleIn", () => {
  it("keeps the gateway of a Running pool instance stopped while it waits in the pool, and starts it when a scale out takes the instance", async () => {
    // Prepare: a one-instance fleet, then a Running warm pool of one, gated on its way in.
    const box = await createSandbox({ config: shortHooksConfig, fleetSize: 1 });
    sandbox = box;
    const flow = await installLifecycle(box);
    install = flow;
    const engine = box.aws.models.autoScaling;
    const group = engine.group(box.description.autoScalingGroupName);
    const pool = engine.putWarmPool(group, { minSize: 1, poolState: "Running", reuseOnScaleIn: true });
    const [pooled] = [...pool.members.keys()];
    if (!pooled) throw new Error("the warm pool launched no instance");
    await box.clock.runUntil(() => pool.members.get(pooled)?.lifecycleState === "Warmed:Running", {
      limitMs: TEN_MINUTES,
    });
    await box.clock.advance(5_000);
    // Assess 1: admitted into the pool once healthy, and its gateway does not run there.
    expect(JSON.parse(flow.executionOf(pooled, "launch-gate")?.output ?? "{}").completion).toEqual({
      result: "CONTINUE",
    });
    expect(box.fleet.gateways?.statusOf(pooled)?.running).toBe(false);

    // Act: scale out; the pool instance leaves the pool for the group.
    group.desired = 2;
    engine.reconcile(group);
    expect(group.members.get(pooled)?.lifecycleState).toBe("Pending");
    await box.clock.runUntil(() => group.members.get(pooled)?.lifecycleState === "InService", {
      limitMs: TEN_MINUTES,
    });
    // Assess 2: in service with its gateway running.
    expect(group.members.get(pooled)?.lifecycleState).toBe("InService");
    expect(box.fleet.gateways?.statusOf(pooled)?.running).toBe(true);
  });

  it.each<WarmPoolState>(["Running", "Hibernated", "Stopped"])(
    "puts an instance back in service from a %s pool after a scale in drained it into the pool",
    async (poolState) => {
      // Prepare: a one-instance fleet whose group returns instances to an (empty) warm pool at scale in.
      const box = await createSandbox({ config: shortHooksConfig, fleetSize: 1 });
      sandbox = box;
      const flow = await installLifecycle(box);
      install = flow;
      const engine = box.aws.models.autoScaling;
      const group = engine.group(box.description.autoScalingGroupName);
      const pool = engine.putWarmPool(group, { minSize: 0, poolState, reuseOnScaleIn: true });
      const state = (id: string) =>
        group.members.get(id)?.lifecycleState ?? pool.members.get(id)?.lifecycleState;
      const resize = (desired: number) => {
        group.desired = desired;
        engine.reconcile(group);
      };
      const inService = () => [...group.members.values()].filter((m) => m.lifecycleState === "InService");
      await box.clock.runUntil(() => inService().length === 1, { limitMs: TEN_MINUTES });
      resize(2);
      await box.clock.runUntil(() => inService().length === 2, { limitMs: TEN_MINUTES });

      // Act 1: scale in. The instance goes back to the pool through the terminate hook; the drain stops its gateway.
      resize(1);
      const [returned] = [...pool.members.keys()];
      if (!returned) throw new Error("the scale in returned no instance to the warm pool");
      await box.clock.runUntil(() => state(returned) === `Warmed:${poolState}`, { limitMs: TEN_MINUTES });
      expect(flow.executionOf(returned, "terminate-drain")?.status).toBe("SUCCEEDED");
      expect(box.fleet.gateways?.statusOf(returned)?.running).toBe(false);

      // Act 2: scale out. The same instance leaves the pool and goes through the launch gate again.
      resize(2);
      expect(state(returned)).toBe("Pending");
      const gates = () =>
        box.stepFunctions.list(flow.launchGateArn).filter((e) => e.name.startsWith(`${returned}-`));
      const exitGate = () => gates().find((e) => JSON.parse(e.input).action.warmPool === "leaving");
      await box.clock.runUntil(() => ["SUCCEEDED", "FAILED"].includes(exitGate()?.status ?? ""), {
        limitMs: TEN_MINUTES,
      });
      await box.clock.advance(5_000);

      // Assess: the gate started the gateway, CONTINUEd, and the instance serves; nothing was abandoned.
      expect(JSON.parse(exitGate()?.output ?? "{}").completion).toEqual({ result: "CONTINUE" });
      expect(state(returned)).toBe("InService");
      expect(box.fleet.gateways?.statusOf(returned)?.running).toBe(true);
      expect(box.events.published({ source: ["clawops"], "detail-type": ["LifecycleAbandoned"] })).toEqual(
        [],
      );
    },
  );
});
