import { ReadinessDriftDetailSchema } from "@clawops/core/events";
import {
  detectDrift,
  driftEvents,
  evaluateReadiness,
  knownStatuses,
  type ReadinessCheck,
  type ReadinessReport,
  runCheck,
  statusesOf,
} from "@clawops/core/readiness";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { goodEvidence, NOW, settings } from "./fixtures.js";

const report = (statuses: Record<string, "pass" | "fail" | "unknown" | "attested">): ReadinessReport => ({
  runId: "run-2",
  at: NOW.toISOString(),
  stage: "test",
  fleet: "openclaw",
  areas: [],
  passed: !Object.values(statuses).includes("fail"),
  checks: Object.entries(statuses).map(([id, status]) => ({
    id,
    area: "network",
    title: id,
    severity: "high",
    status,
    explanation: "…",
    remediation: "…",
  })),
});

describe("Function: detectDrift", () => {
  it.each([
    ["a check starts failing", { a: "pass" }, { a: "fail" }, ["a"], []],
    ["a failing check clears", { a: "fail" }, { a: "pass" }, [], ["a"]],
    ["a failing check becomes attested", { a: "fail" }, { a: "attested" }, [], ["a"]],
    ["a failing check becomes unknown", { a: "fail" }, { a: "unknown" }, [], []],
    ["an unknown check fails", { a: "unknown" }, { a: "fail" }, ["a"], []],
    ["nothing changes", { a: "fail", b: "pass" }, { a: "fail", b: "pass" }, [], []],
    ["the first run fails", undefined, { a: "fail", b: "pass" }, ["a"], []],
  ] as const)("when %s", (_what, before, now, failing, cleared) => {
    const drift = detectDrift(report(now), before);
    expect(drift.newlyFailing.map((c) => c.id)).toEqual(failing);
    expect(drift.cleared.map((c) => c.id)).toEqual(cleared);
    expect(drift.changed).toBe(failing.length + cleared.length > 0);
  });
});

describe("Function: knownStatuses with detectDrift over successive runs", () => {
  /** The drift each run reports, comparing with the known statuses carried from run to run. */
  const driftOver = (runs: readonly ("pass" | "fail" | "unknown" | "attested")[]) => {
    let known: Record<string, string> | undefined;
    return runs.map((status) => {
      const current = report({ a: status });
      const drift = detectDrift(current, known as never);
      known = knownStatuses(current, known as never);
      return [drift.newlyFailing.map((c) => c.id), drift.cleared.map((c) => c.id)];
    });
  };

  it.each([
    [
      "fail, unknown, fail announces the failure once",
      ["fail", "unknown", "fail"],
      [
        [["a"], []],
        [[], []],
        [[], []],
      ],
    ],
    [
      "fail, unknown, pass clears it",
      ["fail", "unknown", "pass"],
      [
        [["a"], []],
        [[], []],
        [[], ["a"]],
      ],
    ],
    [
      "fail, unknown, unknown, attested clears it",
      ["fail", "unknown", "unknown", "attested"],
      [
        [["a"], []],
        [[], []],
        [[], []],
        [[], ["a"]],
      ],
    ],
    [
      "pass, unknown, fail announces the failure",
      ["pass", "unknown", "fail"],
      [
        [[], []],
        [[], []],
        [["a"], []],
      ],
    ],
    [
      "unknown from the start, then fail, announces it",
      ["unknown", "fail"],
      [
        [[], []],
        [["a"], []],
      ],
    ],
  ] as const)("%s", (_what, runs, expected) => {
    expect(driftOver(runs)).toEqual(expected);
  });
});

describe("Function: driftEvents", () => {
  it("emits one found and one cleared event, each valid for the alerts path", () => {
    const current = report({ a: "fail", b: "pass" });
    const events = driftEvents(current, detectDrift(current, { a: "pass", b: "fail" }));
    expect(events.map((e) => [e.detailType, e.detail.checks.map((c) => c.id)])).toEqual([
      ["ReadinessDriftFound", ["a"]],
      ["ReadinessDriftCleared", ["b"]],
    ]);
    for (const event of events)
      expect(z.safeParse(ReadinessDriftDetailSchema, event.detail).success).toBe(true);
  });

  it("emits nothing when nothing changed", () => {
    const current = report({ a: "fail" });
    expect(driftEvents(current, detectDrift(current, statusesOf(current)))).toEqual([]);
  });
});

describe("Function: evaluateReadiness", () => {
  it("reports a throwing check as unknown with the error instead of crashing", () => {
    const broken: ReadinessCheck = {
      id: "network.broken",
      area: "network",
      title: "broken",
      checklistItem: "…",
      severity: "high",
      evidence: [],
      method: "…",
      remediation: "…",
      evaluate: () => {
        throw new TypeError("cannot read properties of undefined");
      },
    };
    const outcome = runCheck(broken, goodEvidence(), settings(), NOW);
    expect(outcome.status).toBe("unknown");
    expect(outcome.explanation).toContain("TypeError: cannot read properties of undefined");
  });

  it("turns unavailable evidence into unknown for the checks that read it, and only those", () => {
    const evidence = {
      ...goodEvidence(),
      network: { unavailable: "ec2:DescribeSecurityGroups: AccessDenied" },
    };
    const result = evaluateReadiness(evidence, settings(), { runId: "r", now: NOW });
    const unknown = result.checks.filter((c) => c.status === "unknown").map((c) => c.id);
    expect(unknown).toEqual([
      "infrastructure.private-subnets",
      "network.no-inbound",
      "network.egress-allowlist",
      "network.ssh-not-public",
    ]);
    expect(result.areas.find((a) => a.area === "network")).toMatchObject({
      status: "unknown",
      unknown: 3,
      attested: 1,
    });
  });

  it("passes the whole fleet and fails its area when one check fails", () => {
    expect(evaluateReadiness(goodEvidence(), settings(), { runId: "r", now: NOW }).passed).toBe(true);
    const evidence = goodEvidence();
    const bad = { ...evidence, alarms: [] };
    const result = evaluateReadiness(bad, settings(), { runId: "r", now: NOW });
    expect(result.passed).toBe(false);
    expect(result.areas.filter((a) => a.status === "fail").map((a) => a.area)).toEqual([
      "infrastructure",
      "monitoring",
    ]);
  });
});
