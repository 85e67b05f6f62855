import { describe, expect, it } from "vitest";
import {
  type AlarmThread,
  renderAlarmMessage,
  renderClawopsMessage,
  renderResolvedParent,
  renderThreadReply,
} from "../../src/alerts/index.js";
import {
  type AlarmStateChangeEvent,
  AlarmStateChangeEventSchema,
  type ClawopsEvent,
  ClawopsEventSchema,
  parseEvent,
} from "../../src/events/index.js";
import type { SlackMessage } from "../../src/slack/index.js";
import { loadFixture } from "../events/fixtures.js";

const alarmEvent = (name: string): AlarmStateChangeEvent =>
  parseEvent(AlarmStateChangeEventSchema, loadFixture("aws.cloudwatch", name));
const clawopsEvent = (name: string): ClawopsEvent =>
  parseEvent(ClawopsEventSchema, loadFixture("clawops", name));
const high = { route: { severity: "high" as const } };
const critical = { route: { severity: "critical" as const, mention: "<!subteam^S0123ABC>" } };

/** Every mrkdwn and plain text of a message, fallback text first. */
function texts(message: SlackMessage): string[] {
  const out = [message.text];
  for (const block of message.blocks) {
    if (block.type === "header") out.push(block.text.text);
    if (block.type === "section")
      out.push(block.text?.text ?? "", ...(block.fields ?? []).map((f) => f.text));
    if (block.type === "context") out.push(...block.elements.map((e) => e.text));
  }
  return out;
}
const all = (message: SlackMessage) => texts(message).join("\n");

