import { describe, expect, it } from "vitest";
import {
  batchInstanceIds,
  countVerdicts,
  type DrainState,
  decideDrainStep,
  decideInstanceHealth,
  decideReconcile,
  flowHoldingInstance,
  gateExecutionName,
  type InstanceVerdict,
  instanceOfExecution,
  pruneHistories,
  routeLifecycleEvent,
  runShellScript,
  schedulePeriodSeconds,
} from "../../src/lifecycle/index.js";
import { loadFixture } from "../events/fixtures.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");

describe("Function: decideInstanceHealth", () => {
  const settings = { unhealthyAfter: 3, gracePeriodSeconds: 300, periodSeconds: 60 };
  const old = { failures: 2, firstSeenAt: T0 - 3_600_000 };
  it.each([
    ["marks an instance Unhealthy at the Nth failure in a row", old, false, "mark-unhealthy", 3],
    ["counts a failure below the threshold", { ...old, failures: 0 }, false, "failing", 1],
    ["resets the count on a healthy answer", old, true, "healthy", 0],
    ["changes nothing when the probe has no result", old, undefined, "unknown", 2],
    ["respects the grace period", { failures: 2, firstSeenAt: T0 - 60_000 }, false, "in-grace", 3],
    [
      "respects the grace period counted in monitor runs",
      { failures: 2, firstSeenAt: T0, runs: 2 },
      false,
      "in-grace",
      3,
    ],
    [
      "counts the age in monitor runs when the clock is not the wall clock",
      { failures: 2, firstSeenAt: T0, runs: 5 },
      false,
      "mark-unhealthy",
      3,
    ],
    [
      "does not mark an instance twice",
      { ...old, failures: 5, markedUnhealthyAt: T0 - 60_000 },
      false,
      "failing",
      6,
    ],
    ["starts a history for an instance seen the first time", undefined, true, "healthy", 0],
  ])("%s", (_name, history, healthy, verdict, failures) => {
    const decision = decideInstanceHealth(history, { healthy, reason: "r" }, settings, T0);
    expect(decision.verdict).toBe(verdict);
    expect(decision.history.failures).toBe(failures);
  });

  it("marks at once when one failure is enough and the instance is past its grace", () => {
    const decision = decideInstanceHealth(
      undefined,
      { healthy: false, reason: "HTTP 503" },
      { unhealthyAfter: 1, gracePeriodSeconds: 0, periodSeconds: 60 },
      T0,
    );
    expect(decision.verdict).toBe("mark-unhealthy");
  });
});

describe("Function: schedulePeriodSeconds", () => {
  it.each([
    ["rate(1 minute)", 60],
    ["rate(5 minutes)", 300],
    ["rate(2 hours)", 7200],
    ["cron(0/5 * * * ? *)", 60],
  ])("reads %s as %i s", (expression, seconds) => {
    expect(schedulePeriodSeconds(expression)).toBe(seconds);
  });
});

describe("Function: countVerdicts", () => {
  const judged = (verdict: InstanceVerdict, failures = 0) => ({
    verdict,
    history: { failures, firstSeenAt: T0 },
  });

  it("counts every non-healthy answered verdict as unhealthy and skips unknown ones", () => {
    const verdicts: InstanceVerdict[] = [
      "healthy",
      "failing",
      "mark-unhealthy",
      "in-grace",
      "unknown",
      "healthy",
    ];
    expect(countVerdicts(verdicts.map((v) => judged(v)))).toEqual({ healthy: 2, unhealthy: 3 });
  });

  it("keeps counting an instance the alarm already counts (its last two probes failed) while its probe is unknown", () => {
    expect(countVerdicts([judged("unknown", 2), judged("unknown", 0), judged("healthy")])).toEqual({
      healthy: 1,
      unhealthy: 1,
    });
  });

  it("does not count one failed probe followed by an unknown one (one blip never pages)", () => {
    expect(countVerdicts([judged("unknown", 1)])).toEqual({ healthy: 0, unhealthy: 0 });
  });
});

describe("Function: pruneHistories", () => {
  it("drops instances that are no longer InService", () => {
    const kept = pruneHistories(
      { "i-1": { failures: 1, firstSeenAt: T0 }, "i-2": { failures: 0, firstSeenAt: T0 } },
      ["i-2", "i-3"],
    );
    expect(Object.keys(kept)).toEqual(["i-2"]);
  });
});

