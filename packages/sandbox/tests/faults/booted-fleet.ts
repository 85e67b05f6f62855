import { installLifecycle, type LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import type { Sandbox } from "../../src/sandbox.js";

/**
 * Installs the lifecycle flows and waits until every instance of the sandbox's fleet is InService with its
 * gateway up (the reconciler gates the instances that launched before the hooks existed); the caller uninstalls.
 */
export async function bootedFleet(sandbox: Sandbox): Promise<LifecycleInstall> {
  const flow = await installLifecycle(sandbox);
  await sandbox.clock.runUntil(
    () => sandbox.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"),
    { limitMs: 60_000 },
  );
  await flow.reconcile();
  const up = await sandbox.clock.runUntil(
    () => sandbox.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
    { limitMs: 10 * 60_000 },
  );
  if (!up) throw new Error(`the fleet did not boot: ${JSON.stringify(sandbox.fleet.instances())}`);
  return flow;
}
