import { describe, expect, it } from "vitest";
import {
  decideStorm,
  paginateStorm,
  renderStormPage,
  STORM_PAGE_CHARS,
  type StormEntry,
  stormPages,
  stormRenderStep,
  stormWindowStart,
} from "../../src/alerts/index.js";

describe("Function: decideStorm", () => {
  it.each([
    [1, 5, "individual"],
    [5, 5, "individual"],
    [6, 5, "grouped"],
    [1000, 5, "grouped"],
  ] as const)("puts transition %i with threshold %i in %s", (position, threshold, expected) => {
    expect(decideStorm(position, threshold)).toBe(expected);
  });
});

describe("Function: stormWindowStart", () => {
  it("aligns windows so every invocation agrees", () => {
    const start = Date.parse("2026-03-02T12:00:00Z");
    expect(stormWindowStart(start + 59_999, 60)).toBe(start);
    expect(stormWindowStart(start + 60_000, 60)).toBe(start + 60_000);
  });
});

describe("Function: stormRenderStep", () => {
  it.each([
    [
      "is done once its entry is rendered",
      { position: 7, renderedCount: 7, now: 0, nextRenderAt: 99 },
      { action: "done" },
    ],
    [
      "renders when the slot is free",
      { position: 8, renderedCount: 7, now: 100, nextRenderAt: 100 },
      { action: "render" },
    ],
    [
      "waits for the slot otherwise",
      { position: 8, renderedCount: 7, now: 100, nextRenderAt: 600 },
      { action: "wait", ms: 500 },
    ],
  ])("%s", (_, input, expected) => {
    expect(stormRenderStep(input)).toEqual(expected);
  });
});

describe("Function: stormPages", () => {
  const entry = (alarmName: string, state: StormEntry["state"], at: number): StormEntry => ({
    alarmName,
    state,
    at,
  });

  it("shows each alarm once with its latest state, in order of first appearance", () => {
    const entries = [entry("a", "ALARM", 1), entry("b", "ALARM", 2), entry("a", "OK", 3)];
    const pages = stormPages(entries, () => 1, 10);
    expect(pages).toEqual([[entry("a", "OK", 3), entry("b", "ALARM", 2)]]);
  });

  it("splits into pages by the length of their lines, not by a count", () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(`a${i}`, "ALARM", i));
    expect(stormPages(entries, (e) => e.alarmName.length, 20).map((page) => page.length)).toEqual([
      10, 6, 6, 3,
    ]);
  });
});

describe("Function: paginateStorm", () => {
  // CDK-generated alarm names (stack, logical id, hash): 68 characters.
  const cdkName = (i: number) =>
    `prod-clawops-Lifecycle-GatewayUnhealthyAlarm${String(i).padStart(3, "0")}A1B2C3D4-1A2B3C4D5E6F`;

  it("shows every alarm of every page, whatever the length of the names", () => {
    const entries: StormEntry[] = Array.from({ length: 1200 }, (_, i) => ({
      alarmName: cdkName(i),
      state: i % 3 === 0 ? "OK" : "ALARM",
      at: i,
    }));
    expect(cdkName(0)).toHaveLength(68);
    const pages = paginateStorm(entries);
    expect(pages.flat()).toHaveLength(1200);
    expect(pages.length).toBeGreaterThan(1);
    for (const [index, page] of pages.entries()) {
      const message = renderStormPage(page, {
        windowStart: 0,
        windowSeconds: 60,
        total: 1205,
        page: index,
        pages: pages.length,
        region: "us-east-1",
      });
      const json = JSON.stringify(message.blocks);
      expect(json).not.toContain("truncated");
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      for (const block of message.blocks)
        if (block.type === "section") expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      for (const e of page) expect(json).toContain(e.alarmName);
    }
  });

  it("keeps a page's lines within STORM_PAGE_CHARS", () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({
      alarmName: cdkName(i),
      state: "ALARM" as const,
      at: i,
    }));
    const [first] = paginateStorm(entries);
    const message = renderStormPage(first!, {
      windowStart: 0,
      windowSeconds: 60,
      total: 2000,
      page: 0,
      pages: 2,
      region: "us-east-1",
    });
    const listed = message.blocks
      .filter((b) => b.type === "section")
      .slice(1)
      .reduce((n, b) => n + (b.type === "section" ? (b.text?.text.length ?? 0) : 0), 0);
    expect(listed).toBeLessThanOrEqual(STORM_PAGE_CHARS);
  });
});

describe("Function: renderStormPage", () => {
  it("lists 400 alarms within Slack's limits, every name visible", () => {
    const entries = Array.from({ length: 400 }, (_, i) => ({
      alarmName: `clawops-bench-fleet-gateway-${String(i).padStart(4, "0")}`,
      state: "ALARM" as const,
      at: i,
    }));
    const message = renderStormPage(entries, {
      windowStart: 0,
      windowSeconds: 60,
      total: 1000,
      page: 0,
      pages: 3,
      region: "us-east-1",
    });
    const json = JSON.stringify(message.blocks);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(json).not.toContain("truncated");
    for (const e of entries) expect(json).toContain(e.alarmName);
    expect(message.text).toContain("1000 alarm changes");
  });
});