describe("Function: renderAlarmMessage", () => {
  it("renders a metric alarm with state, severity, reason, metric, threshold, time, place and links", () => {
    const message = renderAlarmMessage(alarmEvent("metric-alarm"), {
      ...high,
      logGroupName: "/openclaw/test/openclaw/gateway",
    });
    const text = all(message);
    expect(message.color).toBe("#d93f0b");
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: ":red_circle: ALARM: clawops-test-fleet-gateway-unhealthy",
        emoji: true,
      },
    });
    expect(text).toContain("*Severity*\nhigh");
    expect(text).toContain("OK → ALARM");
    expect(text).toContain("was greater than or equal to the threshold (1.0)");
    expect(text).toContain("`Clawops / GatewayUnhealthy`");
    expect(text).toContain("*Threshold* 1 · *Recent* 2");
    expect(text).toContain("2026-03-02 12:04:40 UTC");
    expect(text).toContain("us-east-1 · 123456789012");
    expect(text).toContain(
      "<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/clawops-test-fleet-gateway-unhealthy|Alarm in CloudWatch>",
    );
    expect(text).toContain("log-group/%252Fopenclaw%252Ftest%252Fopenclaw%252Fgateway|Fleet logs>");
    expect(message).toMatchSnapshot();
  });

  it("renders a metric-math alarm's expression and inputs", () => {
    const text = all(renderAlarmMessage(alarmEvent("metric-math"), high));
    expect(text).toContain("`e1` = `100 * unhealthy / MAX([unhealthy, total])` (Unhealthy gateways (%))");
    expect(text).toContain("• `total`: `AWS/AutoScaling / GroupInServiceInstances`");
    expect(text).toContain("*Threshold* 25");
  });

  it("renders an anomaly alarm's band and thresholds", () => {
    const text = all(renderAlarmMessage(alarmEvent("anomaly"), high));
    expect(text).toContain("*Band* `ANOMALY_DETECTION_BAND(m1, 2)`");
    expect(text).toContain("*Recent* 41 · *Upper* 9.4 · *Lower* 0");
  });

  it("renders a composite alarm's rule and the children that triggered it, and mentions on critical", () => {
    const message = renderAlarmMessage(alarmEvent("composite"), critical);
    const text = all(message);
    expect(text).toContain(
      '```ALARM("clawops-test-fleet-gateway-unhealthy") OR ALARM("clawops-test-fleet-unhealthy-ratio")```',
    );
    expect(text).toContain(
      "alarm/clawops-test-fleet-gateway-unhealthy|clawops-test-fleet-gateway-unhealthy> ALARM",
    );
    expect(message.text.startsWith("<!subteam^S0123ABC> ALARM")).toBe(true);
    expect(message).toMatchSnapshot();
  });

  it("says which actions suppressor holds a composite alarm's actions back", () => {
    const event = alarmEvent("composite");
    const suppressed = {
      ...event,
      detail: {
        ...event.detail,
        state: {
          ...event.detail.state,
          actionsSuppressedBy: "Alarm",
          actionsSuppressedReason: "Alarm clawops-maintenance-window is in ALARM state",
        },
      },
    };
    const text = all(renderAlarmMessage(suppressed, high));
    expect(text).toContain(
      "Actions held back by its actions suppressor `clawops-maintenance-window` (Alarm): Alarm clawops-maintenance-window is in ALARM state; no one is mentioned.",
    );
    expect(all(renderAlarmMessage(event, high))).not.toContain("held back");
  });

  it.each([
    [
      "WaitPeriod",
      "CloudWatch waits for its actions suppressor `clawops-maintenance-window` to go into ALARM",
    ],
    [
      "ExtensionPeriod",
      "CloudWatch waits after its actions suppressor `clawops-maintenance-window` left ALARM",
    ],
  ])("says a composite alarm's actions may run after the %s, not that they are held back", (by, waits) => {
    const event = alarmEvent("composite");
    const waiting = {
      ...event,
      detail: { ...event.detail, state: { ...event.detail.state, actionsSuppressedBy: by } },
    };
    const text = all(renderAlarmMessage(waiting, high));
    expect(text).toContain(
      `Actions may be held back: ${waits} (${by}); unless it is in ALARM by then, they run when the period ends.`,
    );
    expect(text).not.toContain("Actions held back by");
  });

  it("marks a message with its note (a replay), escaped", () => {
    const message = renderAlarmMessage(alarmEvent("metric-alarm"), { ...high, note: "Replayed <!channel>" });
    expect(all(message)).toContain("Replayed &lt;!channel&gt;");
    const clawops = renderClawopsMessage(clawopsEvent("DrainFailed"), { ...high, note: "Replayed" });
    expect(all(clawops)).toContain("Replayed");
  });

  it.each([
    ["empty", ""],
    ["blank", "  \n "],
  ])("shows the alarm's name where its description is %s, never an empty section", (_, description) => {
    const event = alarmEvent("metric-alarm");
    const configuration = { ...event.detail.configuration, description };
    const blank = { ...event, detail: { ...event.detail, configuration } };
    const message = renderAlarmMessage(blank as AlarmStateChangeEvent, critical);
    const section = message.blocks.find((block) => block.type === "section");
    expect(section).toMatchObject({
      text: { text: "<!subteam^S0123ABC> *clawops-test-fleet-gateway-unhealthy*" },
    });
    expect(texts(message).every((text) => text.length > 0)).toBe(true);
  });

  it("colours OK green", () => {
    const message = renderAlarmMessage(alarmEvent("ok"), high);
    expect(message.color).toBe("#2eb67d");
    expect(all(message)).toContain("ALARM → OK");
  });
});

