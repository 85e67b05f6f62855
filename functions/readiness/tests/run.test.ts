import { metrics } from "@clawops/core";
import {
  evaluateReadiness,
  formatReadinessProbeOutput,
  READINESS_CHECKS,
  type ReadinessReport,
} from "@clawops/core/readiness";
import type { Context } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { NOW, probeResult, settings } from "../../../packages/core/tests/readiness/fixtures.js";
import { apiCalls, type FakeFleet, installFakeAws, resetCalls } from "./fake-aws.js";

process.env.CLAWOPS_SETTINGS = JSON.stringify(settings());
process.env.CLAWOPS_STATE_TABLE = "clawops-test-state";
process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-test-dlq";
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";

const { createRunHandler } = await import("../run.js");
const { gatherEvidence } = await import("../gather.js");
const { ReadinessMetric } = await import("../publish.js");
const sleeps: number[] = [];
const run = createRunHandler({ sleep: async (ms) => void sleeps.push(ms), now: () => NOW });
const context = {
  functionName: "clawops-test-readiness",
  awsRequestId: "r",
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;
const scheduled = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;
const checkIds = (event: { Detail?: string }) =>
  (JSON.parse(event.Detail ?? "{}") as { checks: { id: string }[] }).checks.map((c) => c.id);

/** The EMF blobs Powertools prints while `work` runs (its own console, as the sandbox swaps it). */
async function emfOf(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const blobs: Record<string, unknown>[] = [];
  const sink = (line: unknown) => void blobs.push(JSON.parse(String(line)) as Record<string, unknown>);
  const emf = metrics as unknown as { console: unknown };
  const previous = emf.console;
  emf.console = { log: sink, info: sink, warn: sink, error: sink, debug: sink };
  try {
    await work();
  } finally {
    emf.console = previous;
  }
  return blobs.filter((b) => "_aws" in b);
}

describe("Function: readiness run handler", () => {
  beforeAll(() => {
    sleeps.length = 0;
  });

  it("passes a fleet that meets the checklist and stores the run without drift events", async () => {
    const fake = installFakeAws({ instances: 3, latest: { runId: "prev", statuses: {} } });
    const report = (await run(scheduled, context)) as ReadinessReport;
    const failing = report.checks.filter((c) => c.status !== "pass" && c.status !== "attested");
    expect(failing.map((c) => `${c.id}: ${c.explanation} ${c.details?.join("; ") ?? ""}`)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(fake.events()).toEqual([]);
  });

  it("reports a new finding once, then stays silent while it persists, then reports it cleared", async () => {
    const fleet = {
      instances: 2,
      openIngress: true,
      latest: { runId: "prev", statuses: {} as Record<string, string> },
    };
    const first = installFakeAws(fleet);
    await run(scheduled, context);
    expect(
      first
        .events()
        .map((e) => [e.DetailType, JSON.parse(e.Detail ?? "{}").checks.map((c: { id: string }) => c.id)]),
    ).toEqual([["ReadinessDriftFound", ["network.no-inbound"]]]);
    const second = installFakeAws(fleet);
    await run(scheduled, context);
    expect(second.events()).toEqual([]);
    const third = installFakeAws({ ...fleet, openIngress: false });
    await run(scheduled, context);
    expect(third.events().map((e) => e.DetailType)).toEqual(["ReadinessDriftCleared"]);
  });

  it.each([
    ["fails again", false, []],
    ["passes", true, [["ReadinessDriftCleared", ["network.no-inbound"]]]],
  ] as const)(
    "compares with a check's last known status when a run in between could not see it and it %s",
    async (_what, fixedMeanwhile, expected) => {
      // One account whose state table carries over from run to run.
      const fleet: FakeFleet = {
        instances: 2,
        openIngress: true,
        latest: { runId: "prev", statuses: {} },
      };
      installFakeAws(fleet);
      await run(scheduled, context);
      fleet.networkDenied = true;
      const blind = installFakeAws(fleet);
      const unseen = (await run(scheduled, context)) as ReadinessReport;
      expect(unseen.checks.find((c) => c.id === "network.no-inbound")?.status).toBe("unknown");
      expect(blind.events()).toEqual([]);
      Object.assign(fleet, { networkDenied: false, openIngress: !fixedMeanwhile });
      const after = installFakeAws(fleet);
      await run(scheduled, context);
      expect(after.events().map((e) => [e.DetailType, checkIds(e)])).toEqual(expected);
    },
  );

  it("announces a finding with the next run when EventBridge refused its drift event", async () => {
    const fleet: FakeFleet = {
      instances: 2,
      openIngress: true,
      latest: { runId: "prev", statuses: {} },
      refuseEvents: true,
    };
    installFakeAws(fleet);
    await expect(run(scheduled, context)).rejects.toThrow(/^PutEvents refused drift events: 1 entry refused/);
    fleet.refuseEvents = false;
    const next = installFakeAws(fleet);
    await run(scheduled, context);
    expect(next.events().map((e) => [e.DetailType, checkIds(e)])).toEqual([
      ["ReadinessDriftFound", ["network.no-inbound"]],
    ]);
    const after = installFakeAws(fleet);
    await run(scheduled, context);
    expect(after.events()).toEqual([]);
  });

  it.each([
    [
      "fails",
      "the health monitor stopped publishing (the notBreaching alarm stays OK)",
      { monitorStopped: true },
      "fail",
    ],
    ["is unknown", "GetMetricData is denied", { metricDataDenied: true }, "unknown"],
  ] as const)("%s the gateway health check when %s", async (_verb, _what, fault, expected) => {
    installFakeAws({ instances: 2, ...fault });
    const report = (await run(scheduled, context)) as ReadinessReport;
    const health = report.checks.find((c) => c.id === "infrastructure.gateway-health");
    expect(health?.status, health?.explanation).toBe(expected);
    if (expected === "unknown") expect(health?.details?.join(" ")).toContain("AccessDenied");
    // Only the check that needs the metric's data depends on GetMetricData.
    expect(report.checks.find((c) => c.id === "monitoring.gateway-alarm-routed")?.status).toBe("pass");
  });

  it("turns a garbage probe output into unknown findings, not a pass or a crash", async () => {
    installFakeAws({
      instances: 2,
      probeOutput: (id) =>
        id.endsWith("1001") ? "Segmentation fault\n" : formatReadinessProbeOutput(probeResult()),
    });
    const report = (await run(scheduled, context)) as ReadinessReport;
    const readOnly = report.checks.find((c) => c.id === "soul-documents.workspace-read-only");
    expect(readOnly?.status).toBe("unknown");
    expect(readOnly?.details?.join(" ")).toContain("unexpected line");
  });

  it("probes in batches of 50 with one ListCommandInvocations per batch once every instance has finished", async () => {
    installFakeAws({ instances: 120 });
    sleeps.length = 0;
    await run(scheduled, context);
    const calls = apiCalls();
    expect([count(calls, "SendCommand"), count(calls, "ListCommandInvocations")]).toEqual([3, 3]);
    expect(sleeps).toEqual([10_000]);
  });

  it("looks again every 5 s only at batches still running, never past the script's bound", async () => {
    const slow = "i-1000";
    installFakeAws({
      instances: 60,
      probeStatus: (id, look) => (id === slow && look < 3 ? "InProgress" : "Success"),
    });
    sleeps.length = 0;
    const report = (await run(scheduled, context)) as ReadinessReport;
    expect(count(apiCalls(), "ListCommandInvocations")).toBe(2 + 2);
    expect(sleeps).toEqual([10_000, 5_000, 5_000]);
    expect(report.checks.every((c) => !c.details?.join(" ").includes("still InProgress"))).toBe(true);
  });

  it("reports an instance still running at the bound as unknown, having waited 47 s in all", async () => {
    installFakeAws({ instances: 2, probeStatus: (id) => (id === "i-1000" ? "InProgress" : "Success") });
    sleeps.length = 0;
    const report = (await run(scheduled, context)) as ReadinessReport;
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(47_000);
    expect(report.checks.some((c) => c.details?.join(" ").includes("still InProgress after 45 s"))).toBe(
      true,
    );
  });

  it("publishes one metric, the cost model's; the per-area counts are a property of the same line", async () => {
    installFakeAws({ instances: 2, openIngress: true });
    let report: ReadinessReport | undefined;
    const blobs = await emfOf(async () => {
      report = (await run(scheduled, context)) as ReadinessReport;
    });
    const emf = blobs as {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
      areas: string;
      ReadinessFailingTotal: number;
    }[];
    expect(emf.flatMap((b) => b._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)))).toEqual(
      Object.values(ReadinessMetric),
    );
    const areas = JSON.parse(emf[0]!.areas) as Record<string, { fail: number; unknown: number }>;
    expect(Object.keys(areas).sort()).toEqual(report?.areas.map((a) => a.area).sort());
    expect(emf[0]!.ReadinessFailingTotal).toBe(report?.areas.reduce((n, a) => n + a.fail, 0));
    expect(emf[0]!.ReadinessFailingTotal).toBeGreaterThan(0);
  });

  it("makes the same calls for 10 and 100 instances except SSM batches, and none while evaluating", async () => {
    const callsFor = async (instances: number) => {
      installFakeAws({ instances });
      await gatherEvidence(settings(), { table: "t", now: NOW, sleep: async () => {} });
      return apiCalls().filter((c) => c !== "SendCommand" && c !== "ListCommandInvocations");
    };
    const ten = await callsFor(10);
    const hundred = await callsFor(100);
    expect(hundred.sort()).toEqual(ten.sort());
    installFakeAws({ instances: 10 });
    const evidence = await gatherEvidence(settings(), { table: "t", now: NOW, sleep: async () => {} });
    resetCalls();
    const many = [...READINESS_CHECKS, ...READINESS_CHECKS, ...READINESS_CHECKS];
    evaluateReadiness(evidence, settings(), { runId: "r", now: NOW, checks: many });
    expect(apiCalls()).toEqual([]);
  });
});
