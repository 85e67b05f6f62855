import { describe, expect, it } from "vitest";
import defaultConfig from "../../../../clawops.config.js";
import { mergeSettings, resolveConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

const minimal = {
  app: { name: "clawops", region: "us-east-1" },
  defaults: { fleet: { mode: "reference" }, slack: { defaultChannel: "ops-alerts" } },
};

function withStage(prod: Record<string, unknown>) {
  return { ...minimal, stages: { prod } };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("Function: resolveConfig", () => {
  it("fills every documented default for a minimal stage", () => {
    const { settings } = resolveConfig(minimal, "dev");

    expect(settings.gateway).toEqual({
      port: 18789,
      path: "/health",
      requireJsonOk: false,
      probeTimeoutSeconds: 5,
    });
    expect(settings.fleet).toMatchObject({
      mode: "reference",
      instanceType: "t4g.small",
      lifecycleHooks: { launchDefaultResult: "ABANDON", terminateDefaultResult: "CONTINUE" },
    });
    expect(settings.logRetentionDays).toBe(365);
    expect(settings.monitor.schedule).toBe("rate(1 minute)");
  });

  it("merges the stage's overrides over the defaults, objects key by key", () => {
    const { settings } = resolveConfig(withStage({ gateway: { port: 28789 } }), "prod");

    expect(settings.gateway.port).toBe(28789);
    expect(settings.gateway.path).toBe("/health");
    expect(settings.slack.defaultChannel).toBe("ops-alerts");
  });

  it("validates the repository's own clawops.config.ts for every stage it names", () => {
    for (const stage of ["dev", "prod", "sandbox"]) {
      expect(resolveConfig(defaultConfig, stage).stage).toBe(stage);
    }
  });

  it.each([
    [{ gateway: { port: 70000 } }, "stages.prod.gateway.port: got 70000, expected a number <= 65535"],
    [
      { gateway: { path: "health" } },
      'stages.prod.gateway.path: got "health", expected a URL path starting with "/"',
    ],
    [
      { logRetentionDays: 10 },
      "stages.prod.logRetentionDays: got 10, expected one of CloudWatch's retention values",
    ],
    [
      { fleet: { mode: "reference", lifecycleHooks: { launchDefaultResult: "MAYBE" } } },
      'stages.prod.fleet.lifecycleHooks.launchDefaultResult: got "MAYBE", expected one of "ABANDON", "CONTINUE"',
    ],
    [
      { egressAllowlist: [{ name: "all", cidr: "0.0.0.0/0" }] },
      'stages.prod.egressAllowlist.0.cidr: got "0.0.0.0/0", expected a specific destination',
    ],
    [
      { egressAllowlist: [{ name: "none" }] },
      'stages.prod.egressAllowlist.0: got {"name":"none"}, expected exactly one of cidr or prefixListId',
    ],
    [
      { fleet: { mode: "imprt" } },
      'stages.prod.fleet.mode: got "imprt", expected fleet.mode must be "reference"',
    ],
    [
      { monitor: { schedule: "every minute" } },
      'stages.prod.monitor.schedule: got "every minute", expected a rate() of minutes or hours',
    ],
    [
      { monitor: { schedule: "cron(0/5 * * * ? *)" } },
      'stages.prod.monitor.schedule: got "cron(0/5 * * * ? *)", expected a rate() of minutes or hours',
    ],
    [
      { monitor: { schedule: "rate(2 hours)" } },
      'stages.prod.monitor.schedule: got "rate(2 hours)", expected a rate between 1 minute and 1 hour',
    ],
    [
      { slack: { routes: [{ severity: "urgent", channel: "x" }] } },
      'stages.prod.slack.routes.0.severity: got "urgent", expected one of "critical", "high", "warning", "info"',
    ],
  ])("names the field, the value and what is expected for %j", (override, expected) => {
    expect(messageOf(() => resolveConfig(withStage(override), "prod"))).toContain(expected);
  });

  it("attributes a missing required field to the defaults when no stage sets it", () => {
    const message = messageOf(() =>
      resolveConfig({ app: {}, defaults: { fleet: { mode: "reference" } } }, "dev"),
    );

    expect(message).toContain('clawops.config.ts is invalid for stage "dev"');
    expect(message).toContain("defaults.slack: got nothing");
  });

  it("requires every id of an imported fleet, by name", () => {
    const message = messageOf(() =>
      resolveConfig(
        withStage({ fleet: { mode: "import", autoScalingGroupName: "agents", vpcId: "vpc-1" } }),
        "prod",
      ),
    );

    expect(message).toContain("stages.prod.fleet.instanceRoleArn: got nothing");
    expect(message).toContain("stages.prod.fleet.workspaceFileSystemId: got nothing");
    expect(message).not.toContain("fleet.vpcId");
  });
});

describe("Function: mergeSettings", () => {
  it.each([
    [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 5 } }, { a: 1, b: { c: 5, d: 3 } }],
    [{ list: [1, 2] }, { list: [3] }, { list: [3] }],
    [{ a: 1 }, undefined, { a: 1 }],
    [{ a: { b: 1 } }, { a: null }, { a: null }],
  ])("merges %j with %j into %j", (base, override, expected) => {
    expect(mergeSettings(base, override)).toEqual(expected);
  });
});
