import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  action,
  installEnvironment,
  probeOutput,
  settings,
} from "../../functions/lifecycle/tests/fixture.js";
import { loadWorkflow, runWorkflow } from "./lifecycle-workflow-harness.js";

// Gate settings of the fixture: 2 healthy probes in a row, 15 s interval, 300 s deadline, 120 s hook heartbeat.
installEnvironment();
const { lifecycleTasks } = await import("../../functions/lifecycle/tasks.js");
const gate = loadWorkflow("launch-gate.asl.json");
const drain = loadWorkflow("terminate-drain.asl.json");

const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);
const events = mockClient(EventBridgeClient);
const aws = (name: string, message = "", fault: "client" | "server" = "client") =>
  new ServiceException({
    name,
    message,
    $fault: fault,
    $metadata: { httpStatusCode: fault === "client" ? 400 : 500 },
  });

/** What the instance answers to its n-th probe (0-based): an HTTP status (0 = refused), or an SSM situation. */
type Answer = number | "unregistered" | "gone";

/** A small model of one lifecycle action and one instance, answering the SDK calls the flows make. */
function world(
  answer: (probe: number) => Answer,
  options: {
    missingReads?: number;
    throttledSends?: number;
    /** Reads SSM answers with an HTTP 500 (InternalServerError) before it answers again. */
    failingReads?: number;
    /** The hook times out (AWS applies its default result) at this probe unless heartbeated since the last one. */
    expiresAtProbe?: number;
    /** The instance is launching into the warm pool, which only DescribeWarmPool lists. */
    warmPool?: boolean;
  } = {},
) {
  const state = {
    active: true,
    probes: 0,
    completions: [] as string[],
    refused: 0,
    heartbeats: 0,
    gone: false,
    /** The instance's lifecycle state, as Auto Scaling reports it; a completion moves it on. */
    lifecycle: options.warmPool ? "Warmed:Pending:Wait" : "Pending:Wait",
  };
  /** The hook times out: AWS applies the launch hook's default result, ABANDON, and terminates the instance. */
  const expire = () => {
    state.active = false;
    state.lifecycle = options.warmPool ? "Warmed:Terminating:Wait" : "Terminating:Wait";
  };
  const statusOf = new Map<string, number>();
  let missingReads = options.missingReads ?? 0;
  let throttledSends = options.throttledSends ?? 0;
  let heartbeatsAtLastProbe = 0;
  let failingReads = options.failingReads ?? 0;
  ssm.on(SendCommandCommand).callsFake((input: { Parameters: { commands: string[] } }) => {
    if (throttledSends > 0 && throttledSends--) throw aws("ThrottlingException", "Rate exceeded");
    const isDrain = input.Parameters.commands[0]?.includes("drain");
    if (!isDrain && state.probes === options.expiresAtProbe && state.heartbeats === heartbeatsAtLastProbe)
      expire();
    heartbeatsAtLastProbe = state.heartbeats;
    const a = isDrain ? 0 : answer(state.probes++);
    if (a === "gone") state.gone = true;
    if (a === "unregistered" || a === "gone")
      throw aws("InvalidInstanceId", "Instances not in a valid state");
    const id = `cmd-${statusOf.size + 1}`;
    statusOf.set(id, a);
    return { Command: { CommandId: id } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string }) => {
    if (missingReads > 0 && missingReads--) throw aws("InvocationDoesNotExist");
    if (failingReads > 0 && failingReads--) throw aws("InternalServerError", "", "server");
    return { Status: "Success", StandardOutputContent: probeOutput(statusOf.get(input.CommandId) ?? 0) };
  });
  const listed = () =>
    state.gone ? [] : [{ InstanceId: action.instanceId, LifecycleState: state.lifecycle }];
  autoscaling.on(DescribeAutoScalingInstancesCommand).callsFake(() => ({
    AutoScalingInstances: options.warmPool ? [] : listed(),
  }));
  autoscaling.on(DescribeWarmPoolCommand).callsFake(() => ({ Instances: options.warmPool ? listed() : [] }));
  const requireActive = () => {
    if (!state.active) {
      state.refused += 1;
      throw aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);
    }
  };
  autoscaling.on(RecordLifecycleActionHeartbeatCommand).callsFake(() => {
    requireActive();
    state.heartbeats += 1;
    return {};
  });
  autoscaling.on(CompleteLifecycleActionCommand).callsFake((input: { LifecycleActionResult: string }) => {
    requireActive();
    state.active = false;
    state.completions.push(input.LifecycleActionResult);
    const admitted = options.warmPool ? "Warmed:Pending:Proceed" : "Pending:Proceed";
    state.lifecycle = input.LifecycleActionResult === "CONTINUE" ? admitted : "Terminating";
    return {};
  });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  return Object.assign(state, { expire });
}

