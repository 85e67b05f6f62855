import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

const minimal = {
  app: { name: "clawops", region: "us-east-1" },
  defaults: { fleet: { mode: "reference" }, slack: { defaultChannel: "ops-alerts" } },
};
const imported = {
  mode: "import",
  autoScalingGroupName: "acme-openclaw",
  instanceRoleArn: "arn:aws:iam::123456789012:role/acme-openclaw-instance",
  vpcId: "vpc-0abc1234def567890",
  subnetIds: ["subnet-0aaa1111bbbb2222c"],
  availabilityZones: ["us-east-1a"],
  securityGroupIds: ["sg-0123456789abcdef0"],
  workspaceFileSystemId: "fs-0aa11bb22cc33dd44",
  workspaceAccessPointId: "fsap-0123456789abcdef0",
  runtimeFileSystemId: "fs-0ee55ff66aa77bb88",
  runtimeAccessPointId: "fsap-0fedcba9876543210",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/openclaw-AbCdEf",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
  backupVaultName: "acme-openclaw",
  backupPlanId: "a1b2c3d4",
  gatewayLogGroupName: "/acme/openclaw/gateway",
  sessionLogGroupName: "/acme/openclaw/sessions",
  manifestParameterName: "/acme/openclaw/soul-manifest",
};

const withStage = (prod: Record<string, unknown>) => ({ ...minimal, stages: { prod } });

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("Function: resolveConfig (lifecycle hook limits)", () => {
  it.each([
    ["the defaults", {}],
    [
      "a deadline that ends one probe interval before the launch action",
      { lifecycle: { launchDeadlineSeconds: 2995, hookHeartbeatSeconds: 30, probeIntervalSeconds: 5 } },
    ],
    ["an imported fleet's default deadline (hook assumed 300 s)", { fleet: imported }],
    [
      "an imported fleet's long drain (its terminate hook is unknown)",
      { fleet: imported, lifecycle: { drainTimeoutSeconds: 3600 } },
    ],
  ])("accepts %s", (_case, prod) => {
    expect(() => resolveConfig(withStage(prod), "prod")).not.toThrow();
  });

  it.each([
    [
      "a launch deadline past 100 heartbeat timeouts of the launch hook",
      { lifecycle: { launchDeadlineSeconds: 7200, hookHeartbeatSeconds: 30, probeIntervalSeconds: 5 } },
      "stages.prod.lifecycle.launchDeadlineSeconds: got 7200, expected at most 2995: AWS ends a launch action after min(100 × the launch hook's HeartbeatTimeout of 30s, 48 h) = 3000s",
    ],
    [
      "a launch deadline past the reference fleet's launch hook",
      {
        fleet: { mode: "reference", lifecycleHooks: { launchHeartbeatSeconds: 60 } },
        lifecycle: { launchDeadlineSeconds: 6000 },
      },
      "stages.prod.lifecycle.launchDeadlineSeconds: got 6000, expected at most 5985",
    ],
    [
      "a launch deadline past an imported hook's assumed 300 s",
      { fleet: imported, lifecycle: { launchDeadlineSeconds: 30_000 } },
      "stages.prod.lifecycle.launchDeadlineSeconds: got 30000, expected at most 29985",
    ],
    [
      "a drain timeout past 100 heartbeat timeouts of the terminate hook",
      {
        fleet: { mode: "reference", lifecycleHooks: { terminateHeartbeatSeconds: 30 } },
        lifecycle: { drainTimeoutSeconds: 3600 },
      },
      "stages.prod.lifecycle.drainTimeoutSeconds: got 3600, expected at most 2990: AWS ends a terminate action after min(100 × the terminate hook's HeartbeatTimeout of 30s, 48 h) = 3000s",
    ],
  ])("rejects %s, naming the setting and the limit", (_case, prod, line) => {
    expect(messageOf(() => resolveConfig(withStage(prod), "prod"))).toContain(line);
  });
});

describe("Function: resolveConfig (an imported fleet's restore testing plan)", () => {
  it("keeps the plan's ARN for the Drills stack's rule", () => {
    const arn = "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:acme_openclaw_weekly-a1b2c3";
    const { settings } = resolveConfig(
      withStage({ fleet: { ...imported, restoreTestingPlanArn: arn } }),
      "prod",
    );

    expect(settings.fleet).toMatchObject({ mode: "import", restoreTestingPlanArn: arn });
  });
});

describe("Function: resolveConfig (probe interval vs the launch hook's heartbeat timeout)", () => {
  it.each([
    ["the repository's default hooks", {}],
    [
      "a 60 s reference launch hook (the sandbox's short hooks)",
      { fleet: { mode: "reference", lifecycleHooks: { launchHeartbeatSeconds: 60 } } },
    ],
    [
      "an interval that leaves exactly the gate's reads of one probe (20 s) and its tasks' 5 s",
      { lifecycle: { hookHeartbeatSeconds: 60, probeIntervalSeconds: 35 } },
    ],
    [
      "a 30 s launch hook with a 5 s interval",
      { lifecycle: { hookHeartbeatSeconds: 30, probeIntervalSeconds: 5 } },
    ],
  ])("accepts %s", (_case, prod) => {
    expect(() => resolveConfig(withStage(prod), "prod")).not.toThrow();
  });

  it.each([
    [
      "a 60 s interval with a 30 s launch hook",
      { lifecycle: { hookHeartbeatSeconds: 30, probeIntervalSeconds: 60, launchDeadlineSeconds: 600 } },
      "stages.prod.lifecycle.probeIntervalSeconds: got 60, expected at most 5 (it is 60s): the launch gate heartbeats the launch hook (HeartbeatTimeout 30s",
    ],
    [
      "a 30 s launch hook with the default 15 s interval (one probe is read for 20 s)",
      { lifecycle: { hookHeartbeatSeconds: 30 } },
      "lifecycle.probeIntervalSeconds: got nothing, expected at most 5 (it is 15s)",
    ],
    [
      "a 50 s interval with a 60 s launch hook, which leaves one probe's executionTimeout but not the gate's 20 s of reads",
      { lifecycle: { hookHeartbeatSeconds: 60, probeIntervalSeconds: 50, launchDeadlineSeconds: 600 } },
      "stages.prod.lifecycle.probeIntervalSeconds: got 50, expected at most 35 (it is 50s): the launch gate heartbeats the launch hook (HeartbeatTimeout 60s: lifecycle.hookHeartbeatSeconds, else fleet.lifecycleHooks.launchHeartbeatSeconds) only when it decides after a probe, so a probe interval plus the gate's reads of one probe (20s",
    ],
    [
      "a slow probe that leaves no room for the interval",
      {
        fleet: { mode: "reference", lifecycleHooks: { launchHeartbeatSeconds: 60 } },
        gateway: { probeTimeoutSeconds: 30 },
      },
      "lifecycle.probeIntervalSeconds: got nothing, expected at most 9 (it is 15s)",
    ],
  ])("rejects %s, naming the interval, the hook and the probe timeout", (_case, prod, line) => {
    const message = messageOf(() => resolveConfig(withStage(prod), "prod"));
    expect(message).toContain(line);
    expect(message).toContain("gateway.probeTimeoutSeconds");
  });
});
