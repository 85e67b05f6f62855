import { afterEach, describe, expect, it } from "vitest";
import {
  deadGatewayIsAbandoned,
  installLifecycle,
  killedGatewayIsReplaced,
  type LifecycleInstall,
  slowBootIsAdmitted,
} from "../../src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";

/** Short hooks and deadlines, so a test plays minutes, not hours. */
const config = shortHooksConfig;

const lines: string[] = [];
const timeline = { log: (line: string) => void lines.push(line) };
let sandbox: Sandbox | undefined;
let install: LifecycleInstall | undefined;

/** A one-instance fleet whose first launch action the reconciler hands to the real launch gate. */
async function bootedFleet(): Promise<{ box: Sandbox; flow: LifecycleInstall }> {
  const box = await createSandbox({ config, fleetSize: 1 });
  sandbox = box;
  const flow = await installLifecycle(box);
  install = flow;
  await box.clock.runUntil(() => box.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"), {
    limitMs: 60_000,
  });
  await flow.reconcile();
  await box.clock.runUntil(
    () => box.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
    {
      limitMs: 10 * 60_000,
    },
  );
  return { box, flow };
}

afterEach(async () => {
  install?.uninstall();
  await sandbox?.close();
  sandbox = undefined;
  install = undefined;
  lines.length = 0;
});

describe("Sandbox end to end: lifecycle", () => {
  it("admits the first instance through the launch gate its lifecycle event started, with a real gateway", async () => {
    const { box, flow } = await bootedFleet();
    const [instance] = box.fleet.instances();
    const execution = flow.executionOf(instance?.instanceId ?? "", "launch-gate");
    expect(execution?.name).toMatch(/^i-[0-9a-f]+-[0-9a-f-]{36}$/);
    expect(JSON.parse(execution?.output ?? "{}").completion).toEqual({ result: "CONTINUE" });
  });

  it("waits through a slow boot with heartbeats, then completes CONTINUE", async () => {
    const { box, flow } = await bootedFleet();
    const result = await slowBootIsAdmitted(box, flow, timeline);
    expect(result).toMatchObject({ passed: true });
    expect(result.heartbeats).toBeGreaterThan(0);
    expect(
      box.aws.calls("SSM", "SendCommand").every((c) => c.input.DocumentName === "AWS-RunShellScript"),
    ).toBe(true);
  });

  it("abandons a gateway that never comes up and publishes LifecycleAbandoned with its last probe", async () => {
    const { box, flow } = await bootedFleet();
    const result = await deadGatewayIsAbandoned(box, flow, timeline);
    expect(result).toMatchObject({ passed: true });
    const [event] = box.events.published({ source: ["clawops"], "detail-type": ["LifecycleAbandoned"] });
    expect(String((event?.detail.lastProbe as { output?: string })?.output)).toContain("HTTP 503");
  });

  it("replaces an instance whose gateway was killed: monitor marks it Unhealthy, the replacement passes the gate", async () => {
    const { box, flow } = await bootedFleet();
    const result = await killedGatewayIsReplaced(box, flow, timeline);
    expect(result, lines.join("\n")).toMatchObject({ passed: true });
    expect(box.aws.calls("SSM", "SendCommand").length).toBeGreaterThan(0);
    const drains = box.stepFunctions.list(flow.terminateDrainArn);
    expect(drains.map((d) => d.status)).toContain("SUCCEEDED");
  });
});