describe("Function: batchInstanceIds", () => {
  it.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [1000, Array(20).fill(50)],
  ])("splits %i instances into batches of at most 50", (n, sizes) => {
    const ids = Array.from({ length: n }, (_, i) => `i-${i}`);
    const batches = batchInstanceIds(ids);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(ids);
  });
});

describe("Function: runShellScript", () => {
  it("bounds the command and never stops a batch at the first failing instance", () => {
    const input = runShellScript(["i-1"], ["echo hi"], { comment: "probe", executionTimeoutSeconds: 10 });
    expect(input).toMatchObject({
      DocumentName: "AWS-RunShellScript",
      TimeoutSeconds: 30,
      MaxErrors: "100%",
      Parameters: { executionTimeout: ["10"] },
    });
  });

  it.each([0, 51])("refuses %i instances", (n) => {
    const ids = Array.from({ length: n }, (_, i) => `i-${i}`);
    expect(() => runShellScript(ids, ["true"], { comment: "x", executionTimeoutSeconds: 5 })).toThrow(
      RangeError,
    );
  });
});

describe("Function: decideDrainStep", () => {
  const settings = { timeoutSeconds: 120, serviceName: "openclaw-gateway" };
  const state: DrainState = { startedAt: T0, checks: 0, commandId: "c-1", next: "check", reason: "" };
  it.each([
    ["continues once the gateway stopped", { status: "Success", stdout: "", stderr: "" }, 0, 5, "continue"],
    [
      "fails the drain when systemctl fails",
      { status: "Failed", stdout: "", stderr: "Unit not found" },
      0,
      5,
      "drain-failed",
    ],
    ["checks again while the stop runs", { status: "InProgress", stdout: "", stderr: "" }, 0, 5, "check"],
    ["checks again while SSM has no invocation", undefined, 0, 5, "check"],
    [
      "gives up at the drain deadline",
      { status: "InProgress", stdout: "", stderr: "" },
      0,
      125,
      "drain-failed",
    ],
    [
      "gives up by check count when waits are shortened",
      { status: "InProgress", stdout: "", stderr: "" },
      24,
      0,
      "drain-failed",
    ],
  ])("%s", (_name, result, checks, seconds, next) => {
    expect(decideDrainStep({ ...state, checks }, result, T0 + seconds * 1000, settings).next).toBe(next);
  });

  it("says why the drain failed", () => {
    const next = decideDrainStep(
      state,
      { status: "Failed", stdout: "", stderr: "Unit openclaw-gateway.service not loaded.\n" },
      T0,
      settings,
    );
    expect(next.reason).toBe("drain command Failed: Unit openclaw-gateway.service not loaded.");
  });
});

describe("Function: routeLifecycleEvent", () => {
  it.each([
    ["launch", "launch-gate"],
    ["launch-warm-pool", "launch-gate"],
    ["launch-from-warm-pool", "launch-gate"],
    ["terminate", "terminate-drain"],
  ])("routes %s to %s", (file, route) => {
    const event = loadFixture("aws.autoscaling", file) as unknown as {
      detail: Parameters<typeof routeLifecycleEvent>[0];
    };
    expect(routeLifecycleEvent(event.detail, "clawops-test-fleet")).toBe(route);
  });

  it("gates a launch into the warm pool, so its user data finishes before AWS stops it", () => {
    const event = loadFixture("aws.autoscaling", "launch-warm-pool") as unknown as {
      detail: Parameters<typeof routeLifecycleEvent>[0];
    };
    expect(event.detail).toMatchObject({ Destination: "WarmPool" });
    expect(routeLifecycleEvent(event.detail, "clawops-test-fleet")).toBe("launch-gate");
  });

  it("completes the termination of a stopped warm-pool instance without a drain", () => {
    const event = loadFixture("aws.autoscaling", "terminate") as unknown as {
      detail: Parameters<typeof routeLifecycleEvent>[0];
    };
    const detail = { ...event.detail, Origin: "WarmPool", Destination: "EC2" } as typeof event.detail;
    expect(routeLifecycleEvent(detail, "clawops-test-fleet")).toBe("complete-without-gate");
  });

  it("ignores another group's action", () => {
    const event = loadFixture("aws.autoscaling", "launch") as unknown as {
      detail: Parameters<typeof routeLifecycleEvent>[0];
    };
    expect(routeLifecycleEvent(event.detail, "someone-elses-asg")).toBe("ignore");
  });
});

