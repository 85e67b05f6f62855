import { describe, expect, it } from "vitest";
import { formatGatewayProbeOutput } from "../../src/lifecycle/index.js";
import { limitMarks, monitorProbeFromInvocation, REFUSED_PROBE } from "../../src/lifecycle/monitor.js";

const endpoint = { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 };
const answered = (status: number) =>
  formatGatewayProbeOutput(
    status === 0 ? { curlExit: 7, status: 0, body: "" } : { curlExit: 0, status, body: "" },
  );

describe("Function: monitorProbeFromInvocation", () => {
  it.each([
    ["no invocation yet", undefined],
    ["still pending", { status: "Pending", stdout: "", stderr: "" }],
    ["not delivered in time (TimedOut, DeliveryTimedOut)", { status: "TimedOut", stdout: "", stderr: "" }],
    [
      "failed before printing its contract",
      { status: "Failed", stdout: "", stderr: "bash: curl: not found" },
    ],
    ["cancelled", { status: "Cancelled", stdout: "", stderr: "" }],
    ["output SSM cut or the script mangled", { status: "Success", stdout: "CLAWOPS_PROBE=gat", stderr: "" }],
  ])("counts a probe SSM did not run to the end as unknown: %s", (_case, result) => {
    expect(monitorProbeFromInvocation(result, endpoint).healthy).toBeUndefined();
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
    ["leaves one unmarked instance when others were marked before", 5, 20, 18, 1],
  ])("%s", (_case, due, inService, alreadyMarked, marked) => {
    const limit = limitMarks(candidates(due), {
      inService,
      inGroup: inService,
      alreadyMarked,
      probed: inService,
    });
    expect(limit.mark).toEqual(candidates(due).slice(0, marked));
    expect(limit.heldBack.map((h) => h.instanceId)).toEqual(candidates(due).slice(marked));
  });

  it("never marks the last InService gateway while the one it marked before is Terminating and its replacement Pending", () => {
    // A group of two, both gateways down: run 1 marks i-a; the group moves it to Terminating:Wait and launches
    // its replacement into Pending:Wait, so run 2 sees one InService instance in a group of three.
    expect(
      limitMarks(["i-a", "i-b"], { inService: 2, inGroup: 2, alreadyMarked: 0, probed: 2 }).mark,
    ).toEqual(["i-a"]);
    const run2 = limitMarks(["i-b"], { inService: 1, inGroup: 3, alreadyMarked: 0, probed: 1 });
    expect(run2.mark).toEqual([]);
    expect(run2.heldBack[0]?.reason).toMatch(/leave no InService instance clawops has not marked/);
  });

  it("keeps one InService gateway of a fleet of ten failing together, whatever the runs", () => {
    let inService = 10;
    let terminating = 0;
    for (let run = 0; run < 30; run++) {
      const due = Array.from({ length: inService }, (_, i) => `i-${i}`);
      const { mark } = limitMarks(due, {
        inService,
        inGroup: inService + terminating,
        alreadyMarked: 0,
        probed: inService,
      });
      inService -= mark.length;
      terminating += mark.length; // marked instances drain in Terminating:Wait; replacements wait Pending
    }
    expect(inService).toBe(1);
  });

  it("says why an instance is held back", () => {
    expect(
      limitMarks(candidates(3), { inService: 10, inGroup: 10, alreadyMarked: 0, probed: 10 }).heldBack[0],
    ).toEqual({
      instanceId: "i-1",
      reason: "over this run's cap of 1 mark(s) (10% of 10 InService)",
    });
    expect(
      limitMarks(["i-0"], { inService: 2, inGroup: 2, alreadyMarked: 1, probed: 2 }).heldBack[0]?.reason,
    ).toMatch(/leave no InService instance clawops has not marked/);
  });

  it("marks nothing when SSM ran the probe on no instance (every one refused)", () => {
    const limit = limitMarks(candidates(3), { inService: 3, inGroup: 3, alreadyMarked: 0, probed: 0 });
    expect(limit.mark).toEqual([]);
    expect(limit.heldBack[0]?.reason).toMatch(/SSM ran the probe on no instance/);
  });

  it("takes another share when asked", () => {
    expect(
      limitMarks(candidates(10), { inService: 10, inGroup: 10, alreadyMarked: 0, probed: 10 }, 0.5).mark,
    ).toHaveLength(5);
  });
});
