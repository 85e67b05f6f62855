import { describe, expect, it } from "vitest";
import {
  fitMessage,
  header,
  md,
  SLACK_LIMITS,
  type SlackBlock,
  section,
  TRUNCATION_MARKER,
  truncateMrkdwn,
  truncatePlain,
} from "../../src/slack/index.js";

describe("Function: truncateMrkdwn", () => {
  it("returns text within the limit unchanged", () => {
    expect(truncateMrkdwn("short", 10)).toBe("short");
  });

  it("cuts to the limit and marks the cut", () => {
    const out = truncateMrkdwn("x".repeat(4000), 3000);
    expect(out.length).toBeLessThanOrEqual(3000);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it.each([
    ["an entity", `${"x".repeat(2980)}&amp;&lt;&gt;${"y".repeat(100)}`],
    ["a link", `${"x".repeat(2975)}<https://example.com/long/path|label>${"y".repeat(100)}`],
    ["a surrogate pair", `${"x".repeat(2984)}${"😈".repeat(100)}`],
  ])("never cuts inside %s", (_, text) => {
    const out = truncateMrkdwn(text, 3000);
    const body = out.slice(0, -TRUNCATION_MARKER.length);
    expect(body).not.toMatch(/&[a-z]{0,3}$/);
    expect(body.lastIndexOf("<") <= body.lastIndexOf(">")).toBe(true);
    expect(body).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(out.length).toBeLessThanOrEqual(3000);
  });

  it("closes a code block the cut left open", () => {
    const out = truncateMrkdwn(`\`\`\`${"line\n".repeat(1000)}\`\`\``, 200);
    expect(out.split("```").length - 1).toBe(2);
    expect(out.endsWith(`\`\`\`${TRUNCATION_MARKER}`)).toBe(true);
  });
});

describe("Function: truncatePlain", () => {
  it("cuts headers to 150 characters with the marker", () => {
    const out = truncatePlain("h".repeat(400), SLACK_LIMITS.headerText);
    expect(out).toHaveLength(150);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

describe("Function: fitMessage", () => {
  const longSection = () => section(md`${"s".repeat(5000)}`);

  it("cuts each text object to its limit", () => {
    const message = fitMessage({
      text: "t",
      blocks: [header("h".repeat(500)), longSection(), section(undefined, [md`${"f".repeat(2500)}`])],
    });
    const [head, body, fields] = message.blocks as [SlackBlock, SlackBlock, SlackBlock];
    expect(head.type === "header" && head.text.text.length).toBe(150);
    expect(body.type === "section" && body.text?.text.length).toBeLessThanOrEqual(3000);
    expect(fields.type === "section" && fields.fields?.[0]?.text.length).toBeLessThanOrEqual(2000);
  });

  it("keeps at most 50 blocks and says how many were left out", () => {
    const blocks = Array.from({ length: 80 }, (_, i) => section(md`row ${i}`));
    const message = fitMessage({ text: "t", blocks });
    expect(message.blocks).toHaveLength(50);
    expect(JSON.stringify(message.blocks.at(-1))).toContain(`${TRUNCATION_MARKER} 31 more block(s)`);
  });

  it("keeps exactly 50 blocks untouched", () => {
    const blocks = Array.from({ length: 50 }, (_, i) => section(md`row ${i}`));
    expect(fitMessage({ text: "t", blocks }).blocks).toEqual(blocks);
  });

  it("keeps the total block text within 40,000 characters", () => {
    const blocks = Array.from({ length: 30 }, longSection);
    const message = fitMessage({ text: "x".repeat(50_000), blocks });
    const total = message.blocks.reduce((n, b) => n + JSON.stringify(b).length, 0);
    expect(total).toBeLessThan(45_000);
    expect(message.text.length).toBeLessThanOrEqual(40_000);
    expect(JSON.stringify(message.blocks.at(-1))).toContain(TRUNCATION_MARKER);
  });
});
