import { afterEach, describe, expect, it } from "vitest";
import type { HungInstance } from "../../src/aws/ssm.js";
import type { LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";
import { bootedFleet } from "./booted-fleet.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";

let box: Sandbox | undefined;
let flow: LifecycleInstall | undefined;
const undo: (() => void)[] = [];

afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) fn();
  flow?.uninstall();
  await box?.close();
  box = undefined;
  flow = undefined;
});

/** Two InService instances with real gateways, the monitor on its schedule (every minute). */
async function twoGateways(): Promise<{ box: Sandbox; ids: string[] }> {
  const sandbox = await createSandbox({ config: shortHooksConfig, fleetSize: 2 });
  box = sandbox;
  undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
  flow = await bootedFleet(sandbox);
  return { box: sandbox, ids: sandbox.fleet.instances().map((i) => i.instanceId) };
}

/** Hangs instances as SSM sees them, for every command sent from now on. */
const hang = (sandbox: Sandbox, ids: readonly string[], how: HungInstance) => {
  for (const id of ids) sandbox.aws.models.ssm.hang(id, how);
};
/** Instances the monitor marked Unhealthy. */
const marked = (sandbox: Sandbox) =>
  sandbox.aws
    .calls("AutoScaling", "SetInstanceHealth")
    .filter((c) => c.outcome === "ok")
    .map((c) => c.input.InstanceId);

describe("Fault matrix: a hung host (the monitor's probe never answers)", () => {
  it.each<[HungInstance, string]>([
    ["scripts", "the probe runs and never finishes (ExecutionTimedOut)"],
    ["agent", "nothing on the host answers SSM while the other instance does (DeliveryTimedOut)"],
  ])("marks the hung instance Unhealthy, and only it, when %s: %s", async (how) => {
    const { box, ids } = await twoGateways();
    const [victim] = ids as [string, string];
    hang(box, [victim], how);

    expect(await runUntilSettled(box, () => marked(box).length > 0, 12 * 60_000)).toBe(true);
    expect(marked(box)).toEqual([victim]);
    const timedOut = box.aws.models.ssm.invocations.filter(
      (i) => i.instanceId === victim && i.status === "TimedOut",
    );
    expect(new Set(timedOut.map((i) => i.statusDetails))).toEqual(
      new Set([how === "scripts" ? "ExecutionTimedOut" : "DeliveryTimedOut"]),
    );
  });

  it("marks nothing while no host answers SSM (an SSM outage: every probe DeliveryTimedOut)", async () => {
    const { box, ids } = await twoGateways();
    hang(box, ids, "agent");

    await runUntilSettled(box, () => false, 12 * 60_000);
    expect(box.aws.models.ssm.invocations.some((i) => i.statusDetails === "DeliveryTimedOut")).toBe(true);
    expect(marked(box)).toEqual([]);
    expect(box.fleet.instances().map((i) => i.lifecycleState)).toEqual(["InService", "InService"]);
  });
});