describe("Function: renderClawopsMessage", () => {
  it.each([
    [
      "LifecycleAbandoned",
      [
        "Launch abandoned: i-0abc1234def567890",
        "```curl: (7) Failed to connect to 127.0.0.1 port 18789: Connection refused```",
        "unhealthy at 2026-03-02 11:09:52 UTC",
      ],
    ],
    [
      "DrainFailed",
      ["Drain failed", "systemctl stop openclaw-gateway timed out", "`f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9`"],
    ],
    [
      "DrillCompleted",
      [
        "Restore drill did not verify: drill-20260302-0600",
        "RPO *1 h 11 min*",
        "RTO *15 min 12 s*",
        "148 files, 1.0 MiB",
        "`SOUL.md`: sha256 differs",
      ],
    ],
    ["DrillFailed", ["Restore drill failed", "ended FAILED", "RTO *not measured*"]],
    [
      "ReadinessDriftFound",
      [
        "Readiness drift: 1 finding(s)",
        "`compute.imdsv2-required` Instances require IMDSv2 (compute, high): *fail*",
      ],
    ],
    ["ReadinessDriftCleared", ["Readiness restored", "*pass*"]],
    ["AlertDeliveryFailed", ["did not reach Slack", "channel_not_found", "`clawops alerts replay`"]],
    [
      "GatewayProbesFailingFleetWide",
      [
        ":rotating_light: Gateway probes fail fleet-wide: clawops-test-fleet",
        "*10 of 10* answered probes failed\n• `HTTP 404` ×9\n• `connection refused: gateway not listening` ×1",
        "*Since*\n2026-03-02 10:06:00 UTC",
        "check `gateway.path`, `gateway.port` and `gateway.requireJsonOk`",
        "a health route an upgrade moved, a fleet-wide slowdown",
        "The monitor marks no instance until the probes stop failing fleet-wide",
      ],
    ],
    [
      "GatewayProbesFleetWideCleared",
      [
        ":white_check_mark: Gateway probes recovered: clawops-test-fleet",
        "*1 of 10* answered probes fail now · failed fleet-wide for *35 min*",
        "the monitor marks failing gateways Unhealthy again",
      ],
    ],
  ])("renders %s", (type, expected) => {
    const message = renderClawopsMessage(clawopsEvent(type), high);
    const text = all(message);
    for (const part of expected) expect(text).toContain(part);
    expect(message).toMatchSnapshot();
  });

  it("lists the files a drill could not verify, escaped, next to the mismatches", () => {
    const event = clawopsEvent("DrillCompleted") as ClawopsEvent & {
      detail: { fileSystems: { unverified?: { path: string; reason: string }[] }[] };
    };
    event.detail.fileSystems[0]!.unverified = [{ path: "big<1>.json", reason: "over 64 MiB: not parsed" }];
    const text = all(renderClawopsMessage(event, high));
    expect(text).toContain("*1 not verified*");
    expect(text).toContain("*Could not be verified*");
    expect(text).toContain("`big&lt;1&gt;.json`: over 64 MiB: not parsed");
  });

  it("renders a readiness drift that lists no checks without an empty section", () => {
    const event = clawopsEvent("ReadinessDriftFound") as ClawopsEvent & { detail: { checks: unknown[] } };
    event.detail.checks = [];
    expect(texts(renderClawopsMessage(event, high)).every((text) => text.length > 0)).toBe(true);
  });

  it("does not send the on-call to `clawops readiness` for gateway probes failing fleet-wide", () => {
    const text = all(renderClawopsMessage(clawopsEvent("GatewayProbesFailingFleetWide"), high));
    expect(text).not.toContain("clawops readiness");
    expect(text).not.toContain("Readiness drift");
  });

  it("mentions the route's group on gateway probes failing fleet-wide", () => {
    const message = renderClawopsMessage(clawopsEvent("GatewayProbesFailingFleetWide"), critical);
    expect(message.text).toBe(
      "<!subteam^S0123ABC> Gateway probes fail fleet-wide: clawops-test-fleet (critical)",
    );
  });

  it("escapes what the probes answered", () => {
    const event = clawopsEvent("GatewayProbesFailingFleetWide") as ClawopsEvent & {
      detail: { answers: Record<string, number> };
    };
    event.detail.answers = { "HTTP 200 but <!channel>": 3 };
    expect(all(renderClawopsMessage(event, high))).toContain("`HTTP 200 but &lt;!channel&gt;` ×3");
  });

  it("mentions the route's group on a problem", () => {
    const message = renderClawopsMessage(clawopsEvent("LifecycleAbandoned"), critical);
    expect(message.text.startsWith("<!subteam^S0123ABC> ")).toBe(true);
  });
});

describe("Function: renderResolvedParent and renderThreadReply", () => {
  const thread: AlarmThread = {
    alarmName: "clawops-test-fleet-gateway-unhealthy",
    channel: "C1",
    ts: "1.1",
    openedAt: Date.parse("2026-03-02T12:04:40.989Z"),
    openReason: "Threshold Crossed: <!channel>",
    severity: "high",
    lastState: "ALARM",
    lastStateAt: 0,
    resolved: false,
  };

  it("marks the parent resolved with the duration and the reason it fired", () => {
    const message = renderResolvedParent(alarmEvent("ok"), thread, 900_000);
    const text = all(message);
    expect(text).toContain(":white_check_mark: RESOLVED: clawops-test-fleet-gateway-unhealthy");
    expect(text).toContain("*Resolved* after *15 min*");
    expect(text).toContain("Threshold Crossed: &lt;!channel&gt;");
    expect(message).toMatchSnapshot();
  });

  it("replies with the new state and the duration", () => {
    const text = all(renderThreadReply(alarmEvent("ok"), 900_000));
    expect(text).toContain("*clawops-test-fleet-gateway-unhealthy* is *OK* after *15 min*");
  });
});