/**
 * The hook's HeartbeatTimeout passes on the clock the gate reads (the harness runs every Wait at once) and AWS
 * applies the hook's default result: the gate can tell an expired hook from a scale in only by its own clock.
 */
function timeOut(state: { expire: () => void }) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + (settings.gate.heartbeatTimeoutSeconds + 1) * 1000);
  state.expire();
}

afterEach(() => {
  vi.useRealTimers();
});

const published = () =>
  events.commandCalls(PutEventsCommand).map((c) => {
    const entry = c.args[0].input.Entries![0]!;
    return { type: entry.DetailType, detail: JSON.parse(entry.Detail!) };
  });

beforeEach(() => {
  ssm.reset();
  autoscaling.reset();
  events.reset();
});

describe("Workflow: launch-gate.asl.json", () => {
  it("admits a gateway that is healthy on the first probes, with two probes and only its opening heartbeat", async () => {
    const state = world(() => 200);
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(state.heartbeats).toBe(1);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(2);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
  });

  it("waits through a slow boot with heartbeats, then continues", async () => {
    const state = world((n) => (n < 3 ? "unregistered" : n < 9 ? 0 : 200));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.heartbeats).toBeGreaterThanOrEqual(2);
    expect(run.states.filter((s) => s === "StartGate" || s === "Heartbeat")).toHaveLength(state.heartbeats);
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("abandons a gateway that never comes up at the deadline and publishes LifecycleAbandoned with the last probe", async () => {
    const state = world(() => 503);
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(state.completions).toEqual(["ABANDON"]);
    // One probe per 17 s of waits (15 s interval + 2 s before the read) until 300 s: 19 probes.
    expect(state.probes).toBe(19);
    const [event] = published();
    expect(event?.type).toBe("LifecycleAbandoned");
    expect(event?.detail.reason).toMatch(/did not answer healthy 2 times in a row within 300s/);
    expect(event?.detail.lastProbe.output).toContain("CLAWOPS_HTTP_STATUS=503");
  });

  it("abandons when the instance is terminated mid-gate, and publishes nothing when the action is already gone", async () => {
    world((n) => (n < 2 ? 503 : "gone"));
    autoscaling
      .on(CompleteLifecycleActionCommand)
      .rejects(aws("ValidationError", "No active Lifecycle Action found with instance ID"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states).toContain("Abandon");
    expect(run.states.at(-1)).toBe("ActionGone");
    expect(published()).toEqual([]);
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(1);
  });

  it("reports a gate that starts after its hook expired as LifecycleAbandoned, once, without retrying the action", async () => {
    const state = world(() => 200);
    state.expire();
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states).toEqual(["StartGate", "PublishAbandoned", "Abandoned"]);
    expect(state.refused).toBe(1);
    expect(run.retried).toEqual([]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: expect.stringMatching(/hook expired before the gate finished/),
        }),
      },
    ]);
  });

  it("heartbeats at its start, so a gate started late (reconciled, retried) keeps the action alive to its first probes", async () => {
    // The hook is about to time out when the gate starts: it expires at the first probe unless heartbeated.
    const state = world((n) => (n < 4 ? 0 : 200), { expiresAtProbe: 0 });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states[0]).toBe("StartGate");
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("publishes LifecycleAbandoned with the last probe when the hook expires under the gate", async () => {
    const state = world((n) => {
      if (n === 3) timeOut(state); // AWS timed the action out: its default result applies
      return 0;
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states).toContain("Heartbeat");
    expect(run.states.slice(-2)).toEqual(["PublishAbandoned", "Abandoned"]);
    expect(state.completions).toEqual([]);
    const [event, ...more] = published();
    expect(more).toEqual([]);
    expect(event?.type).toBe("LifecycleAbandoned");
    expect(event?.detail.reason).toMatch(/hook expired before the gate finished/);
    expect(event?.detail.lastProbe.output).toContain("CLAWOPS_CURL_EXIT=7");
  });

  it("ends quietly, publishing nothing, when it starts after another gate already admitted the instance", async () => {
    // The reconciler started this gate; the event's own gate CONTINUEd the instance in the meantime.
    const state = world(() => 200);
    state.active = false;
    state.lifecycle = "InService";
    const run = await runWorkflow(gate, lifecycleTasks, { action: { ...action, token: undefined } });
    expect(run.states).toEqual(["StartGate", "ActionGone"]);
    expect(run.retried).toEqual([]);
    expect(published()).toEqual([]);
  });

  it("ends quietly when another gate admits the instance while this one waits through a slow boot", async () => {
    const state = world((n) => {
      if (n === 3) {
        state.active = false; // the other gate's CONTINUE
        state.lifecycle = "InService";
      }
      return 0;
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states).toContain("Heartbeat");
    expect(run.states.at(-1)).toBe("ActionGone");
    expect(run.states).not.toContain("PublishAbandoned");
    expect(published()).toEqual([]);
  });

  it.each([
    ["between its two healthy probes (its CONTINUE finds the action gone)", 1, () => 200],
    ["while it heartbeats a slow boot (its heartbeat finds the action gone)", 3, () => 0],
  ])(
    "ends quietly, publishing nothing, when a scale in terminates the instance %s within the hook's timeout",
    async (_case, at, status) => {
      const state = world((n) => {
        // The group scales in and picks this instance (not yet InService): AWS ends its launch action itself.
        if (n === at) state.expire();
        return status();
      });
      const run = await runWorkflow(gate, lifecycleTasks, { action });
      expect(run.states.at(-1)).toBe("ActionGone");
      expect(run.states).not.toContain("PublishAbandoned");
      expect(published()).toEqual([]);
    },
  );

  it("publishes LifecycleAbandoned once when the hook expired just before the gate's CONTINUE", async () => {
    const state = world((n) => {
      if (n === 1) timeOut(state); // the hook timed out: AWS applied its default result, ABANDON
      return 200;
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.slice(-3)).toEqual(["Continue", "PublishAbandoned", "Abandoned"]);
    expect(run.retried).toEqual([]);
    expect(state.completions).toEqual([]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: "lifecycle hook expired before the gate finished: AWS applied the hook's default result",
          lastProbe: expect.objectContaining({ status: "healthy" }),
        }),
      },
    ]);
  });

  it.each([
    ["waits on another team's launch hook after clawops' was CONTINUEd", "Pending:Wait"],
    [
      "waits in the warm pool on the terminate hook, returning to the pool at scale in",
      "Warmed:Pending:Wait",
    ],
  ])(
    "ends quietly, publishing nothing, when its action is gone and the instance %s",
    async (_case, lifecycle) => {
      // The reconciler started this gate for an instance still in a wait state: no launch action of clawops' is left.
      const state = world(() => 200);
      state.active = false;
      state.lifecycle = lifecycle;
      const run = await runWorkflow(gate, lifecycleTasks, { action: { ...action, token: undefined } });
      expect(run.states).toEqual(["StartGate", "ActionGone"]);
      expect(published()).toEqual([]);
    },
  );

  it("publishes LifecycleAbandoned, not a failed execution, when its CONTINUE finds the action gone and the instance's state cannot be read", async () => {
    const state = world((n) => {
      if (n === 1) state.expire();
      return 200;
    });
    autoscaling.on(DescribeAutoScalingInstancesCommand).rejects(aws("Throttling", "Rate exceeded"));
    autoscaling.on(DescribeWarmPoolCommand).rejects(aws("Throttling", "Rate exceeded"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.error).toBeUndefined();
    expect(run.states.slice(-3)).toEqual(["Continue", "PublishAbandoned", "Abandoned"]);
    expect(run.retried.filter((s) => s === "Continue").length).toBeGreaterThan(0);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: expect.stringMatching(
            /^lifecycle action gone and the instance's lifecycle state could not be read/,
          ),
        }),
      },
    ]);
  });

  it("publishes LifecycleAbandoned when its opening heartbeat finds the action gone and the instance's state cannot be read", async () => {
    const state = world(() => 200);
    state.expire();
    autoscaling.on(DescribeAutoScalingInstancesCommand).rejects(aws("AccessDenied", "not authorized"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.error).toBeUndefined();
    expect(run.states.filter((s) => s !== "StartGate")).toEqual(["PublishAbandoned", "Abandoned"]);
    expect(published()).toHaveLength(1);
  });

  it("publishes LifecycleAbandoned, not a failed execution, when its CONTINUE keeps failing", async () => {
    const state = world(() => 200);
    autoscaling.on(CompleteLifecycleActionCommand).rejects(aws("AccessDenied", "not authorized"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.error).toBeUndefined();
    expect(run.states.slice(-3)).toEqual(["Continue", "PublishAbandoned", "Abandoned"]);
    expect(state.completions).toEqual([]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({ reason: expect.stringMatching(/AccessDenied/) }),
      },
    ]);
  });

  it("gates a launch into the warm pool like any launch: it waits for the agent, then continues once healthy", async () => {
    // Only DescribeWarmPool lists the instance while it warms up: it must not be taken for gone.
    const state = world((n) => (n < 2 ? "unregistered" : 200), { warmPool: true });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(run.states).not.toContain("Abandon");
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(autoscaling.commandCalls(DescribeWarmPoolCommand).length).toBeGreaterThan(0);
  });

  it("ends a warm-pool entry gate quietly, stopping no gateway and completing nothing, once the instance left the pool", async () => {
    // Another gate of this entry admitted the instance, which has left the pool: it waits on its exit action.
    const state = world(() => 200, { warmPool: true });
    state.lifecycle = "Pending:Wait";
    autoscaling.on(DescribeAutoScalingInstancesCommand).callsFake(() => ({
      AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: state.lifecycle }],
    }));
    const run = await runWorkflow(gate, lifecycleTasks, {
      action: { ...action, token: undefined, warmPool: "entering" },
    });
    expect(run.states.at(-1)).toBe("ActionGone");
    expect(state.completions).toEqual([]);
    const stops = ssm
      .commandCalls(SendCommandCommand)
      .filter((c) => c.args[0].input.Parameters?.commands?.some((line) => line.includes("systemctl stop")));
    expect(stops).toEqual([]);
    expect(published()).toEqual([]);
  });

  it("publishes LifecycleAbandoned, stopping no gateway, when a warm-pool entry's hook expired under the gate", async () => {
    // After the gate's opening heartbeat, its second probe comes more than the hook's timeout later (by the
    // gate's clock, as when its heartbeats failed): AWS applied the hook's default result (ABANDON) meanwhile.
    const state = world(
      (n) => {
        if (n === 1) timeOut(state);
        return 200;
      },
      { warmPool: true },
    );
    const run = await runWorkflow(gate, lifecycleTasks, { action: { ...action, warmPool: "entering" } });
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(state.completions).toEqual([]);
    const stops = ssm
      .commandCalls(SendCommandCommand)
      .filter((c) => c.args[0].input.Parameters?.commands?.some((line) => line.includes("systemctl stop")));
    expect(stops).toEqual([]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({ reason: expect.stringMatching(/expired/) }),
      },
    ]);
  });

  it("abandons a warm-pool entry whose gateway never comes up, like any launch", async () => {
    const state = world(() => 503, { warmPool: true });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(state.completions).toEqual(["ABANDON"]);
    expect(published()[0]?.type).toBe("LifecycleAbandoned");
  });

  it("completes the action once, and publishes nothing, when two gates run for the same action", async () => {
    const state = world(() => 200);
    const [first, second] = await Promise.all([
      runWorkflow(gate, lifecycleTasks, { action }),
      runWorkflow(gate, lifecycleTasks, { action: { ...action, token: undefined } }),
    ]);
    expect([first.states.at(-1), second.states.at(-1)].sort()).toEqual(["ActionGone", "Admitted"]);
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(published()).toEqual([]);
  });

  it("retries SSM throttling and a missing invocation without losing the probe", async () => {
    const state = world(() => 200, { throttledSends: 2, missingReads: 2 });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(run.retried.filter((s) => s === "Probe")).toHaveLength(4);
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("keeps gating through an SSM outage: a probe AWS keeps failing counts as a probe without an answer", async () => {
    // 5 reads fail the first probe (1 + 4 retries), 2 more are retried within the next one.
    const state = world(() => 200, { failingReads: 7 });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(run.states).not.toContain("Abandon");
    expect(run.retried.filter((s) => s === "Probe")).toHaveLength(6);
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("abandons after its retries, never looping, when the probe function itself cannot run", async () => {
    const state = world(() => 200);
    const lambdaDown = async () => {
      throw Object.assign(new Error("Rate Exceeded."), { name: "Lambda.TooManyRequestsException" });
    };
    const run = await runWorkflow(gate, { ...lifecycleTasks, ProbeFunctionArn: lambdaDown }, { action });
    expect(run.states.filter((s) => s === "Probe")).toHaveLength(1);
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(state.completions).toEqual(["ABANDON"]);
  });

  it("retries Auto Scaling throttling while the SSM agent registers", async () => {
    const state = world((n) => (n < 2 ? "unregistered" : 200));
    autoscaling
      .on(DescribeAutoScalingInstancesCommand)
      .rejectsOnce(aws("Throttling", "Rate exceeded"))
      .resolves({
        AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: "Pending:Wait" }] as never,
      });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.retried).toContain("Probe");
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("abandons at the deadline, not at the first failure, when AWS keeps failing every probe", async () => {
    const state = world(() => 200);
    ssm.on(SendCommandCommand).rejects(aws("InternalServerError", "", "server"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(state.completions).toEqual(["ABANDON"]);
    const [event] = published();
    expect(event?.detail.reason).toMatch(/did not answer healthy 2 times in a row within 300s/);
    expect(event?.detail.lastProbe).toMatchObject({
      status: "no-answer",
      output: expect.stringMatching(/probe failed after retries \(AwsUnavailable\)/),
    });
  });

  it.each([
    ["AccessDenied (a policy changed under the gate)", () => aws("AccessDenied", "not authorized"), false],
    [
      "the Complete function timing out (retried first)",
      () => Object.assign(new Error("timed out"), { name: "Sandbox.Timedout" }),
      true,
    ],
  ])(
    "publishes LifecycleAbandoned, not a failed execution, when its ABANDON keeps failing: %s",
    async (_case, failure, retried) => {
      const state = world(() => 503);
      autoscaling.on(CompleteLifecycleActionCommand).rejects(failure());
      const run = await runWorkflow(gate, lifecycleTasks, { action });
      expect(run.error).toBeUndefined();
      expect(run.states.slice(-3)).toEqual(["Abandon", "PublishAbandoned", "Abandoned"]);
      expect(run.retried.includes("Abandon")).toBe(retried);
      expect(state.completions).toEqual([]);
      expect(published()).toEqual([
        {
          type: "LifecycleAbandoned",
          detail: expect.objectContaining({
            reason: expect.stringMatching(/ABANDON failed \(.+\): the hook expires into its default result/),
            lastProbe: expect.objectContaining({ output: expect.stringMatching(/HTTP 503/) }),
          }),
        },
      ]);
    },
  );

  it.each([
    ["the Complete function timed out after AWS applied it", "Sandbox.Timedout"],
    ["Lambda lost the function's answer", "Lambda.Unknown"],
  ])(
    "publishes LifecycleAbandoned once when its ABANDON was applied but the answer was lost (%s)",
    async (_case, lost) => {
      const state = world(() => 503);
      autoscaling.on(CompleteLifecycleActionCommand).callsFake((input: { LifecycleActionResult: string }) => {
        if (!state.active)
          throw aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);
        state.active = false; // AWS applied it: the instance is on its way out ...
        state.lifecycle = "Terminating";
        state.completions.push(input.LifecycleActionResult);
        // ... but Step Functions never got the function's answer, and retries it.
        throw Object.assign(new Error("lost"), { name: lost });
      });
      const run = await runWorkflow(gate, lifecycleTasks, { action });
      expect(run.retried).toContain("Abandon");
      expect(run.states.slice(-3)).toEqual(["Abandon", "PublishAbandoned", "Abandoned"]);
      expect(state.completions).toEqual(["ABANDON"]);
      expect(published()).toEqual([
        {
          type: "LifecycleAbandoned",
          detail: expect.objectContaining({
            reason: expect.stringMatching(
              /LaunchAlreadyAbandoned: .*refused.*already completed \(instance Terminating\), by an earlier attempt of this gate/,
            ),
            lastProbe: expect.objectContaining({ output: expect.stringMatching(/HTTP 503/) }),
          }),
        },
      ]);
    },
  );

  it("publishes LifecycleAbandoned once when the hook timed out (AWS applied ABANDON) just before the gate's own ABANDON", async () => {
    const state = world(() => 503);
    autoscaling.on(CompleteLifecycleActionCommand).callsFake(() => {
      state.expire(); // AWS applied the hook's default result a moment earlier
      throw aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.slice(-3)).toEqual(["Abandon", "PublishAbandoned", "Abandoned"]);
    expect(run.retried).toEqual([]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: expect.stringMatching(
            /LaunchAlreadyAbandoned: .*\(instance Terminating:Wait\).*hook's timeout/,
          ),
        }),
      },
    ]);
  });

  it("ends quietly when its ABANDON finds the instance admitted by another gate (InService)", async () => {
    const state = world(() => 503);
    autoscaling.on(CompleteLifecycleActionCommand).callsFake(() => {
      state.active = false; // the other gate's CONTINUE, a moment earlier
      state.lifecycle = "InService";
      throw aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.slice(-2)).toEqual(["Abandon", "ActionGone"]);
    expect(run.retried).toEqual([]);
    expect(published()).toEqual([]);
  });

  it("publishes LifecycleAbandoned, saying the state is unknown, when its ABANDON finds the action gone and the instance cannot be looked up", async () => {
    const state = world(() => 503);
    autoscaling.on(CompleteLifecycleActionCommand).callsFake(() => {
      state.expire();
      throw aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);
    });
    autoscaling
      .on(DescribeAutoScalingInstancesCommand)
      .rejects(aws("AccessDenied", "not authorized to perform autoscaling:DescribeAutoScalingInstances"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.retried).toContain("Abandon");
    expect(run.states.slice(-3)).toEqual(["Abandon", "PublishAbandoned", "Abandoned"]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: expect.stringMatching(/lifecycle state could not be read/),
        }),
      },
    ]);
  });

  it("publishes LifecycleAbandoned when the instance left the group after its hook expired under the gate", async () => {
    const state = world((n) => {
      if (n === 2) timeOut(state); // the hook timed out (AWS applied ABANDON) and the instance is gone
      return n < 2 ? 503 : "gone";
    });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.slice(-3)).toEqual(["Abandon", "PublishAbandoned", "Abandoned"]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({
          reason: "lifecycle hook expired before the gate finished: AWS applied the hook's default result",
        }),
      },
    ]);
  });

  it("ABANDONs and publishes when both its opening heartbeat and its probes fail (a gate without a gate state)", async () => {
    const state = world(() => 200);
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).rejects(aws("AccessDenied", "not authorized"));
    ssm.on(SendCommandCommand).rejects(Object.assign(new Error("timed out"), { name: "Sandbox.Timedout" }));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.error).toBeUndefined();
    expect(run.states).toEqual(["StartGate", "Probe", "Abandon", "PublishAbandoned", "Abandoned"]);
    expect(state.completions).toEqual(["ABANDON"]);
    expect(published()).toEqual([
      {
        type: "LifecycleAbandoned",
        detail: expect.objectContaining({ reason: expect.stringMatching(/^Sandbox.Timedout/) }),
      },
    ]);
  });

  it("names the default result an ABANDON that keeps failing leaves the launch to (CONTINUE admits it unchecked)", async () => {
    installEnvironment({ launchDefaultResult: "CONTINUE" });
    try {
      world(() => 503);
      autoscaling.on(CompleteLifecycleActionCommand).rejects(aws("AccessDenied", "not authorized"));
      await runWorkflow(gate, lifecycleTasks, { action });
      expect(published()[0]?.detail.reason).toMatch(
        /AccessDenied.*default result, CONTINUE: the instance goes InService with a gateway that never answered healthy/,
      );
    } finally {
      installEnvironment();
    }
  });

  it("retries ResourceContention on completion", async () => {
    const state = world(() => 200);
    autoscaling
      .on(CompleteLifecycleActionCommand)
      .rejectsOnce(aws("ResourceContention", "busy", "server"))
      .callsFake(() => {
        state.completions.push("CONTINUE");
        return {};
      });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.retried).toContain("Continue");
    expect(state.completions).toEqual(["CONTINUE"]);
  });
});

