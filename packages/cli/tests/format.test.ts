import type { DrillVerdict } from "@clawops/core/drills";
import type { InstanceHealthHistory } from "@clawops/core/lifecycle";
import type { EvalReport, ReadinessReport } from "@clawops/core/readiness";
import { describe, expect, it } from "vitest";
import { renderDrillHistory, renderDrillSummary } from "../src/format/drill.js";
import { evalRows } from "../src/format/evals.js";
import { areaRows, areaTitle, failingChecks, renderReadiness } from "../src/format/readiness.js";
import { escapeHtml, renderReadinessHtml } from "../src/format/readiness-html.js";
import { ago, gatewayView, renderStatus, type StatusReport } from "../src/format/status.js";

const check = (id: string, status: "pass" | "fail" | "unknown" | "attested", severity = "high") => ({
  id,
  area: id.split(".")[0] as "network",
  title: `title of ${id}`,
  severity: severity as "high",
  status,
  explanation: `explanation of ${id}`,
  remediation: `fix ${id}`,
});

const report: ReadinessReport = {
  runId: "readiness-1",
  at: "2026-11-27T12:00:00.000Z",
  stage: "prod",
  fleet: "openclaw",
  passed: false,
  areas: [
    { area: "network", pass: 1, fail: 1, unknown: 0, attested: 0, status: "fail" },
    { area: "soul-documents", pass: 1, fail: 0, unknown: 0, attested: 1, status: "pass" },
  ],
  checks: [
    check("network.egress-allowlist", "fail", "warning"),
    check("network.no-inbound", "fail", "critical"),
    check("soul-documents.hashes-match", "pass"),
    check("soul-documents.pr-review", "attested"),
  ],
};

