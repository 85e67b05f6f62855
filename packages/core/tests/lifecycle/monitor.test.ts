import { describe, expect, it } from "vitest";
import { formatGatewayProbeOutput } from "../../src/lifecycle/index.js";
import {
  decideInstanceHealth,
  fleetWideFailure,
  groupTransitions,
  type InstanceHealthHistory,
  limitMarks,
  monitorProbeFromInvocation,
  NOT_PROBED,
  REFUSED_PROBE,
  replacementsInFlight,
  SILENT_RUNS_BEFORE_FAILING,
  ssmAnsweredFleet,
} from "../../src/lifecycle/monitor.js";

const endpoint = { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 };
const answered = (status: number) =>
  formatGatewayProbeOutput(
    status === 0 ? { curlExit: 7, status: 0, body: "" } : { curlExit: 0, status, body: "" },
  );

describe("Function: monitorProbeFromInvocation", () => {
  it.each([
    ["still pending", { status: "Pending", stdout: "", stderr: "" }],
    [
      "not delivered in time (TimedOut, DeliveryTimedOut)",
      { status: "TimedOut", statusDetails: "DeliveryTimedOut", stdout: "", stderr: "" },
    ],
    ["timed out without saying where", { status: "TimedOut", stdout: "", stderr: "" }],
    [
      "still running when collected (InProgress)",
      { status: "InProgress", statusDetails: "InProgress", stdout: "", stderr: "" },
    ],
    ["retried by SSM (Delayed)", { status: "Delayed", statusDetails: "Delayed", stdout: "", stderr: "" }],
    [
      "undeliverable (Failed, Undeliverable)",
      { status: "Failed", statusDetails: "Undeliverable", stdout: "", stderr: "" },
    ],
    [
      "failed before printing its contract",
      { status: "Failed", stdout: "", stderr: "bash: curl: not found" },
    ],
    ["cancelled", { status: "Cancelled", statusDetails: "Cancelled", stdout: "", stderr: "" }],
    ["output SSM cut or the script mangled", { status: "Success", stdout: "CLAWOPS_PROBE=gat", stderr: "" }],
  ])("counts a probe SSM did not run to the end as unknown: %s", (_case, result) => {
    expect(monitorProbeFromInvocation(result, endpoint).healthy).toBeUndefined();
  });

  it("says an instance with no invocation in the collected commands was not probed, which is not silence", () => {
    expect(monitorProbeFromInvocation(undefined, endpoint)).toEqual(NOT_PROBED);
    expect(NOT_PROBED).toMatchObject({ healthy: undefined, notProbed: true });
    expect(
      monitorProbeFromInvocation({ status: "Pending", stdout: "", stderr: "" }, endpoint).notProbed,
    ).toBeUndefined();
  });

  it.each([
    ["a refused connection", 0, false],
    ["HTTP 503", 503, false],
    ["HTTP 200", 200, true],
  ])("counts a probe the gateway answered: %s", (_case, status, healthy) => {
    const probe = monitorProbeFromInvocation(
      { status: "Success", stdout: answered(status), stderr: "" },
      endpoint,
    );
    expect(probe.healthy).toBe(healthy);
  });

  it("counts a probe that ran on the instance and did not finish (TimedOut, ExecutionTimedOut) as failed: a hung host", () => {
    const probe = monitorProbeFromInvocation(
      { status: "TimedOut", statusDetails: "ExecutionTimedOut", stdout: "", stderr: "" },
      endpoint,
    );
    expect(probe).toEqual({ healthy: false, reason: expect.stringContaining("ExecutionTimedOut") });
  });

  it("counts an instance SSM refused to send the probe to as a failed probe, naming InvalidInstanceId", () => {
    expect(REFUSED_PROBE).toEqual({ healthy: false, reason: expect.stringContaining("InvalidInstanceId") });
  });
});