describe("Function: gateExecutionName", () => {
  const action = {
    asgName: "a",
    hookName: "h",
    instanceId: "i-0abc1234def567890",
    transition: "launch" as const,
  };
  it("derives the name from the token, so duplicate events collide", () => {
    const name = gateExecutionName({ ...action, token: "c613620e-07e2-4ed2-a9e2-ef8258911ade" }, T0);
    expect(name).toBe("i-0abc1234def567890-c613620e-07e2-4ed2-a9e2-ef8258911ade");
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it("names reconciler gates by instance and minute", () => {
    expect(gateExecutionName(action, T0)).toBe("i-0abc1234def567890-reconcile-202603021000");
  });

  it("finds the instance back from either name", () => {
    expect(instanceOfExecution(gateExecutionName(action, T0))).toBe("i-0abc1234def567890");
    expect(instanceOfExecution("manual-run")).toBeUndefined();
  });
});

describe("Function: decideReconcile", () => {
  it.each([
    ["starts a gate for an instance stuck in Pending:Wait", "Pending:Wait", [], ["launch-gate"]],
    ["starts a drain for an instance stuck in Terminating:Wait", "Terminating:Wait", [], ["terminate-drain"]],
    [
      "gates a warm-pool entry like any launch, or drains an instance returning to the pool at scale in (ReuseOnScaleIn)",
      "Warmed:Pending:Wait",
      [],
      ["launch-gate", "terminate-drain"],
    ],
    [
      "completes a stopped warm-pool instance's termination without a flow",
      "Warmed:Terminating:Wait",
      [],
      ["complete-without-gate"],
    ],
    ["leaves a warm-pool entry alone when its gate runs", "Warmed:Pending:Wait", ["i-1-c613620e"], undefined],
    ["leaves instances resting in the warm pool alone", "Warmed:Stopped", [], undefined],
    ["leaves an instance alone when its gate runs", "Pending:Wait", ["i-1-c613620e"], undefined],
    ["leaves InService instances alone", "InService", [], undefined],
  ])("%s", (_name, lifecycleState, running, flows) => {
    const candidates = decideReconcile([{ instanceId: "i-1", lifecycleState }], running);
    expect(candidates[0]?.flows.map((f) => f.flow)).toEqual(flows);
  });
});

describe("Function: flowHoldingInstance", () => {
  const candidate = (lifecycleState: string) =>
    decideReconcile([{ instanceId: "i-1", lifecycleState }], [])[0]!;
  it.each<[string, string, readonly string[], string | undefined]>([
    ["gates a warm-pool entry its launch hook holds", "Warmed:Pending:Wait", ["launch"], "launch-gate"],
    [
      "drains an instance the terminate hook holds on its way back to the warm pool (ReuseOnScaleIn)",
      "Warmed:Pending:Wait",
      ["terminate"],
      "terminate-drain",
    ],
    ["gates a Pending:Wait instance its launch hook holds", "Pending:Wait", ["launch"], "launch-gate"],
    [
      "leaves alone a Pending:Wait instance that only another team's launch hook holds",
      "Pending:Wait",
      [],
      undefined,
    ],
    [
      "leaves alone a Terminating:Wait instance that only another team's terminate hook holds",
      "Terminating:Wait",
      [],
      undefined,
    ],
    ["leaves alone a warm-pool instance no clawops hook holds", "Warmed:Pending:Wait", [], undefined],
    [
      "completes a warm-pool termination without asking",
      "Warmed:Terminating:Wait",
      [],
      "complete-without-gate",
    ],
  ])("%s", async (_name, lifecycleState, active, flow) => {
    const asked: string[] = [];
    const action = await flowHoldingInstance(candidate(lifecycleState), async (transition) => {
      asked.push(transition);
      return active.includes(transition);
    });
    expect(action?.flow).toBe(flow);
    if (flow === "complete-without-gate") expect(asked).toEqual([]);
  });

  it("asks the launch hook first, and no further once it holds the instance", async () => {
    const asked: string[] = [];
    await flowHoldingInstance(candidate("Warmed:Pending:Wait"), async (transition) => {
      asked.push(transition);
      return true;
    });
    expect(asked).toEqual(["launch"]);
  });
});
