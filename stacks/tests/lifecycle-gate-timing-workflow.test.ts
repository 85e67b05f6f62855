import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type GateState, gateAfterWait, PROBE_RETRY_BUDGET_SECONDS } from "@clawops/core/lifecycle";
import { ServiceException } from "@smithy/smithy-client";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
const HOOK_SECONDS = settings.gate.heartbeatTimeoutSeconds;

const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);
const events = mockClient(EventBridgeClient);

/** What the n-th probe's invocation says at its r-th read (1-based). */
type Invocation = (probe: number, read: number) => { Status: string; StandardOutputContent?: string };

/**
 * One launch action whose HeartbeatTimeout runs on the gate's own clock (the Wait states it went through, which
 * the harness runs at zero real time; in AWS the real clock is ahead of it): AWS applies the hook's default
 * result, ABANDON, once `HOOK_SECONDS` pass without a heartbeat.
 */
function timedWorld(invocation: Invocation, hookSeconds = HOOK_SECONDS) {
  const state = {
    now: 0,
    lastHeartbeat: 0,
    active: true,
    lifecycle: "Pending:Wait",
    heartbeats: [] as number[],
  };
  const completions: string[] = [];
  const reads = new Map<string, number>();
  let sent = 0;
  ssm.on(SendCommandCommand).callsFake(() => ({ Command: { CommandId: `cmd-${sent++}` } }));
  ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string }) => {
    const read = (reads.get(input.CommandId) ?? 0) + 1;
    reads.set(input.CommandId, read);
    return invocation(Number(input.CommandId.slice(4)), read);
  });
  autoscaling.on(DescribeAutoScalingInstancesCommand).callsFake(() => ({
    AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: state.lifecycle }],
  }));
  autoscaling.on(DescribeWarmPoolCommand).resolves({ Instances: [] });
  const requireActive = () => {
    if (state.active && state.now - state.lastHeartbeat >= hookSeconds) {
      state.active = false;
      state.lifecycle = "Terminating:Wait";
    }
    if (!state.active)
      throw new ServiceException({
        name: "ValidationError",
        message: `No active Lifecycle Action found with token ${action.token}`,
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
  };
  autoscaling.on(RecordLifecycleActionHeartbeatCommand).callsFake(() => {
    requireActive();
    state.lastHeartbeat = state.now;
    state.heartbeats.push(state.now);
    return {};
  });
  autoscaling.on(CompleteLifecycleActionCommand).callsFake((input: { LifecycleActionResult: string }) => {
    requireActive();
    state.active = false;
    completions.push(input.LifecycleActionResult);
    return {};
  });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  return { state, completions };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The gate's tasks, each first moving the world's clock to the gate's own elapsed time. */
function clockedTasks(state: { now: number }): Record<string, Handler> {
  const at = (event: unknown, afterWait: boolean) => {
    const gateState = (event as { gate?: GateState }).gate;
    if (gateState) state.now = (afterWait ? gateAfterWait(gateState) : gateState).waitedSeconds;
  };
  const tasks = lifecycleTasks as Record<string, Handler>;
  return {
    ...tasks,
    ProbeFunctionArn: async (event, context) => {
      at(event, true);
      return tasks.ProbeFunctionArn!(event, context);
    },
    HeartbeatFunctionArn: async (event, context) => {
      at(event, false);
      return tasks.HeartbeatFunctionArn!(event, context);
    },
  };
}

const answered = (status: number) => ({ Status: "Success", StandardOutputContent: probeOutput(status) });
const published = () =>
  events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!.DetailType);

beforeEach(() => {
  ssm.reset();
  autoscaling.reset();
  events.reset();
});

afterEach(() => installEnvironment());

describe("Workflow: launch-gate.asl.json (heartbeat timing)", () => {
  it("keeps the hook alive when one probe's invocation stays InProgress through all the gate's reads", async () => {
    // Six quick probes while the gateway boots (503), one SSM keeps InProgress past every read, then healthy.
    const { state, completions } = timedWorld((n) =>
      n < 6 ? answered(503) : n === 6 ? { Status: "InProgress" } : answered(200),
    );
    const run = await runWorkflow(gate, clockedTasks(state), { action });
    const gaps = state.heartbeats.slice(1).map((at, i) => at - state.heartbeats[i]!);
    expect(Math.max(...gaps)).toBeLessThan(HOOK_SECONDS);
    expect(completions).toEqual(["CONTINUE"]);
    expect(run.states.at(-1)).toBe("Admitted");
    expect(published()).toEqual([]);
  });

  it("admits a gateway that answers healthy after 22 s when gateway.probeTimeoutSeconds allows curl 30 s", async () => {
    installEnvironment({ gateway: { ...settings.gateway, probeTimeoutSeconds: 30 } });
    // Every probe runs 22 s (11 reads 2 s apart InProgress), then succeeds inside its 35 s executionTimeout.
    const { state, completions } = timedWorld((_n, read) =>
      read <= 11 ? { Status: "InProgress" } : answered(200),
    );
    const run = await runWorkflow(gate, clockedTasks(state), { action });
    expect(completions).toEqual(["CONTINUE"]);
    expect(run.states.at(-1)).toBe("Admitted");
  });

  it.each([
    ["the longest interval the config accepts for a 60 s hook (35 s)", 35],
    ["an interval the config refuses, built into the settings anyway (50 s)", 50],
  ])(
    "keeps a 60 s hook alive through a probe SSM keeps InProgress through all the gate's reads: %s",
    async (_case, interval) => {
      installEnvironment({
        gate: {
          ...settings.gate,
          probeIntervalSeconds: interval,
          heartbeatTimeoutSeconds: 60,
          deadlineSeconds: 600,
        },
      });
      // Probe 0 answers 503 (the gate heartbeats, then Waits); probe 1 stays InProgress through its 10 reads, 2 s
      // apart (a booting instance's busy agent); every later probe answers healthy.
      const { state, completions } = timedWorld(
        (n) => (n === 0 ? answered(503) : n === 1 ? { Status: "InProgress" } : answered(200)),
        60,
      );
      const run = await runWorkflow(gate, clockedTasks(state), { action });
      expect(completions).toEqual(["CONTINUE"]);
      expect(run.states.at(-1)).toBe("Admitted");
      expect(published()).toEqual([]);
    },
  );

  it("counts in its heartbeat margin every second the Probe state's Retry policy can spend on one task", () => {
    // Prepare: the longest each retrier of the Probe state can wait before its Catch.
    type Retrier = {
      IntervalSeconds: number;
      MaxAttempts: number;
      BackoffRate: number;
      MaxDelaySeconds?: number;
    };
    const probe = gate.States.Probe as unknown as { Retry: Retrier[] };
    const budget = probe.Retry.map((r) =>
      Array.from({ length: r.MaxAttempts }, (_, k) =>
        Math.min(r.IntervalSeconds * r.BackoffRate ** k, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY),
      ).reduce((a, b) => a + b, 0),
    ).reduce((a, b) => a + b, 0);
    // Assess
    expect(PROBE_RETRY_BUDGET_SECONDS).toBe(Math.ceil(budget));
  });
});
