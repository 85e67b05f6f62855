import { describe, expect, it } from "vitest";
import {
  type Alert,
  alarmSeverity,
  clawopsSeverity,
  parseAlertEvent,
  routeAlert,
  toAlert,
} from "../../src/alerts/index.js";
import type { ClawopsEvent } from "../../src/events/index.js";
import { loadFixture, withField } from "../events/fixtures.js";
import { testSettings } from "./settings.js";

const alarm = (name: string, tags: Record<string, string> = {}, state = "ALARM"): Alert => {
  const event = withField(
    withField(loadFixture("aws.cloudwatch", "metric-alarm"), "detail.alarmName", name),
    "detail.state.value",
    state,
  );
  return toAlert(parseAlertEvent(event), tags);
};

describe("Function: alarmSeverity", () => {
  const settings = testSettings().alerts;
  it.each([
    ["a severity tag wins", "clawops-test-fleet-degraded", { severity: "Warning" }, "warning"],
    ["the tag key is case-insensitive", "x", { Severity: "critical" }, "critical"],
    ["an unknown tag value is ignored", "x", { severity: "sev1" }, "high"],
    ["an exact name in alarmSeverities", "clawops-test-fleet-degraded", {}, "critical"],
    ["a prefix in alarmSeverities", "clawops-test-drill-overdue", {}, "warning"],
    ["a severity segment in the name", "clawops-test-disk-critical", {}, "critical"],
    ["a severity in the middle of the name", "clawops-test-info-queue", {}, "info"],
    ["a word that only contains a severity does not count", "clawops-test-highway", {}, "high"],
    ["the default otherwise", "clawops-test-something", {}, "high"],
  ])("%s", (_, name, tags, expected) => {
    expect(alarmSeverity(name, tags, settings)).toBe(expected);
  });
});

describe("Function: clawopsSeverity", () => {
  it.each([
    ["AlertDeliveryFailed", "critical"],
    ["LifecycleAbandoned", "high"],
    ["DrillFailed", "high"],
    ["DrillCompleted", "high"],
    ["DrainFailed", "warning"],
    ["ReadinessDriftFound", "high"],
    ["ReadinessDriftCleared", "info"],
    ["GatewayProbesFailingFleetWide", "high"],
    ["GatewayProbesFleetWideCleared", "info"],
  ])("rates %s as %s", (type, expected) => {
    const event = parseAlertEvent(loadFixture("clawops", type)) as ClawopsEvent;
    expect(clawopsSeverity(event)).toBe(expected);
  });

  it("rates a passed drill as info", () => {
    const event = parseAlertEvent(withField(loadFixture("clawops", "DrillCompleted"), "detail.passed", true));
    expect(clawopsSeverity(event as ClawopsEvent)).toBe("info");
  });
});

describe("Function: routeAlert", () => {
  it.each([
    [
      "a critical alarm goes to the critical channel with its mention",
      alarm("clawops-test-fleet-degraded"),
      { action: "post", channel: "C0CRITICAL", severity: "critical", mention: "<!subteam^S0123ABC>" },
    ],
    [
      "a high alarm goes to its route without mention",
      alarm("clawops-test-gateway"),
      { action: "post", channel: "C0ALERTS", severity: "high" },
    ],
    [
      "a severity without a route goes to the default channel",
      alarm("clawops-test-x", { severity: "warning" }),
      { action: "post", channel: "C0ALERTS", severity: "warning" },
    ],
    [
      "a critical alarm's OK does not mention anyone",
      alarm("clawops-test-fleet-degraded", {}, "OK"),
      { action: "post", channel: "C0CRITICAL", severity: "critical" },
    ],
    [
      "INSUFFICIENT_DATA is posted as info",
      alarm("clawops-test-fleet-degraded", {}, "INSUFFICIENT_DATA"),
      { action: "post", channel: "C0INFO", severity: "info" },
    ],
  ])("%s", (_, alert, expected) => {
    expect(routeAlert(alert, testSettings())).toEqual(expected);
  });

  it.each([
    ["Alarm", undefined],
    ["WaitPeriod", "<!subteam^S0123ABC>"],
    ["ExtensionPeriod", "<!subteam^S0123ABC>"],
  ])(
    "mentions a critical composite alarm whose actions are suppressed by %s: %s",
    (suppressedBy, mention) => {
      const event = withField(
        loadFixture("aws.cloudwatch", "composite"),
        "detail.state.actionsSuppressedBy",
        suppressedBy,
      );
      const decision = routeAlert(toAlert(parseAlertEvent(event), { severity: "critical" }), testSettings());
      expect(decision).toEqual({
        action: "post",
        channel: "C0CRITICAL",
        severity: "critical",
        ...(mention ? { mention } : {}),
      });
    },
  );

  it("skips INSUFFICIENT_DATA when configured to ignore it", () => {
    const decision = routeAlert(
      alarm("x", {}, "INSUFFICIENT_DATA"),
      testSettings({ insufficientData: "ignore" }),
    );
    expect(decision).toEqual({ action: "skip", reason: expect.stringContaining("INSUFFICIENT_DATA") });
  });

  it("uses a channel id as is when it has no name in slack.channels", () => {
    const decision = routeAlert(alarm("x"), testSettings({ channels: {}, routes: [] }));
    expect(decision).toEqual({ action: "post", channel: "ops-alerts", severity: "high" });
  });

  it.each([
    ["GatewayProbesFailingFleetWide", "<!subteam^S0HIGH>"],
    ["GatewayProbesFleetWideCleared", undefined],
    ["ReadinessDriftFound", "<!subteam^S0HIGH>"],
    ["ReadinessDriftCleared", undefined],
  ])("mentions the route's group for %s only when it reports a problem", (type, mention) => {
    const settings = testSettings();
    const routes = settings.slack.routes.map((r) => ({ ...r, mention: r.mention ?? "<!subteam^S0HIGH>" }));
    const decision = routeAlert(toAlert(parseAlertEvent(loadFixture("clawops", type))), {
      ...settings,
      slack: { ...settings.slack, routes },
    });
    expect(decision).toMatchObject({ action: "post" });
    expect((decision as { mention?: string }).mention).toBe(mention);
  });

  it("routes clawops events by their severity", () => {
    const failed = toAlert(parseAlertEvent(loadFixture("clawops", "AlertDeliveryFailed")));
    const cleared = toAlert(parseAlertEvent(loadFixture("clawops", "ReadinessDriftCleared")));
    expect(routeAlert(failed, testSettings())).toMatchObject({
      channel: "C0CRITICAL",
      mention: "<!subteam^S0123ABC>",
    });
    expect(routeAlert(cleared, testSettings())).toEqual({
      action: "post",
      channel: "C0INFO",
      severity: "info",
    });
  });
});
