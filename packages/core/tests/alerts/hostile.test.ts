import { describe, expect, it } from "vitest";
import { renderAlarmMessage, renderClawopsMessage, renderThreadReply } from "../../src/alerts/index.js";
import { AlarmStateChangeEventSchema, ClawopsEventSchema, parseEvent } from "../../src/events/index.js";
import type { SlackMessage } from "../../src/slack/index.js";
import { loadFixture } from "../events/fixtures.js";
import { HOSTILE_STRINGS } from "../slack/hostile.js";

/** Angle-bracket tokens clawops itself may emit: console links and the configured mention. */
const TRUSTED = [
  /^<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^|<>\s]*\|[^<>|]*>$/,
  /^<!subteam\^S0123ABC>$/,
];

function mrkdwnTexts(message: SlackMessage): string[] {
  const out = [message.text];
  for (const block of message.blocks) {
    if (block.type === "section")
      out.push(block.text?.text ?? "", ...(block.fields ?? []).map((f) => f.text));
    if (block.type === "context") out.push(...block.elements.map((e) => e.text));
  }
  return out;
}

/** A URL in the text, linked as itself (`<url|url>`): its label cannot say anything but where it goes. */
function selfLabelledLink(token: string): boolean {
  const [target, label, ...rest] = token.slice(1, -1).split("|");
  return /^https?:\/\/[^\s<>|]+$/.test(target ?? "") && label === target && rest.length === 0;
}

function untrustedTokens(message: SlackMessage): string[] {
  return mrkdwnTexts(message)
    .flatMap((text) => text.match(/<[^>]*>?/g) ?? [])
    .filter((token) => !TRUSTED.some((pattern) => pattern.test(token)) && !selfLabelledLink(token));
}

const route = { route: { severity: "critical" as const, mention: "<!subteam^S0123ABC>" } };

describe("Escaping of AWS text in rendered messages", () => {
  it.each(HOSTILE_STRINGS.map((s) => [s]))("neutralises %j in every alarm field", (hostile) => {
    for (const fixture of ["metric-alarm", "composite", "metric-math"]) {
      const raw = loadFixture("aws.cloudwatch", fixture);
      raw.detail.alarmName = `clawops-test-${hostile}`;
      const detail = raw.detail as Record<string, Record<string, unknown>>;
      (detail.configuration as Record<string, unknown>).description = hostile;
      (detail.state as Record<string, unknown>).reason = hostile;
      (detail.configuration as Record<string, unknown>).alarmRule = hostile;
      const event = parseEvent(AlarmStateChangeEventSchema, raw);
      const message = renderAlarmMessage(event, { ...route, logGroupName: hostile });
      expect(untrustedTokens(message)).toEqual([]);
      expect(untrustedTokens(renderThreadReply(event))).toEqual([]);
    }
  });

  it.each(HOSTILE_STRINGS.map((s) => [s]))("neutralises %j in clawops events", (hostile) => {
    for (const type of [
      "LifecycleAbandoned",
      "DrillCompleted",
      "ReadinessDriftFound",
      "AlertDeliveryFailed",
    ]) {
      const raw = JSON.parse(
        JSON.stringify(loadFixture("clawops", type)).replaceAll("i-0abc1234def567890", "HOSTILE"),
      );
      const text = JSON.stringify(raw).replaceAll("HOSTILE", JSON.stringify(hostile).slice(1, -1));
      const event = parseEvent(ClawopsEventSchema, JSON.parse(text));
      for (const key of ["reason", "output", "title", "channel"]) {
        (event.detail as Record<string, unknown>)[key] = hostile;
      }
      expect(untrustedTokens(renderClawopsMessage(event, route))).toEqual([]);
    }
  });

  it("never turns a hostile name into a ping in the plain-text header", () => {
    const raw = loadFixture("aws.cloudwatch", "metric-alarm");
    raw.detail.alarmName = "<!channel>";
    const message = renderAlarmMessage(parseEvent(AlarmStateChangeEventSchema, raw), route);
    expect(message.blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text" } });
  });
});