describe("Function: limitMarks", () => {
  const candidates = (n: number) => Array.from({ length: n }, (_, i) => `i-${i}`);
  it.each([
    ["marks a killed gateway in a group of one", 1, 1, 0, 1],
    ["marks one killed gateway in a group of three", 1, 3, 0, 1],
    ["marks one of ten failing gateways in a group of ten", 10, 10, 0, 1],
    ["marks one of two failing gateways in a group of two", 2, 2, 0, 1],
    ["marks 10% of a group of 100", 100, 100, 0, 10],
    ["marks every candidate under the cap", 3, 100, 0, 3],
    ["never marks the last instance clawops has not marked", 1, 2, 1, 0],
    ["marks none while the instances it marked before are still InService (they use the cap)", 5, 20, 18, 0],
    ["marks up to the cap less the marks still InService", 5, 40, 1, 3],
  ])("%s", (_case, due, inService, alreadyMarked, marked) => {
    const limit = limitMarks(candidates(due), {
      inService,
      inGroup: inService,
      alreadyMarked,
      pending: 0,
      terminating: 0,
      probed: inService,
    });
    expect(limit.mark).toEqual(candidates(due).slice(0, marked));
    expect(limit.heldBack.map((h) => h.instanceId)).toEqual(candidates(due).slice(marked));
  });

  it("never marks the last InService gateway while the one it marked before is Terminating and its replacement Pending", () => {
    // A group of two, both gateways down: run 1 marks i-a; the group moves it to Terminating:Wait and launches
    // its replacement into Pending:Wait, so run 2 sees one InService instance in a group of three.
    expect(
      limitMarks(["i-a", "i-b"], {
        inService: 2,
        inGroup: 2,
        alreadyMarked: 0,
        pending: 0,
        terminating: 0,
        probed: 2,
      }).mark,
    ).toEqual(["i-a"]);
    const run2 = limitMarks(["i-b"], {
      inService: 1,
      inGroup: 3,
      alreadyMarked: 0,
      pending: 1,
      terminating: 1,
      probed: 1,
    });
    expect(run2.mark).toEqual([]);
    expect(run2.heldBack[0]?.reason).toMatch(/leave no InService instance clawops has not marked/);
  });

  it("keeps nine InService gateways of ten while the replacements of the one it marked are still in flight, whatever the runs", () => {
    // Every gateway fails (a fault they share): a marked instance drains in Terminating:Wait, then its replacement
    // waits in Pending:Wait, fails the same probe at the launch gate, is ABANDONed and relaunched: never InService.
    let inService = 10;
    let terminating = 0;
    let pending = 0;
    for (let run = 0; run < 30; run++) {
      pending += terminating; // a minute passes: the drained instances are gone, their replacements wait
      terminating = 0;
      const due = Array.from({ length: inService }, (_, i) => `i-${i}`);
      const { mark } = limitMarks(due, {
        inService,
        inGroup: inService + terminating + pending,
        alreadyMarked: 0,
        pending,
        terminating,
        probed: inService,
      });
      inService -= mark.length;
      terminating += mark.length;
    }
    expect(inService).toBe(9);
  });

  it.each([
    ["an instance it marked still InService", 1, 0, 0],
    ["a marked instance draining (Terminating:Wait)", 0, 0, 1],
    ["a replacement in the launch gate (Pending:Wait)", 0, 1, 0],
  ])("counts %s against the run's cap", (_case, alreadyMarked, pending, terminating) => {
    const limit = limitMarks(candidates(2), {
      inService: 10,
      inGroup: 11,
      alreadyMarked,
      pending,
      terminating,
      probed: 10,
    });
    expect(limit.mark).toEqual([]);
    expect(limit.heldBack[0]?.reason).toMatch(
      /marked earlier or being replaced still use this run's cap of 1/,
    );
  });

  it("marks again once the replacements are InService", () => {
    expect(
      limitMarks(candidates(2), {
        inService: 20,
        inGroup: 21,
        alreadyMarked: 0,
        pending: 0,
        terminating: 1,
        probed: 20,
      }).mark,
    ).toEqual(["i-0"]);
  });

  it("marks nothing when the probes fail fleet-wide, and says so with what they answered", () => {
    const fleetWide = fleetWideFailure(
      Array.from({ length: 10 }, () => ({ healthy: false, reason: "HTTP 404" })),
    );
    const limit = limitMarks(candidates(3), {
      inService: 10,
      inGroup: 10,
      alreadyMarked: 0,
      pending: 0,
      terminating: 0,
      probed: 10,
      fleetWide,
    });
    expect(limit.mark).toEqual([]);
    expect(limit.heldBack[0]?.reason).toBe(
      "the probes fail fleet-wide (10 of 10 answered probes failed: HTTP 404 ×10): a probe or configuration problem, not dead instances",
    );
  });

  it("says why an instance is held back", () => {
    expect(
      limitMarks(candidates(3), {
        inService: 10,
        inGroup: 10,
        alreadyMarked: 0,
        pending: 0,
        terminating: 0,
        probed: 10,
      }).heldBack[0],
    ).toEqual({
      instanceId: "i-1",
      reason: "over this run's cap of 1 mark(s) (10% of 10 InService)",
    });
    expect(
      limitMarks(["i-0"], {
        inService: 2,
        inGroup: 2,
        alreadyMarked: 1,
        pending: 0,
        terminating: 0,
        probed: 2,
      }).heldBack[0]?.reason,
    ).toMatch(/leave no InService instance clawops has not marked/);
  });

  it("marks nothing when SSM ran the probe on no instance (every one refused)", () => {
    const limit = limitMarks(candidates(3), {
      inService: 3,
      inGroup: 3,
      alreadyMarked: 0,
      pending: 0,
      terminating: 0,
      probed: 0,
    });
    expect(limit.mark).toEqual([]);
    expect(limit.heldBack[0]?.reason).toMatch(/SSM ran the probe on no instance/);
  });

  it("takes another share when asked", () => {
    expect(
      limitMarks(
        candidates(10),
        { inService: 10, inGroup: 10, alreadyMarked: 0, pending: 0, terminating: 0, probed: 10 },
        0.5,
      ).mark,
    ).toHaveLength(5);
  });
});

