import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/index.js";
import { fleetNames, gatewayEndpoint } from "../../src/fleet/index.js";
import { lifecycleSettings, parseLifecycleSettings } from "../../src/lifecycle/index.js";

const base = {
  app: { name: "clawops" },
  defaults: { fleet: { mode: "reference" }, slack: { defaultChannel: "ops" } },
};

function settingsFor(config: unknown) {
  const resolved = resolveConfig(config, "test");
  const description = { ...fleetNames(resolved), gateway: gatewayEndpoint(resolved) };
  return lifecycleSettings(resolved, description as never);
}

describe("Function: lifecycleSettings", () => {
  it("takes the gate's heartbeat timeout from the reference fleet's launch hook", () => {
    expect(settingsFor(base).gate.heartbeatTimeoutSeconds).toBe(600);
  });

  it("lets the operator state the hook's heartbeat timeout", () => {
    const config = { ...base, defaults: { ...base.defaults, lifecycle: { hookHeartbeatSeconds: 120 } } };
    expect(settingsFor(config).gate.heartbeatTimeoutSeconds).toBe(120);
  });

  it("round-trips through CLAWOPS_SETTINGS", () => {
    const settings = settingsFor(base);
    expect(parseLifecycleSettings(JSON.stringify(settings))).toEqual(settings);
    expect(settings.drain).toEqual({ timeoutSeconds: 120, serviceName: "openclaw-gateway" });
  });

  it("refuses a missing CLAWOPS_SETTINGS", () => {
    expect(() => parseLifecycleSettings(undefined)).toThrow(/CLAWOPS_SETTINGS/);
  });
});
