import { describe, expect, it } from "vitest";
import { foreignLifecycleEvent, lifecycleOwner } from "../../src/lifecycle/index.js";
import type { LifecycleSettings } from "../../src/lifecycle/settings.js";

const settings = {
  autoScalingGroupName: "clawops-prod-openclaw",
  launchHookName: "openclaw-launch-gate",
  terminateHookName: "openclaw-terminate-drain",
  launchGateArn: "arn:aws:states:us-east-1:123456789012:stateMachine:clawops-prod-LaunchGate",
} as LifecycleSettings;
const owner = lifecycleOwner(settings);
const event = (change: { account?: string; region?: string; group?: string; hook?: string } = {}) => ({
  account: change.account ?? "123456789012",
  region: change.region ?? "us-east-1",
  detail: {
    AutoScalingGroupName: change.group ?? "clawops-prod-openclaw",
    LifecycleHookName: change.hook ?? "openclaw-launch-gate",
  },
});

describe("Function: foreignLifecycleEvent", () => {
  it.each([
    ["accepts the fleet's launch hook", event(), undefined],
    ["accepts the fleet's terminate hook", event({ hook: "openclaw-terminate-drain" }), undefined],
    ["refuses another group", event({ group: "someone-elses" }), "another group's action (someone-elses)"],
    [
      "refuses another tool's hook on the fleet's group",
      event({ hook: "backup-agent-hook" }),
      "another hook's action (backup-agent-hook), not one of the fleet's hooks",
    ],
    ["refuses another account", event({ account: "999999999999" }), "another account's group (999999999999)"],
    ["refuses another region", event({ region: "eu-west-1" }), "another region's group (eu-west-1)"],
  ])("%s", (_case, input, reason) => {
    expect(foreignLifecycleEvent(input, owner)).toBe(reason);
  });

  it("reads the account and region from the state machine it starts", () => {
    expect(owner).toEqual({
      asgName: "clawops-prod-openclaw",
      hookNames: ["openclaw-launch-gate", "openclaw-terminate-drain"],
      account: "123456789012",
      region: "us-east-1",
    });
  });

  it("checks no account or region when it has no state machine ARN", () => {
    const unknown = lifecycleOwner({ ...settings, launchGateArn: undefined });
    expect(
      foreignLifecycleEvent(event({ account: "999999999999", region: "eu-west-1" }), unknown),
    ).toBeUndefined();
  });
});
