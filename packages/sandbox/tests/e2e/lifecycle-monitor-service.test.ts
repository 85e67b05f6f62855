import { metrics } from "@clawops/core";
import { MONITOR_SERVICE_NAME } from "@clawops/core/lifecycle";
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

/** The `service` dimension CloudWatch stored a metric under (its first series of that name). */
function serviceOf(box: Sandbox, name: string): string | undefined {
  const metric = box.aws.models.cloudWatch.store.metrics().find((m) => m.name === name);
  return metric?.dimensions.find((d) => d.Name === "service")?.Value;
}

describe("Sandbox: the lifecycle monitor's service dimension", () => {
  it("files the monitor's metrics under its service and gives later functions' metrics their own back", async () => {
    // Prepare: a fleet with the lifecycle flow, whose monitor runs every minute.
    const box = await createSandbox({ config: shortHooksConfig, fleetSize: 1, gateways: false });
    sandbox = box;
    install = await installLifecycle(box);
    // Act: the monitor runs to its end; then another function of the same process publishes a metric.
    await box.clock.runUntil(() => serviceOf(box, "UnhealthyGateways") !== undefined, {
      limitMs: 5 * 60_000,
    });
    await new Promise((resolve) => setImmediate(resolve));
    metrics.addMetric("SandboxAfterMonitor", "Count", 1);
    metrics.publishStoredMetrics();
    // Assess: as in AWS, where each function is its own process with its own POWERTOOLS_SERVICE_NAME.
    expect(serviceOf(box, "UnhealthyGateways")).toBe(MONITOR_SERVICE_NAME);
    expect(serviceOf(box, "SandboxAfterMonitor")).toBeDefined();
    expect(serviceOf(box, "SandboxAfterMonitor")).not.toBe(MONITOR_SERVICE_NAME);
  });
});
