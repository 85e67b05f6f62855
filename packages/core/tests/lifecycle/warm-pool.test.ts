import { describe, expect, it } from "vitest";
import {
  actionFromDetail,
  GATEWAY_REST_MARKER,
  GATEWAY_RESUME_MARKER,
  gatewayRestCommands,
  gatewayRestDue,
  gatewayResumeCommands,
  gatewayResumeDue,
  type LifecycleAction,
  startGate,
} from "../../src/lifecycle/index.js";
import { loadFixture } from "../events/fixtures.js";

const settings = {
  healthyProbesRequired: 2,
  probeIntervalSeconds: 15,
  deadlineSeconds: 300,
  heartbeatTimeoutSeconds: 120,
};
const launch: LifecycleAction = {
  asgName: "clawops-test-fleet",
  hookName: "clawops-launch-gate",
  instanceId: "i-0abc1234def567890",
  transition: "launch",
};
const gate = (healthyStreak: number) => ({ ...startGate(0, settings), healthyStreak });

describe("Function: actionFromDetail (warm pool)", () => {
  it.each([
    ["launch-from-warm-pool", "leaving"],
    ["launch-warm-pool", "entering"],
    ["launch", undefined],
  ])("says the %s event's instance is %s the warm pool", (name, warmPool) => {
    const event = loadFixture("aws.autoscaling", name) as unknown as {
      detail: Parameters<typeof actionFromDetail>[0];
    };
    expect(actionFromDetail(event.detail).warmPool).toBe(warmPool);
  });

  it("says an instance returning to the warm pool at scale in is entering it", () => {
    const event = loadFixture("aws.autoscaling", "terminate") as unknown as {
      detail: Parameters<typeof actionFromDetail>[0];
    };
    const detail = { ...event.detail, Origin: "AutoScalingGroup", Destination: "WarmPool" } as const;
    expect(actionFromDetail(detail)).toMatchObject({ transition: "terminate", warmPool: "entering" });
  });
});

describe("Function: gatewayResumeDue", () => {
  it.each([
    [
      "starts the gateway of an instance leaving the pool before its first healthy answer",
      "leaving",
      0,
      true,
    ],
    ["stops starting it once the gateway answered healthy", "leaving", 1, false],
    ["leaves a launch into the pool to its user data", "entering", 0, false],
    ["leaves a plain launch to its user data (the unit may not be installed yet)", undefined, 0, false],
  ] as const)("%s", (_case, warmPool, healthyStreak, due) => {
    expect(gatewayResumeDue({ ...launch, warmPool }, gate(healthyStreak))).toBe(due);
  });

  it("never starts the gateway for a terminate action", () => {
    expect(gatewayResumeDue({ ...launch, transition: "terminate", warmPool: "leaving" }, gate(0))).toBe(
      false,
    );
  });
});

describe("Function: gatewayRestDue", () => {
  it.each([
    ["stops the gateway of an instance admitted into the pool", launch, "entering", true],
    ["leaves the gateway of an instance admitted into the group running", launch, "leaving", false],
    ["leaves a plain launch alone", launch, undefined, false],
    ["leaves a return to the pool to the drain", { ...launch, transition: "terminate" }, "entering", false],
  ] as const)("%s", (_case, action, warmPool, due) => {
    expect(gatewayRestDue({ ...action, warmPool })).toBe(due);
  });
});

describe("Function: gatewayResumeCommands / gatewayRestCommands", () => {
  it("starts and stops the unit without blocking, each script recognisable by its first line", () => {
    expect(gatewayResumeCommands("openclaw-gateway")).toEqual([
      GATEWAY_RESUME_MARKER,
      "systemctl start --no-block 'openclaw-gateway'",
    ]);
    expect(gatewayRestCommands("openclaw-gateway")).toEqual([
      GATEWAY_REST_MARKER,
      "systemctl stop --no-block 'openclaw-gateway'",
    ]);
  });
});
