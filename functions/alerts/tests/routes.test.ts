import { matchesPattern } from "@clawops/core/events";
import { describe, expect, it } from "vitest";
import { alertRoutes } from "../routes.js";

const stateChange = (alarmName: string) => ({
  source: "aws.cloudwatch",
  "detail-type": "CloudWatch Alarm State Change",
  detail: { alarmName, state: { value: "ALARM" } },
});

describe("Function: alertRoutes", () => {
  const alarmRule = (stage: string, selector = {}) => {
    const route = alertRoutes(stage, selector).find((r) => r.id === "AlarmStateChange");
    if (!route) throw new Error("no alarm route");
    return route.pattern;
  };

  it.each([
    ["its own unhealthy-gateways alarm", "clawops-prod-unhealthy-gateways", true],
    ["its own dead-letter alarm", "clawops-prod-dead-letters", true],
    ["its own no-passing-drill alarm", "clawops-prod-no-passing-drill", true],
    ["the test alert", "clawops-prod-test-alert", true],
    ["stage prod-eu's alarm, whose name begins like prod's", "clawops-prod-eu-unhealthy-gateways", false],
    ["stage dev's alarm", "clawops-dev-unhealthy-gateways", false],
    ["another application's alarm", "prod-db-cpu-high", false],
  ])("routes, for stage prod, %s: %s", (_, alarmName, routed) => {
    expect(matchesPattern(alarmRule("prod"), stateChange(alarmName))).toBe(routed);
  });

  it("routes the alarms an operator selects by name or prefix besides the stage's own", () => {
    const rule = alarmRule("prod", { names: ["db-cpu-high"], namePrefixes: ["openclaw-"] });
    expect(matchesPattern(rule, stateChange("db-cpu-high"))).toBe(true);
    expect(matchesPattern(rule, stateChange("openclaw-gateway-latency"))).toBe(true);
    expect(matchesPattern(rule, stateChange("clawops-prod-unhealthy-gateways"))).toBe(true);
  });
});
