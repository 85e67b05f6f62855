import { describe, expect, it } from "vitest";
import {
  decideGateStep,
  type GateSettings,
  type GateState,
  gateAfterWait,
  goneActionCause,
  heartbeatMarginSeconds,
  hookCouldHaveExpired,
  maxProbeReads,
  outcomeForUnregistered,
  type ProbeOutcome,
  probeOutcomeFromInvocation,
  recordHeartbeat,
  startGate,
  worstProbeSeconds,
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
      20,
      "probe-again",
    ],
    [
      "treats a lost probe as not healthy, not as a failure",
      gate({ probes: 2, healthyStreak: 1 }),
      lost,
      20,
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

describe("Function: decideGateStep (heartbeat timing)", () => {
  const at = (sinceHeartbeat: number, over: Partial<GateSettings> = {}) =>
    decideGateStep(
      { ...startGate(T0, { ...settings, ...over }), probes: 3 },
      refused,
      T0 + sinceHeartbeat * 1000,
      { ...settings, ...over },
    );

  it.each([
    ["the fixture's gate (120 s hook, 15 s interval, 5 s probe timeout)", {}],
    ["a 60 s hook", { heartbeatTimeoutSeconds: 60 }],
    ["a slow probe (30 s timeout)", { probeTimeoutSeconds: 30 }],
    ["a 600 s hook and a 60 s interval", { heartbeatTimeoutSeconds: 600, probeIntervalSeconds: 60 }],
  ])(
    "probes again only while the next decision (a Wait and a probe read to its last read and retried) comes before the hook times out: %s",
    (_case, over) => {
      const g = { ...settings, ...over };
      for (let since = 0; since < g.heartbeatTimeoutSeconds; since += 1) {
        const decision = at(since, over);
        const next = since + g.probeIntervalSeconds + maxProbeReads(endpointOf(g)) * 2 + 57;
        if (decision.step === "probe-again") expect(next).toBeLessThan(g.heartbeatTimeoutSeconds);
        else expect(decision.step).toBe("heartbeat");
      }
    },
  );

  it("heartbeats 27 s after the last heartbeat with a 120 s hook: a 15 s Wait, 10 reads 2 s apart and 57 s of retries", () => {
    expect(worstProbeSeconds(settings)).toBe(77);
    expect(heartbeatMarginSeconds(settings)).toBe(92);
    expect(at(27).step).toBe("probe-again");
    expect(at(28).step).toBe("heartbeat");
  });

  it("after a heartbeat, waits only as long as leaves room for the gate's reads of one probe before the hook times out", () => {
    // A 60 s hook: 20 s of reads (10 reads 2 s apart) and 5 s for the gate's tasks leave a 35 s Wait.
    const decision = at(2, { heartbeatTimeoutSeconds: 60, probeIntervalSeconds: 50 });
    expect(decision.step).toBe("heartbeat");
    expect(decision.state.waitSeconds).toBe(35);
    expect(decision.state.waitSeconds + maxProbeReads(endpointOf(settings)) * 2).toBeLessThan(60);
    expect(at(100).state.waitSeconds).toBe(15);
  });
});

const endpointOf = (g: GateSettings) => ({ probeTimeoutSeconds: g.probeTimeoutSeconds ?? 5 });

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

  it.each([
    [5, 10],
    [30, 23],
    [60, 38],
  ])(
    "reads a probe with a %i s curl timeout %i times (its executionTimeout and 10 s of SSM lag) before it counts as lost",
    (probeTimeoutSeconds, reads) => {
      const slow = { ...endpoint, probeTimeoutSeconds };
      const inProgress = { status: "InProgress", stdout: "", stderr: "" };
      expect(probeOutcomeFromInvocation(inProgress, slow, reads - 2)).toBeUndefined();
      expect(probeOutcomeFromInvocation(inProgress, slow, reads - 1)?.kind).toBe("no-answer");
    },
  );

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

describe("Function: goneActionCause (a hook that cannot have expired yet)", () => {
  it.each([
    ["Terminating:Wait", "terminated"],
    ["Warmed:Terminating:Wait", "terminated"],
    [undefined, "terminated"],
    ["InService", "completed-elsewhere"],
    ["Pending:Wait", "completed-elsewhere"],
  ])(
    "says an action gone while the instance is %s was %s (a scale in, not an expired hook)",
    (state, cause) => {
      expect(goneActionCause(state, false)).toBe(cause);
    },
  );
});

describe("Function: goneActionCause (the gate's ABANDON)", () => {
  it.each([
    ["Terminating", "abandoned"],
    ["Terminating:Wait", "abandoned"],
    ["Terminated", "abandoned"],
    ["Warmed:Terminating:Wait", "abandoned"],
    [undefined, "abandoned"],
    ["InService", "completed-elsewhere"],
    ["Pending:Proceed", "completed-elsewhere"],
    ["Pending:Wait", "completed-elsewhere"],
    ["Warmed:Stopped", "completed-elsewhere"],
  ])(
    "says an ABANDON that found its action gone while the instance is %s was %s, whatever the gate's clock",
    (state, cause) => {
      expect(goneActionCause(state, true, "ABANDON")).toBe(cause);
      expect(goneActionCause(state, false, "ABANDON")).toBe(cause);
    },
  );
});

describe("Function: hookCouldHaveExpired", () => {
  const started = gate({ lastHeartbeatAt: T0, heartbeats: 1 });
  it.each([
    ["19 s after the last heartbeat (120 s hook): no", started, 19, false],
    ["119 s after the last heartbeat: no", started, 119, false],
    ["120 s after the last heartbeat: yes", started, 120, true],
    [
      "120 s after the last heartbeat by waited seconds (waits on another clock): yes",
      gate({ lastHeartbeatAt: T0, waitedSeconds: 150, waitedAtHeartbeat: 30 }),
      1,
      true,
    ],
    [
      "near AWS's cap of 100 heartbeat timeouts on the action, whatever the heartbeats: yes",
      gate({ lastHeartbeatAt: T0 + 11_800_000, waitedAtHeartbeat: 0 }),
      11_890,
      true,
    ],
    [
      "for a gate started without its opening heartbeat (the hook's age is unknown): yes",
      gate({ lastHeartbeatAt: T0 - 120_000 }),
      0,
      true,
    ],
  ])("tells whether the hook could have expired %s", (_case, state, seconds, could) => {
    expect(hookCouldHaveExpired(state, T0 + seconds * 1000, settings)).toBe(could);
  });

  it("could have, for a gate it knows nothing about (the opening heartbeat)", () => {
    expect(hookCouldHaveExpired(undefined, T0, settings)).toBe(true);
  });
});
