import { describe, expect, it } from "vitest";
import { renderAlarmMessage, slackBlocks } from "../../src/alerts/index.js";
import { AlarmStateChangeEventSchema, parseEvent } from "../../src/events/index.js";
import { context, header, md, mention, type SlackMessage, section } from "../../src/slack/index.js";
import { loadFixture, withField } from "../events/fixtures.js";

const message = (...blocks: SlackMessage["blocks"]): SlackMessage => ({ text: "fallback", blocks });

describe("Function: slackBlocks", () => {
  it("sends every mrkdwn text object verbatim, so Slack auto-parses no @channel or #channel in alarm text", () => {
    const raw = withField(
      loadFixture("aws.cloudwatch", "metric-alarm"),
      "detail.configuration.description",
      "disk full, tell @channel in #general",
    );
    const event = parseEvent(AlarmStateChangeEventSchema, raw);
    const route = { severity: "critical" as const, mention: "<!subteam^S0123ABC>" };

    const blocks = slackBlocks(renderAlarmMessage(event, { route }));

    const described = blocks.find((block) => block.type === "section");
    // The route's own mention stays Slack's explicit syntax, which verbatim text still shows as a mention.
    expect(described).toMatchObject({
      text: {
        type: "mrkdwn",
        text: "<!subteam^S0123ABC> disk full, tell @channel in #general",
        verbatim: true,
      },
    });
    const mrkdwn = JSON.stringify(blocks).match(/"type":"mrkdwn"[^}]*}/g) ?? [];
    expect(mrkdwn.length).toBeGreaterThan(5);
    expect(mrkdwn.every((text) => text.includes('"verbatim":true'))).toBe(true);
  });

  it("sends a runbook URL in an alarm description as an explicit link, which verbatim text keeps clickable", () => {
    const raw = withField(
      loadFixture("aws.cloudwatch", "metric-alarm"),
      "detail.configuration.description",
      "Gateway down. Runbook: https://wiki.example.com/runbooks/gateway?step=1&lang=en.",
    );
    const event = parseEvent(AlarmStateChangeEventSchema, raw);

    const blocks = slackBlocks(renderAlarmMessage(event, { route: { severity: "high" } }));

    const url = "https://wiki.example.com/runbooks/gateway?step=1&amp;lang=en";
    expect(blocks.find((block) => block.type === "section")).toMatchObject({
      text: { type: "mrkdwn", text: `Gateway down. Runbook: <${url}|${url}>.`, verbatim: true },
    });
  });

  it("leaves plain text objects (headers) as they are", () => {
    expect(slackBlocks(message(header("ALARM: x")))).toEqual([
      { type: "header", text: { type: "plain_text", text: "ALARM: x", emoji: true } },
    ]);
  });

  it.each([
    [
      "a section's empty text (its fields kept)",
      section(md``, [md`*Severity*`]),
      [{ type: "section", fields: [{ type: "mrkdwn", text: "*Severity*", verbatim: true }] }],
    ],
    ["a section with nothing left", section(md``, [md``]), []],
    [
      "a context's empty element",
      context(md``, mention("<!here>")),
      [{ type: "context", elements: [{ type: "mrkdwn", text: "<!here>", verbatim: true }] }],
    ],
    ["an empty context", context(md``), []],
    ["an empty header", header(""), []],
  ])("leaves out %s: Slack refuses text objects shorter than one character", (_, block, expected) => {
    expect(slackBlocks(message(block))).toEqual(expected);
  });
});
