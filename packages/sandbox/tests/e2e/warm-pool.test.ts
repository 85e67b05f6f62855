import { afterEach, describe, expect, it } from "vitest";
import type { WarmPool } from "../../src/aws/autoscaling-engine.js";
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

/** A one-instance fleet whose group gets a warm pool of one; the lifecycle flow is installed before or after. */
async function fleetWithWarmPool(
  flowInstalled: "before the pool" | "after the pool",
): Promise<{ box: Sandbox; flow: LifecycleInstall; pool: WarmPool; pooled: string }> {
  const box = await createSandbox({ config: shortHooksConfig, fleetSize: 1 });
  sandbox = box;
  if (flowInstalled === "before the pool") install = await installLifecycle(box);
  const engine = box.aws.models.autoScaling;
  const pool = engine.putWarmPool(engine.group(box.description.autoScalingGroupName), { minSize: 1 });
  const [pooled] = [...pool.members.keys()];
  if (!pooled) throw new Error("the warm pool launched no instance");
  if (flowInstalled === "after the pool") {
    // The pool's launch event goes by with no rule on the bus: nobody gates the instance.
    await box.clock.runUntil(() => pool.members.get(pooled)?.lifecycleState === "Warmed:Pending:Wait", {
      limitMs: 60_000,
    });
    install = await installLifecycle(box);
  }
  if (!install) throw new Error("lifecycle flow not installed");
  return { box, flow: install, pool, pooled };
}

describe("Sandbox end to end: warm pool", () => {
  it("gates a launch into the warm pool: the instance rests in the pool only once its gateway answered healthy", async () => {
    const { box, flow, pool, pooled } = await fleetWithWarmPool("before the pool");
    await box.clock.runUntil(() => pool.members.get(pooled)?.lifecycleState === "Warmed:Stopped", {
      limitMs: 10 * 60_000,
    });
    expect(pool.members.get(pooled)?.lifecycleState).toBe("Warmed:Stopped");
    const execution = flow.executionOf(pooled, "launch-gate");
    expect(execution?.name).toMatch(/^i-[0-9a-f]+-[0-9a-f-]{36}$/);
    expect(JSON.parse(execution?.output ?? "{}").completion).toEqual({ result: "CONTINUE" });
    const probed = box.aws
      .calls("SSM", "SendCommand")
      .filter((c) => (c.input.InstanceIds as string[]).includes(pooled));
    expect(probed.length).toBeGreaterThanOrEqual(2);
  });

  it("reconciles a warm-pool entry whose lifecycle event was lost, from DescribeWarmPool", async () => {
    const { box, flow, pool, pooled } = await fleetWithWarmPool("after the pool");
    expect(flow.executionOf(pooled, "launch-gate")).toBeUndefined();
    await flow.reconcile();
    await box.clock.runUntil(() => pool.members.get(pooled)?.lifecycleState === "Warmed:Stopped", {
      limitMs: 10 * 60_000,
    });
    expect(pool.members.get(pooled)?.lifecycleState).toBe("Warmed:Stopped");
    const execution = flow.executionOf(pooled, "launch-gate");
    expect(execution?.name).toMatch(/-reconcile-\d{12}$/);
    expect(JSON.parse(execution?.output ?? "{}").completion).toEqual({ result: "CONTINUE" });
    expect(box.aws.calls("AutoScaling", "DescribeWarmPool").length).toBeGreaterThan(0);
  });
});
