import { caseKind, EvalResultsError, parseEvalResults } from "@clawops/core/readiness";
import { describe, expect, it } from "vitest";

const result = (
  skill: string,
  description: string,
  success: boolean,
  extra: Record<string, unknown> = {},
) => ({
  id: `r-${description}`,
  promptIdx: 0,
  testCase: {
    description,
    vars: { skill, input: "…" },
    assert: [{ type: "llm-rubric", value: "…" }],
    ...extra,
  },
  vars: { skill, input: "…" },
  provider: { id: "anthropic:messages:claude-sonnet-4-5", label: "" },
  response: { output: "…" },
  success,
  score: success ? 1 : 0,
  latencyMs: 812,
  gradingResult: { pass: success, score: success ? 1 : 0, reason: "…" },
});

/** The shape `promptfoo eval -o results.json` writes (version 3). */
const PROMPTFOO = {
  evalId: "eval-2026-03-01T02:00:00",
  results: {
    version: 3,
    timestamp: "2026-03-01T02:00:00.000Z",
    prompts: [{ raw: "{{input}}", label: "skill" }],
    results: [
      { ...result("crm-cleanup", "[normal] archives a stale lead", true), testIdx: 0 },
      { ...result("crm-cleanup", "[normal] archives a stale lead", true), testIdx: 0, promptIdx: 1 },
      { ...result("crm-cleanup", "bulk delete", true, { metadata: { kind: "decline" } }), testIdx: 1 },
      { ...result("crm-cleanup", "[edge] lead with no email", false), testIdx: 2 },
      { ...result("invoice-send", "sends one invoice", true, { metadata: { kind: "normal" } }), testIdx: 3 },
      { ...result("invoice-send", "[escalate] invoice over limit", true), testIdx: 4 },
    ],
    stats: { successes: 5, failures: 1, errors: 0 },
  },
  config: { description: "skills" },
  shareableUrl: null,
};

describe("Function: parseEvalResults", () => {
  const report = parseEvalResults(PROMPTFOO, {
    ingestedAt: new Date("2026-03-01T02:10:00Z"),
    scheduled: true,
  });

  it("groups cases by the skill var and counts kinds from metadata and description tags", () => {
    expect(report.skills.map((s) => [s.skill, s.cases])).toEqual([
      ["crm-cleanup", { normal: 1, "decline-escalate": 1, edge: 1, untagged: 0 }],
      ["invoice-send", { normal: 1, "decline-escalate": 1, edge: 0, untagged: 0 }],
    ]);
  });

  it("counts a case with several results once, failing if any result failed", () => {
    const crm = report.skills[0]!;
    expect([crm.passed, crm.failed, crm.failures]).toEqual([2, 1, ["[edge] lead with no email"]]);
  });

  it("stores promptfoo's timestamp and the scheduled flag", () => {
    expect(report).toMatchObject({
      runAt: "2026-03-01T02:00:00.000Z",
      scheduled: true,
      evalId: PROMPTFOO.evalId,
    });
  });

  it("groups results without a skill under (no skill)", () => {
    const bare = parseEvalResults(
      { results: [{ success: true, description: "x" }] },
      { ingestedAt: new Date(0) },
    );
    expect(bare.skills[0]?.skill).toBe("(no skill)");
  });

  it.each([
    [null],
    [{}],
    [{ results: { results: "no" } }],
    [{ results: { results: [{ description: "no success" }] } }],
  ])("refuses %j", (input) => {
    expect(() => parseEvalResults(input, { ingestedAt: new Date(0) })).toThrow(EvalResultsError);
  });
});

describe("Function: caseKind", () => {
  it.each([
    ["[edge] empty inbox", {}, "edge"],
    ["declines to wire money", {}, "decline-escalate"],
    ["x", { kind: "escalation" }, "decline-escalate"],
    ["x", { type: "happy-path" }, "normal"],
    ["summarises the thread", {}, "untagged"],
  ])("classifies %s %j as %s", (description, metadata, kind) => {
    expect(caseKind(description, metadata)).toBe(kind);
  });
});
