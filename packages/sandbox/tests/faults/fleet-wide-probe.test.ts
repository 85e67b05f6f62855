import { afterEach, describe, expect, it } from "vitest";
import { type AlertsInstall, installAlerts } from "../../src/gameday/scenes/alerts.js";
import type { LifecycleInstall } from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";
import { bootedFleet } from "./booted-fleet.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";

let box: Sandbox | undefined;
let flow: LifecycleInstall | undefined;
let router: AlertsInstall | undefined;
const undo: (() => void)[] = [];

afterEach(async () => {
  for (const fn of undo.splice(0).reverse()) fn();
  flow?.uninstall();
  router?.uninstall();
  await box?.close();
  box = undefined;
  flow = undefined;
  router = undefined;
});

/** Four InService instances with real gateways, the monitor on its schedule and the alert router posting to Slack. */
async function fourGateways(): Promise<{ box: Sandbox; ids: string[] }> {
  const sandbox = await createSandbox({ config: shortHooksConfig, fleetSize: 4 });
  box = sandbox;
  undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
  router = await installAlerts(sandbox);
  flow = await bootedFleet(sandbox);
  return { box: sandbox, ids: sandbox.fleet.instances().map((i) => i.instanceId) };
}

const marked = (sandbox: Sandbox) =>
  sandbox.aws.calls("AutoScaling", "SetInstanceHealth").filter((c) => c.outcome === "ok");
const inService = (sandbox: Sandbox) =>
  sandbox.fleet.instances().filter((i) => i.lifecycleState === "InService").length;
const announced = (
  sandbox: Sandbox,
  type: "GatewayProbesFailingFleetWide" | "GatewayProbesFleetWideCleared",
) => sandbox.events.published({ source: ["clawops"], "detail-type": [type] });
/** Every message text and block the Slack workspace shows. */
const slackText = (sandbox: Sandbox) =>
  (sandbox.slack.server?.channels() ?? [])
    .flatMap((view) => view.messages.map((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`))
    .join("\n");

describe("Fault matrix: every gateway fails its probe at once (a probe or config problem)", () => {
  it("marks no instance, pages through the unhealthy-gateways alarm and says in Slack that the failure looks fleet-wide", async () => {
    const { box, ids } = await fourGateways();
    // Every gateway answers 503 (a fleet-wide fault: an upgrade moved the health route, a wrong requireJsonOk).
    for (const id of ids) await box.fleet.gateways?.setMode(id, "unhealthy");
    const found = () => announced(box, "GatewayProbesFailingFleetWide").length > 0;
    expect(await runUntilSettled(box, found, 15 * 60_000)).toBe(true);
    // Five more minutes: before the fix, each run marked one more instance while the replacements churned.
    await runUntilSettled(box, () => false, 5 * 60_000);

    expect(marked(box)).toEqual([]);
    expect(inService(box)).toBe(4);
    expect(announced(box, "GatewayProbesFailingFleetWide")).toHaveLength(1);
    expect(announced(box, "GatewayProbesFailingFleetWide")[0]?.detail).toMatchObject({
      asgName: box.description.autoScalingGroupName,
      answered: 4,
      failing: 4,
      answers: { "HTTP 503": 4 },
    });
    // The alerts rule and the router took it end to end: its own message, not a readiness drift.
    const slack = slackText(box);
    expect(slack).toMatch(/unhealthy-gateways/);
    expect(slack).toContain(`Gateway probes fail fleet-wide: ${box.description.autoScalingGroupName}`);
    expect(slack).toContain("*4 of 4* answered probes failed");
    expect(slack).toContain("check `gateway.path`, `gateway.port` and `gateway.requireJsonOk`");
    expect(slack).toContain("The monitor marks no instance until the probes stop failing fleet-wide");
    expect(slack).not.toMatch(/Readiness drift/);

    // The operator fixes the cause: one event says so, and the fleet was never touched.
    for (const id of ids) await box.fleet.gateways?.setMode(id, "healthy");
    const cleared = () => announced(box, "GatewayProbesFleetWideCleared").length > 0;
    expect(await runUntilSettled(box, cleared, 5 * 60_000)).toBe(true);
    await runUntilSettled(box, () => false, 2 * 60_000);
    expect(announced(box, "GatewayProbesFleetWideCleared")).toHaveLength(1);
    expect(slackText(box)).toContain(`Gateway probes recovered: ${box.description.autoScalingGroupName}`);
    expect(slackText(box)).toContain("the monitor marks failing gateways Unhealthy again");
    expect(marked(box)).toEqual([]);
    expect(box.deadLetters.records()).toEqual([]);
  });
});
