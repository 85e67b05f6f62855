import { describe, expect, it } from "vitest";
import { decidePreflight, type FleetSituation, type GroupInstance } from "../../src/failure-drill/index.js";

const inService = (instanceId: string, healthStatus = "Healthy"): GroupInstance => ({
  instanceId,
  lifecycleState: "InService",
  healthStatus,
});
const situation = (instances: GroupInstance[], extra: Partial<FleetSituation> = {}): FleetSituation => ({
  instances,
  instanceRefreshRunning: false,
  otherDrillRunning: false,
  alarmState: "OK",
  ...extra,
});
const A = "i-0aaaaaaaaaaaaaaa1";
const B = "i-0bbbbbbbbbbbbbbb2";
const C = "i-0ccccccccccccccc3";

describe("Function: decidePreflight", () => {
  it.each<[string, FleetSituation, string]>([
    ["one healthy gateway", situation([inService(A)]), "only 1 healthy gateway"],
    ["no instances", situation([]), "only 0 healthy gateways"],
    [
      "two instances, one Unhealthy",
      situation([inService(A), inService(B, "Unhealthy")]),
      "only 1 healthy gateway",
    ],
    [
      "two instances, one still Pending:Wait",
      situation([inService(A), { instanceId: B, lifecycleState: "Pending:Wait", healthStatus: "Healthy" }]),
      "only 1 healthy gateway",
    ],
    [
      "another drill running",
      situation([inService(A), inService(B)], { otherDrillRunning: true }),
      "another failure drill",
    ],
    [
      "an instance refresh running",
      situation([inService(A), inService(B)], { instanceRefreshRunning: true }),
      "instance refresh",
    ],
    [
      "the unhealthy-gateways alarm already in ALARM (a gateway failing that Auto Scaling still calls Healthy)",
      situation([inService(A), inService(B)], { alarmState: "ALARM" }),
      "already in ALARM",
    ],
    [
      "no unhealthy-gateways alarm to time",
      situation([inService(A), inService(B)], { alarmState: "MISSING" }),
      "alarm does not exist",
    ],
    [
      "a requested instance that is not healthy",
      situation([inService(A), inService(B), inService(C, "Unhealthy")], { requestedInstanceId: C }),
      `${C} is not an InService, healthy instance`,
    ],
  ])("refuses with %s", (_case, input, reason) => {
    const decision = decidePreflight(input);
    expect(decision.decision).toBe("refuse");
    expect(decision.reason).toContain(reason);
  });

  it.each<[string, FleetSituation, string]>([
    ["two healthy gateways: the first by id", situation([inService(B), inService(A)]), A],
    ["the requested instance", situation([inService(A), inService(B)], { requestedInstanceId: B }), B],
    [
      "an alarm without data yet",
      situation([inService(A), inService(B)], { alarmState: "INSUFFICIENT_DATA" }),
      A,
    ],
    [
      "a healthy one next to an unhealthy one",
      situation([inService(C, "Unhealthy"), inService(B), inService(A)]),
      A,
    ],
  ])("picks %s", (_case, input, instanceId) => {
    const decision = decidePreflight(input);
    if (decision.decision !== "go") throw new Error(decision.reason);
    expect(decision.instanceId).toBe(instanceId);
    expect(decision.instancesBefore).toEqual(input.instances.map((i) => i.instanceId));
  });

  it("says how many gateways keep serving", () => {
    const decision = decidePreflight(situation([inService(A), inService(B), inService(C)]));
    expect(decision.reason).toBe(`stop the gateway on ${A}; 2 healthy gateways keep serving`);
  });
});
