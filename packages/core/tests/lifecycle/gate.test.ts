import { describe, expect, it } from "vitest";
import {
  decideGateStep,
  type GateSettings,
  type GateState,
  gateAfterWait,
  goneActionCause,
  outcomeForUnregistered,
  type ProbeOutcome,
  probeOutcomeFromInvocation,
  recordHeartbeat,
  startGate,
} from "../../src/lifecycle/index.js";
import { formatGatewayProbeOutput } from "../../src/lifecycle/probe.js";

const settings: GateSettings = {
  healthyProbesRequired: 2,
  probeIntervalSeconds: 15,
  deadlineSeconds: 900,
  heartbeatTimeoutSeconds: 120,
};
const T0 = Date.parse("2026-03-02T10:00:00Z");
const healthy: ProbeOutcome = { kind: "healthy", reason: "HTTP 200", output: "" };
const refused: ProbeOutcome = { kind: "unhealthy", reason: "connection refused", output: "" };
const unregistered: ProbeOutcome = { kind: "agent-not-registered", reason: "agent", output: "" };
const gone: ProbeOutcome = { kind: "instance-gone", reason: "i-1 is Terminating", output: "" };
const lost: ProbeOutcome = { kind: "no-answer", reason: "probe command TimedOut", output: "" };

const gate = (over: Partial<GateState>): GateState => ({ ...startGate(T0, settings), ...over });

describe("Function: decideGateStep", () => {
  it.each([
    [
      "continues after the required healthy streak",
      gate({ healthyStreak: 1, probes: 1 }),
      healthy,
      15,
      "continue",
    ],
    ["probes again after the first healthy answer", gate({}), healthy, 0, "probe-again"],
    ["probes again while the gateway refuses", gate({ probes: 1 }), refused, 15, "probe-again"],
    [
      "keeps waiting while the SSM agent is not registered",
      gate({ probes: 2 }),
      unregistered,
      30,
      "probe-again",
    ],
    [
      "treats a lost probe as not healthy, not as a failure",
      gate({ probes: 2, healthyStreak: 1 }),
      lost,
      30,
      "probe-again",
    ],
    ["abandons when the instance left the group", gate({ probes: 3 }), gone, 45, "abandon"],
    ["abandons at the deadline", gate({ probes: 60 }), refused, 900, "abandon"],
    [
      "abandons at the deadline by waited seconds when waits run on another clock",
      gate({ probes: 52, waitedSeconds: 900 }),
      refused,
      1,
      "abandon",
    ],
    [
      "continues on the last probe before the deadline",
      gate({ probes: 60, healthyStreak: 1 }),
      healthy,
      900,
      "continue",
    ],
    ["heartbeats before the hook would time out", gate({ probes: 6 }), refused, 90, "heartbeat"],
    [
      "heartbeats by waited seconds when waits run on another clock",
      gate({ probes: 6, waitedSeconds: 90 }),
      refused,
      1,
      "heartbeat",
    ],
    [
      "does not heartbeat right after a heartbeat",
      gate({ probes: 6, waitedSeconds: 90, waitedAtHeartbeat: 90, lastHeartbeatAt: T0 + 90_000 }),
      refused,
      90,
      "probe-again",
    ],
  ])("%s", (_name, state, probe, seconds, step) => {
    const decision = decideGateStep(state, probe, T0 + seconds * 1000, settings);
    expect(decision.step).toBe(step);
    expect(decision.state.next).toBe(step);
    expect(decision.state.probes).toBe(state.probes + 1);
  });

  it("resets the healthy streak on any unhealthy answer", () => {
    const decision = decideGateStep(gate({ healthyStreak: 1 }), refused, T0, settings);
    expect(decision.state.healthyStreak).toBe(0);
  });

  it("records the last probe and clears the pending command", () => {
    const decision = decideGateStep(gate({ pendingCommandId: "c-1", reads: 3 }), refused, T0, settings);
    expect(decision.state.lastProbe).toEqual({
      status: "unhealthy",
      reason: "connection refused",
      output: "",
      at: "2026-03-02T10:00:00.000Z",
    });
    expect(decision.state.pendingCommandId).toBeUndefined();
    expect(decision.state.reads).toBe(0);
  });

  it("names the deadline and the last probe when it abandons", () => {
    const decision = decideGateStep(gate({ probes: 60 }), refused, T0 + 900_000, settings);
    expect(decision.reason).toBe(
      "gateway did not answer healthy 2 times in a row within 900s (last probe: connection refused)",
    );
  });
});