describe("Function: decideInstanceHealth when the probe says nothing", () => {
  const T0 = Date.parse("2026-03-02T10:00:00Z");
  const settings = { unhealthyAfter: 3, gracePeriodSeconds: 300, periodSeconds: 60 };
  const old: InstanceHealthHistory = { failures: 0, firstSeenAt: T0 - 3_600_000, runs: 60 };
  const silent = { healthy: undefined, reason: "probe command TimedOut: SSM did not run it to the end" };
  const K = SILENT_RUNS_BEFORE_FAILING;
  it.each<[string, InstanceHealthHistory, boolean, string, number, number | undefined]>([
    ["counts a silent run while SSM answered the fleet, still unknown", old, true, "unknown", 0, 1],
    [
      "stays unknown one silent run short of the limit",
      { ...old, silentRuns: K - 2 },
      true,
      "unknown",
      0,
      K - 1,
    ],
    [
      "counts the silent run that reaches the limit as a failed probe",
      { ...old, silentRuns: K - 1 },
      true,
      "failing",
      1,
      K,
    ],
    [
      "marks a host silent past the limit at the Nth failure",
      { ...old, silentRuns: K + 1, failures: 2 },
      true,
      "mark-unhealthy",
      3,
      K + 2,
    ],
    [
      "counts nothing while SSM answered too few instances",
      { ...old, silentRuns: K + 5, failures: 2 },
      false,
      "unknown",
      2,
      K + 5,
    ],
  ])("%s", (_case, history, ssmAnswered, verdict, failures, silentRuns) => {
    const decision = decideInstanceHealth(history, silent, settings, T0, ssmAnswered);
    expect(decision.verdict).toBe(verdict);
    expect(decision.history.failures).toBe(failures);
    expect(decision.history.silentRuns).toBe(silentRuns);
    if (verdict !== "unknown") expect(decision.probe.reason).toMatch(/no probe answer for \d+ runs in a row/);
  });

  it.each<[string, InstanceHealthHistory | undefined, number | undefined]>([
    ["a new instance's first run (no probe was sent to it yet)", undefined, undefined],
    ["an instance one silent run short of failing", { ...old, silentRuns: K - 1 }, K - 1],
    [
      "an instance already counted failing for its silence",
      { ...old, silentRuns: K + 1, failures: 2 },
      K + 1,
    ],
  ])(
    "does not count a run that did not probe the instance (no invocation) as silent: %s",
    (_case, history, silentRuns) => {
      const decision = decideInstanceHealth(history, NOT_PROBED, settings, T0, true);
      expect(decision.verdict).toBe("unknown");
      expect(decision.history.silentRuns).toBe(silentRuns);
      expect(decision.history.failures).toBe(history?.failures ?? 0);
    },
  );

  it.each([
    ["a healthy answer", true],
    ["a failed answer", false],
  ])("forgets the silent runs at %s", (_case, healthy) => {
    const decision = decideInstanceHealth(
      { ...old, silentRuns: K + 1 },
      { healthy, reason: "r" },
      settings,
      T0,
      true,
    );
    expect(decision.history.silentRuns).toBeUndefined();
  });
});

describe("Function: ssmAnsweredFleet", () => {
  it.each([
    ["a hung instance in a group of two", 1, 2, true],
    ["two hung instances in a group of three", 1, 3, false],
    ["one instance of ten unanswered", 9, 10, true],
    ["half of a two-zone fleet unanswered", 5, 10, true],
    ["an SSM outage (no instance answered)", 0, 10, false],
    ["the silent instance of a group of one", 0, 1, false],
  ])("%s: answered %i of %i → %s", (_case, answered, inService, expected) => {
    expect(ssmAnsweredFleet({ answered, inService })).toBe(expected);
  });
});

