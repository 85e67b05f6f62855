import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { action, installEnvironment, probeOutput } from "../../functions/lifecycle/tests/fixture.js";
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
  options: { missingReads?: number; throttledSends?: number } = {},
) {
  const state = {
    active: true,
    probes: 0,
    completions: [] as string[],
    refused: 0,
    heartbeats: 0,
    gone: false,
  };
  const statusOf = new Map<string, number>();
  let missingReads = options.missingReads ?? 0;
  let throttledSends = options.throttledSends ?? 0;
  ssm.on(SendCommandCommand).callsFake((input: { Parameters: { commands: string[] } }) => {
    if (throttledSends > 0 && throttledSends--) throw aws("ThrottlingException", "Rate exceeded");
    const isDrain = input.Parameters.commands[0]?.includes("drain");
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
    return { Status: "Success", StandardOutputContent: probeOutput(statusOf.get(input.CommandId) ?? 0) };
  });
  autoscaling.on(DescribeAutoScalingInstancesCommand).callsFake(() => ({
    AutoScalingInstances: state.gone
      ? []
      : [{ InstanceId: action.instanceId, LifecycleState: "Pending:Wait" }],
  }));
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
    return {};
  });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  return state;
}

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
  it("admits a gateway that is healthy on the first probes, with two probes and no heartbeat", async () => {
    const state = world(() => 200);
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(state.heartbeats).toBe(0);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(2);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
  });

  it("waits through a slow boot with heartbeats, then continues", async () => {
    const state = world((n) => (n < 3 ? "unregistered" : n < 9 ? 0 : 200));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(state.heartbeats).toBeGreaterThanOrEqual(1);
    expect(run.states.filter((s) => s === "Heartbeat")).toHaveLength(state.heartbeats);
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

  it("abandons when the instance is terminated mid-gate, and reports it even though the action is gone", async () => {
    const state = world((n) => (n < 2 ? 503 : "gone"));
    state.active = true;
    autoscaling
      .on(CompleteLifecycleActionCommand)
      .rejects(aws("ValidationError", "No active Lifecycle Action found with instance ID"));
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states).toEqual(expect.arrayContaining(["Abandon", "PublishAbandoned"]));
    expect(run.states.at(-1)).toBe("Abandoned");
    expect(published()[0]?.detail.reason).toMatch(/instance left the group/);
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(1);
  });

  it("reports an expired token once and never retries it", async () => {
    const state = world(() => 200);
    state.active = false;
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("ActionGone");
    expect(state.refused).toBe(1);
    expect(run.retried).not.toContain("Continue");
  });

  it("completes the action once when a duplicate event started a second gate", async () => {
    const state = world(() => 200);
    const first = await runWorkflow(gate, lifecycleTasks, { action });
    const second = await runWorkflow(gate, lifecycleTasks, { action });
    expect(first.states.at(-1)).toBe("Admitted");
    expect(second.states.at(-1)).toBe("ActionGone");
    expect(state.completions).toEqual(["CONTINUE"]);
  });

  it("retries SSM throttling and a missing invocation without losing the probe", async () => {
    const state = world(() => 200, { throttledSends: 2, missingReads: 2 });
    const run = await runWorkflow(gate, lifecycleTasks, { action });
    expect(run.states.at(-1)).toBe("Admitted");
    expect(run.retried.filter((s) => s === "Probe")).toHaveLength(4);
    expect(state.completions).toEqual(["CONTINUE"]);
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

  it("continues at the drain deadline when the stop never finishes", async () => {
    const state = world(() => 0);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });
    const run = await runWorkflow(drain, lifecycleTasks, { action: terminating });
    expect(run.states.filter((s) => s === "WaitForDrain").length).toBeGreaterThan(5);
    expect(state.completions).toEqual(["CONTINUE"]);
    expect(published()[0]?.detail.reason).toMatch(/did not finish within 60s/);
  });
});