describe("Workflow: terminate-drain.asl.json", () => {
  const terminating = { ...action, hookName: "clawops-drain", transition: "terminate" as const };

  it("stops the gateway, then continues", async () => {
    const state = world(() => 0);
    const run = await runWorkflow(drain, lifecycleTasks, { action: terminating });
    expect(run.states).toEqual([
      "Drain",
      "DrainStep",
      "WaitForDrain",
      "Drain",
      "DrainStep",
      "Continue",
      "Drained",
    ]);
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(published()).toEqual([]);
  });

  it("still continues when the drain fails, and publishes DrainFailed", async () => {
    const state = world(() => 0);
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: "Failed", StandardErrorContent: "Unit openclaw-gateway.service not loaded." });
    const run = await runWorkflow(drain, lifecycleTasks, { action: terminating });
    expect(run.states.at(-1)).toBe("Drained");
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(published()[0]).toMatchObject({
      type: "DrainFailed",
      detail: { reason: expect.stringMatching(/not loaded/) },
    });
  });

  it("heartbeats the terminate hook while a long drain runs, not only at its start", async () => {
    // The fixture's fleet does not describe its terminate hook: the drain assumes AWS's minimum, 30 s.
    const state = world(() => 0);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });
    await runWorkflow(drain, lifecycleTasks, { action: terminating });
    // 60 s drain + 5 s: about 65 s of checks at most 30 s apart.
    expect(state.heartbeats).toBeGreaterThanOrEqual(3);
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("publishes DrainFailed, not a failed execution, when its CONTINUE keeps failing (no second CONTINUE)", async () => {
    const state = world(() => 0);
    autoscaling.on(CompleteLifecycleActionCommand).rejects(aws("AccessDenied", "not authorized"));
    const run = await runWorkflow(drain, lifecycleTasks, { action: terminating });
    expect(run.error).toBeUndefined();
    expect(run.states.slice(-3)).toEqual(["Continue", "PublishContinueFailed", "ContinueFailed"]);
    expect(state.completions).toEqual([]);
    expect(published()).toEqual([
      {
        type: "DrainFailed",
        detail: expect.objectContaining({
          reason: expect.stringMatching(
            /CONTINUE failed \(AccessDenied.*\): the hook expires into its default result/,
          ),
        }),
      },
    ]);
  });

  it("continues at the drain deadline when the stop never finishes", async () => {
    const state = world(() => 0);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });
    const run = await runWorkflow(drain, lifecycleTasks, { action: terminating });
    expect(run.states.filter((s) => s === "WaitForDrain").length).toBeGreaterThan(5);
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(published()[0]?.detail.reason).toMatch(/did not finish within 60s/);
  });
});