describe("Function: fleetWideFailure (the monitor's breaker)", () => {
  const ok = { healthy: true, reason: "HTTP 200" };
  const notFound = { healthy: false, reason: "HTTP 404" };
  const refused = { healthy: false, reason: "connection refused: gateway not listening" };
  const unknown = { healthy: undefined, reason: "probe Pending" };
  it.each([
    ["every answered probe fails", [notFound, notFound, notFound], true],
    ["most answered probes fail", [notFound, refused, ok], true],
    ["both gateways of a group of two fail", [notFound, refused], true],
    ["half fail (one of two)", [notFound, ok], false],
    ["a minority fails", [notFound, ok, ok, ok], false],
    [
      "only one probe answered (a group of one is repaired by replacing it)",
      [notFound, unknown, unknown],
      false,
    ],
    ["nothing answered (SSM said nothing)", [unknown, unknown], false],
  ])("trips when %s: %s", (_case, probes, trips) => {
    expect(fleetWideFailure(probes) !== undefined).toBe(trips);
  });

  it("counts what the failed probes answered", () => {
    expect(fleetWideFailure([notFound, notFound, refused, ok, unknown])).toEqual({
      answered: 4,
      failing: 3,
      answers: { "HTTP 404": 2, "connection refused: gateway not listening": 1 },
    });
  });
});

describe("Function: replacementsInFlight", () => {
  // One instance marked in an earlier run, followed through its replacement in both orders the group can take.
  it.each<[string, { alreadyMarked: number; pending: number; terminating: number }, number]>([
    ["marked, the group has not acted yet", { alreadyMarked: 1, pending: 0, terminating: 0 }, 1],
    ["terminate first: marked instance draining", { alreadyMarked: 0, pending: 0, terminating: 1 }, 1],
    [
      "terminate first: draining while its replacement waits in the gate",
      { alreadyMarked: 0, pending: 1, terminating: 1 },
      1,
    ],
    [
      "terminate first: gone, its replacement in the gate",
      { alreadyMarked: 0, pending: 1, terminating: 0 },
      1,
    ],
    [
      "launch first: marked instance still InService, its replacement in the gate",
      { alreadyMarked: 1, pending: 1, terminating: 0 },
      1,
    ],
    [
      "launch first: replacement InService, marked instance draining",
      { alreadyMarked: 0, pending: 0, terminating: 1 },
      1,
    ],
    [
      "two: one marked instance not acted on while another drains",
      { alreadyMarked: 1, pending: 0, terminating: 1 },
      2,
    ],
    [
      "two: one launched first (InService, replacement Pending), another draining",
      { alreadyMarked: 1, pending: 1, terminating: 1 },
      2,
    ],
    ["two replacements in the gate", { alreadyMarked: 0, pending: 2, terminating: 0 }, 2],
    ["none", { alreadyMarked: 0, pending: 0, terminating: 0 }, 0],
  ])("counts one replacement once: %s", (_case, group, expected) => {
    expect(replacementsInFlight(group)).toBe(expected);
  });

  it.each<[string, number, { alreadyMarked: number; pending: number; terminating: number }]>([
    ["terminate first, replacement in the gate", 20, { alreadyMarked: 0, pending: 1, terminating: 1 }],
    ["launch first, replacement in the gate", 21, { alreadyMarked: 1, pending: 1, terminating: 0 }],
  ])(
    "leaves one more mark of a cap of two while one replacement is in flight (%s)",
    (_case, inService, group) => {
      // 21 instances (cap 2 whether 20 or 21 are InService); the one marked last run is being replaced.
      const { mark } = limitMarks(["i-b", "i-c"], { inService, inGroup: 22, probed: inService, ...group });
      expect(mark).toEqual(["i-b"]);
    },
  );
});

describe("Function: groupTransitions", () => {
  it.each([
    [
      "a marked instance draining, its replacement in the gate",
      ["InService", "Terminating:Wait", "Pending:Wait"],
      { pending: 1, terminating: 1 },
    ],
    [
      "two replacements in the gate",
      ["InService", "Pending:Wait", "Pending"],
      { pending: 2, terminating: 0 },
    ],
    [
      "a warm pool, which is not the group's capacity",
      ["InService", "Warmed:Pending:Wait", "Warmed:Stopped"],
      { pending: 0, terminating: 0 },
    ],
    ["a steady group", ["InService", "InService"], { pending: 0, terminating: 0 }],
  ])("counts %s", (_case, states, expected) => {
    expect(groupTransitions(states)).toEqual(expected);
  });
});
