import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

const config = (drills: Record<string, unknown> = {}) => ({
  app: { name: "clawops", region: "us-east-1" },
  defaults: { fleet: { mode: "reference" }, slack: { defaultChannel: "ops-alerts" }, drills },
});

describe("Function: resolveConfig, drills.compareRuntimeBytes", () => {
  it("does not compare runtime bytes with the recovery point's size by default", () => {
    expect(resolveConfig(config(), "dev").settings.drills.compareRuntimeBytes).toBe(false);
  });

  it("refuses true, saying that EFS reports a backup's delta, not the file system's size", () => {
    const load = () => resolveConfig(config({ compareRuntimeBytes: true }), "dev");

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/defaults\.drills\.compareRuntimeBytes: got true, expected false: .*delta/);
  });
});