describe("Function: gateAfterWait", () => {
  it.each([
    ["read", 2],
    ["probe-again", 15],
    ["heartbeat", 15],
  ] as const)("adds the Wait after %s (%i s)", (next, seconds) => {
    expect(gateAfterWait(gate({ next, waitedSeconds: 30 })).waitedSeconds).toBe(30 + seconds);
  });
});

describe("Function: recordHeartbeat", () => {
  it("restarts the heartbeat clock at the current probe", () => {
    const state = recordHeartbeat(gate({ probes: 6, waitedSeconds: 96 }), T0 + 90_000);
    expect(state).toMatchObject({ lastHeartbeatAt: T0 + 90_000, waitedAtHeartbeat: 96, heartbeats: 1 });
  });
});

const endpoint = { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 };
const ok = formatGatewayProbeOutput({ curlExit: 0, status: 200, body: "ok" });
const down = formatGatewayProbeOutput({ curlExit: 7, status: 0, body: "" });

describe("Function: probeOutcomeFromInvocation", () => {
  it.each([
    ["healthy for a 2xx answer", { status: "Success", stdout: ok, stderr: "" }, 0, "healthy"],
    ["unhealthy for a refused connection", { status: "Success", stdout: down, stderr: "" }, 0, "unhealthy"],
    ["no-answer for a timed-out command", { status: "TimedOut", stdout: "", stderr: "" }, 0, "no-answer"],
    [
      "no-answer for output that breaks the contract",
      { status: "Success", stdout: "bash: curl: not found", stderr: "" },
      0,
      "no-answer",
    ],
    [
      "no-answer when the command never finishes",
      { status: "InProgress", stdout: "", stderr: "" },
      9,
      "no-answer",
    ],
  ])("is %s", (_name, result, reads, kind) => {
    expect(probeOutcomeFromInvocation(result, endpoint, reads)?.kind).toBe(kind);
  });

  it("asks for another read while the command is in flight", () => {
    expect(
      probeOutcomeFromInvocation({ status: "Pending", stdout: "", stderr: "" }, endpoint, 0),
    ).toBeUndefined();
  });
});

describe("Function: outcomeForUnregistered", () => {
  it.each([
    [undefined, "instance-gone"],
    ["Terminating:Wait", "instance-gone"],
    ["Terminated", "instance-gone"],
    ["Pending:Wait", "agent-not-registered"],
    ["Warmed:Pending:Wait", "agent-not-registered"],
    ["Warmed:Pending", "agent-not-registered"],
    ["Warmed:Terminating:Wait", "instance-gone"],
    ["Warmed:Terminated", "instance-gone"],
  ])("for lifecycle state %s is %s", (state, kind) => {
    expect(outcomeForUnregistered("i-1", state).kind).toBe(kind);
  });
});

describe("Function: goneActionCause", () => {
  it.each([
    ["InService", "completed-elsewhere"],
    ["Pending:Proceed", "completed-elsewhere"],
    ["Standby", "completed-elsewhere"],
    ["Warmed:Pending:Proceed", "completed-elsewhere"],
    ["Warmed:Stopped", "completed-elsewhere"],
    ["Warmed:Running", "completed-elsewhere"],
    ["Warmed:Hibernated", "completed-elsewhere"],
    // Still waiting: on another hook of the launch (clawops' was CONTINUEd), or on the TERMINATE hook of a warm-pool
    // instance returning to the pool at scale in (ReuseOnScaleIn). An expired launch hook ABANDONs the instance.
    ["Pending:Wait", "completed-elsewhere"],
    ["Warmed:Pending:Wait", "completed-elsewhere"],
    ["Terminating", "hook-expired"],
    ["Terminating:Wait", "hook-expired"],
    ["Terminating:Proceed", "hook-expired"],
    ["Terminated", "hook-expired"],
    ["Warmed:Terminating:Wait", "hook-expired"],
    ["Warmed:Terminated", "hook-expired"],
    [undefined, "hook-expired"],
  ])("says an action gone while the instance is %s was %s", (state, cause) => {
    expect(goneActionCause(state)).toBe(cause);
  });
});