describe("Function: readiness formatting", () => {
  it.each([
    ["soul-documents", "Soul documents"],
    ["approval-gates", "Approval gates"],
    ["network", "Network"],
  ])("titles area %s as %s", (area, title) => {
    expect(areaTitle(area)).toBe(title);
  });

  it("marks areas with ✓ and ✗ and their counts", () => {
    expect(areaRows(report.areas)).toEqual([
      ["Network", "✗", "1", "1", "0", "0"],
      ["Soul documents", "✓", "1", "0", "0", "1"],
    ]);
  });

  it("lists failing checks critical first, each with its remediation", () => {
    expect(failingChecks(report).map((c) => c.id)).toEqual([
      "network.no-inbound",
      "network.egress-allowlist",
    ]);
    const text = renderReadiness(report).join("\n");
    expect(text).toContain("fix: fix network.no-inbound");
    expect(text).toContain("2 check(s) fail");
    expect(text).toContain("soul-documents.pr-review");
  });

  it("writes a self-contained HTML report with the areas and the fixes, escaped", () => {
    const html = renderReadinessHtml({ ...report, fleet: "<script>alert(1)</script>" });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toMatch(/<link|src=|href="http/);
    expect(html).toContain("Soul documents");
    expect(html).toContain("fix network.no-inbound");
    expect(html).toContain("2 check(s) fail");
  });

  it.each([
    ["a & b", "a &amp; b"],
    ['"<x>"', "&quot;&lt;x&gt;&quot;"],
  ])("escapes %s for HTML", (text, escaped) => {
    expect(escapeHtml(text)).toBe(escaped);
  });
});

const verdict: DrillVerdict = {
  drillId: "cli-20261127T120000Z",
  passed: false,
  failed: false,
  reason: "fs-2: 1 file(s) differ",
  fileSystems: [
    {
      fileSystemId: "fs-1",
      recoveryPointArn: "arn:aws:backup:us-east-1:1:recovery-point:rp-1",
      rpoSeconds: 3600,
      rtoSeconds: 912,
      filesVerified: 12,
      bytesVerified: 2048,
      mismatches: [],
      passed: true,
    },
    {
      fileSystemId: "fs-2",
      recoveryPointArn: "arn:aws:backup:us-east-1:1:recovery-point:rp-2",
      rpoSeconds: 7200,
      rtoSeconds: 100,
      filesVerified: 3,
      bytesVerified: 10,
      mismatches: [{ path: "SOUL.md", reason: "hash differs" } as never],
      passed: false,
    },
  ],
};

describe("Function: drill formatting", () => {
  it("ends with the per-file-system table and the verdict", () => {
    const text = renderDrillSummary(verdict).join("\n");
    expect(text).toContain("rp-1");
    expect(text).toContain("15m 12s");
    expect(text).toContain("FAIL (1 mismatches)");
    expect(text).toContain("FAILED: fs-2: 1 file(s) differ");
  });

  it("lists history with the worst RPO and RTO of each drill", () => {
    const text = renderDrillHistory([
      { drillId: verdict.drillId, startedAt: "2026-11-27T12:00:00Z", passed: false, verdict },
    ]).join("\n");
    expect(text).toContain("2h 00m");
    expect(text).toContain("15m 12s");
    expect(text).toContain("FAIL");
  });

  it("lists under the table the files a file system's verifier could not check, in either record shape", () => {
    const withUnverified = {
      ...verdict,
      fileSystems: [
        {
          ...verdict.fileSystems[0]!,
          passed: false,
          unverified: [{ path: "memory.sqlite", reason: "integrity unknown" }],
        },
        { ...verdict.fileSystems[1]!, unverified: ["big.json"] },
      ],
    } as DrillVerdict;
    const lines = renderDrillSummary(withUnverified);
    expect(lines).toContain("fs-1: 1 file(s) could not be verified: memory.sqlite (integrity unknown)");
    expect(lines).toContain("fs-2: 1 file(s) could not be verified: big.json");
  });

  it("says nothing about unverified files when every file was checked", () => {
    expect(renderDrillSummary(verdict).join("\n")).not.toContain("could not be verified");
  });

  it("ends with the kept file systems and how to remove them, or says none was kept", () => {
    const kept = [
      { fileSystemId: "fs-0k", howToRemove: "aws efs delete-file-system --file-system-id fs-0k" },
    ];
    expect(renderDrillSummary(verdict, undefined, kept).slice(-2)).toEqual([
      "Kept for inspection (1); remove each when done:",
      "  fs-0k: aws efs delete-file-system --file-system-id fs-0k",
    ]);
    expect(renderDrillSummary(verdict, undefined, []).at(-1)).toBe("No restored file system was kept.");
  });

  it("says how to start when no drill ran", () => {
    expect(renderDrillHistory([])).toEqual(["No drill has run yet: start one with clawops drill."]);
  });
});

describe("Function: status formatting", () => {
  it.each([
    [30, "30s ago"],
    [600, "10m ago"],
    [7200, "2h ago"],
    [3 * 86400, "3d ago"],
  ])("says %i seconds as %s", (seconds, text) => {
    expect(ago("2026-11-27T12:00:00.000Z", Date.parse("2026-11-27T12:00:00.000Z") + seconds * 1000)).toBe(
      text,
    );
  });

  it("shows a failing gateway, a never-run readiness and a non-empty dead-letter queue", () => {
    const status: StatusReport = {
      stage: "prod",
      fleet: "openclaw",
      autoScalingGroupName: "asg",
      capacity: { desired: 2, min: 2, max: 4 },
      instances: [
        {
          instanceId: "i-1",
          lifecycleState: "InService",
          healthStatus: "Healthy",
          gateway: "failing",
          consecutiveFailures: 2,
          silentRuns: 0,
        },
        {
          instanceId: "i-2",
          lifecycleState: "InService",
          healthStatus: "Healthy",
          gateway: "no answer",
          consecutiveFailures: 0,
          silentRuns: 2,
        },
      ],
      controlPlane: {
        healthMonitor: { lastRunAt: "2026-11-27T12:00:00.000Z" },
        readiness: null,
        drill: null,
        deadLetterQueue: { depth: 3 },
      },
    };
    const text = renderStatus(status, Date.parse("2026-11-27T12:01:00.000Z")).join("\n");
    expect(text).toContain("failing (2)");
    expect(text).toContain("no answer (2 runs)");
    expect(text).toContain("60s ago");
    expect(text).toContain("never");
    expect(text).toContain("3 message(s): run clawops alerts replay");
  });
});

describe("Function: gatewayView", () => {
  it.each([
    ["not probed yet", undefined, { gateway: "not probed yet", consecutiveFailures: null, silentRuns: null }],
    [
      "healthy",
      { failures: 0, firstSeenAt: 1 },
      { gateway: "healthy", consecutiveFailures: 0, silentRuns: 0 },
    ],
    [
      "failing",
      { failures: 2, firstSeenAt: 1 },
      { gateway: "failing", consecutiveFailures: 2, silentRuns: 0 },
    ],
    [
      "no answer while SSM answers the fleet",
      { failures: 0, firstSeenAt: 1, silentRuns: 2 },
      { gateway: "no answer", consecutiveFailures: 0, silentRuns: 2 },
    ],
    [
      "failing once the silence counts",
      { failures: 1, firstSeenAt: 1, silentRuns: 3 },
      { gateway: "failing", consecutiveFailures: 1, silentRuns: 3 },
    ],
  ])("reads %s", (_name, history, view) => {
    expect(gatewayView(history as InstanceHealthHistory | undefined)).toEqual(view);
  });
});

describe("Function: evalRows", () => {
  it("marks a skill without an edge case or with a failure as not ok", () => {
    const evals: EvalReport = {
      runAt: "2026-11-27T12:00:00Z",
      ingestedAt: "2026-11-27T12:00:00Z",
      scheduled: false,
      skills: [
        {
          skill: "email",
          cases: { normal: 1, "decline-escalate": 1, edge: 1, untagged: 0 },
          passed: 3,
          failed: 0,
          failures: [],
        },
        {
          skill: "crm",
          cases: { normal: 2, "decline-escalate": 1, edge: 0, untagged: 0 },
          passed: 3,
          failed: 0,
          failures: [],
        },
      ],
    };
    expect(evalRows(evals).map((r) => [r[0], r[5], r[6]])).toEqual([
      ["email", "3/3", "✓"],
      ["crm", "3/3", "✗"],
    ]);
  });
});
