import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { metrics } from "@clawops/core";
import { recordHeartbeat, startGate } from "@clawops/core/lifecycle";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { action, context, installEnvironment, probeOutput, settings } from "./fixture.js";

installEnvironment();
const { lifecycleTasks } = await import("../tasks.js");
const {
  ProbeFunctionArn: probe,
  HeartbeatFunctionArn: heartbeat,
  CompleteFunctionArn: complete,
} = lifecycleTasks;
const { PublishFunctionArn: publish, DrainFunctionArn: drain } = lifecycleTasks;

const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);
const events = mockClient(EventBridgeClient);
const aws = (name: string, message: string, fault: "client" | "server" = "client") =>
  new ServiceException({
    name,
    message,
    $fault: fault,
    $metadata: { httpStatusCode: fault === "client" ? 400 : 500 },
  });

/** Names of the metrics Powertools prints while `work` runs (its own console, as the sandbox swaps it). */
async function metricNamesOf(work: () => Promise<unknown>): Promise<string[]> {
  const names: string[] = [];
  const sink = (line: unknown) => {
    const blob = JSON.parse(String(line)) as {
      _aws?: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
    };
    for (const group of blob._aws?.CloudWatchMetrics ?? []) names.push(...group.Metrics.map((m) => m.Name));
  };
  const emf = metrics as unknown as { console: unknown };
  const previous = emf.console;
  emf.console = { log: sink, info: sink, warn: sink, error: sink, debug: sink };
  try {
    await work();
  } finally {
    emf.console = previous;
  }
  return names;
}

beforeEach(() => {
  ssm.reset();
  autoscaling.reset();
  events.reset();
  // The fixture's group has no warm pool.
  autoscaling.on(DescribeWarmPoolCommand).resolves({ Instances: [] });
});

/** The instance's lifecycle state: in the group (DescribeAutoScalingInstances) or in its warm pool only. */
function instanceIs(lifecycleState: string | undefined, where: "group" | "warm pool" = "group") {
  const listed =
    lifecycleState === undefined ? [] : [{ InstanceId: action.instanceId, LifecycleState: lifecycleState }];
  autoscaling
    .on(DescribeAutoScalingInstancesCommand)
    .resolves({ AutoScalingInstances: (where === "group" ? listed : []) as never });
  autoscaling
    .on(DescribeWarmPoolCommand)
    .resolves({ Instances: (where === "warm pool" ? listed : []) as never });
}

const noActiveAction = () =>
  aws("ValidationError", `No active Lifecycle Action found with token ${action.token}`);

describe("Function: probe (launch gate task)", () => {
  it("sends a bounded AWS-RunShellScript probe and asks to read it", async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
    const out = (await probe({ action }, context)) as { gate: { next: string; pendingCommandId: string } };
    expect(out.gate).toMatchObject({ next: "read", pendingCommandId: "cmd-1" });
    const input = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      DocumentName: "AWS-RunShellScript",
      InstanceIds: [action.instanceId],
      TimeoutSeconds: 30,
      Parameters: { executionTimeout: ["10"] },
    });
    expect(input.Parameters?.commands?.[0]).toBe("# clawops-probe: gateway-health v1");
  });

  it("reads the invocation and decides from the gateway's answer", async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: "Success", StandardOutputContent: probeOutput(200) });
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1", healthyStreak: 1 };
    const out = (await probe({ action, gate }, context)) as { gate: { next: string; healthyStreak: number } };
    expect(out.gate).toMatchObject({ next: "continue", healthyStreak: 2 });
    expect(ssm.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input).toEqual({
      CommandId: "cmd-1",
      InstanceId: action.instanceId,
    });
  });

  it("reads again while the command runs", async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1" };
    const out = (await probe({ action, gate }, context)) as { gate: { next: string; reads: number } };
    expect(out.gate).toMatchObject({ next: "read", reads: 1 });
  });

  it("throws ProbeNotReady while SSM has no invocation yet, for the state machine to retry", async () => {
    ssm.on(GetCommandInvocationCommand).rejects(aws("InvocationDoesNotExist", ""));
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1" };
    await expect(probe({ action, gate }, context)).rejects.toMatchObject({ name: "ProbeNotReady" });
  });

  it("keeps waiting while the SSM agent has not registered", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: "Pending:Wait" } as never],
    });
    const started = recordHeartbeat(startGate(Date.now(), settings.gate), Date.now());
    const out = (await probe({ action, gate: started }, context)) as {
      gate: { next: string; lastProbe: { status: string } };
    };
    expect(out.gate.next).toBe("probe-again");
    expect(out.gate.lastProbe.status).toBe("agent-not-registered");
  });

  it("heartbeats after its first probe when the gate could not heartbeat at its start (the hook's age is unknown)", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: "Pending:Wait" } as never],
    });
    const out = (await probe({ action }, context)) as { gate: { next: string } };
    expect(out.gate.next).toBe("heartbeat");
  });

  it.each([
    [
      "Auto Scaling throttling while the agent registers",
      "AwsThrottled",
      () => {
        ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
        autoscaling.on(DescribeAutoScalingInstancesCommand).rejects(aws("Throttling", "Rate exceeded"));
      },
    ],
    [
      "an SSM 5xx on the read",
      "AwsUnavailable",
      () => ssm.on(GetCommandInvocationCommand).rejects(aws("InternalServerError", "", "server")),
    ],
    [
      "an SSM 5xx on the send",
      "AwsUnavailable",
      () => ssm.on(SendCommandCommand).rejects(aws("ServiceUnavailable", "", "server")),
    ],
  ])("fails retryably on %s, for the state machine to retry", async (_case, name, arrange) => {
    arrange();
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1" };
    const input = name === "AwsUnavailable" && _case.includes("read") ? { action, gate } : { action };
    await expect(probe(input, context)).rejects.toMatchObject({ name, retryable: true });
  });

  it("counts a probe that kept failing after the state machine's retries as a probe without an answer", async () => {
    const gate = startGate(Date.now(), settings.gate);
    const out = (await probe(
      { action, gate, lost: { Error: "AwsUnavailable", Cause: "SSM Run Command failed on AWS's side" } },
      context,
    )) as { gate: { next: string; probes: number; lastProbe: { status: string; reason: string } } };
    expect(out.gate.lastProbe).toMatchObject({
      status: "no-answer",
      reason: "the probe failed after retries (AwsUnavailable)",
    });
    expect(out.gate).toMatchObject({ next: "probe-again", probes: 1 });
  });

  it("keeps waiting while the SSM agent of an instance warming up in the warm pool registers", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    instanceIs("Warmed:Pending:Wait", "warm pool");
    const started = recordHeartbeat(startGate(Date.now(), settings.gate), Date.now());
    const out = (await probe({ action, gate: started }, context)) as {
      gate: { next: string; lastProbe: { status: string } };
    };
    expect(out.gate).toMatchObject({ next: "probe-again", lastProbe: { status: "agent-not-registered" } });
    expect(autoscaling.commandCalls(DescribeWarmPoolCommand)[0]!.args[0].input).toMatchObject({
      AutoScalingGroupName: action.asgName,
    });
  });

  it("starts the gateway of an instance leaving the warm pool before it sends the probe", async () => {
    ssm
      .on(SendCommandCommand)
      .resolvesOnce({ Command: { CommandId: "start-1" } })
      .resolves({
        Command: { CommandId: "probe-1" },
      });
    const leaving = { ...action, warmPool: "leaving" as const };
    const out = (await probe({ action: leaving }, context)) as { gate: { pendingCommandId: string } };
    const sent = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sent.map((input) => input.Parameters?.commands?.[0])).toEqual([
      "# clawops-gate: gateway-resume v1",
      "# clawops-probe: gateway-health v1",
    ]);
    expect(sent[0]).toMatchObject({
      DocumentName: "AWS-RunShellScript",
      InstanceIds: [action.instanceId],
      Parameters: {
        commands: expect.arrayContaining(["systemctl start --no-block 'openclaw-gateway'"]),
        executionTimeout: ["30"],
      },
    });
    // The gate reads the probe, not the start.
    expect(out.gate.pendingCommandId).toBe("probe-1");
  });

  it.each([
    ["a launch from the group's own launch", action, 0],
    ["a launch into the warm pool", { ...action, warmPool: "entering" as const }, 0],
    [
      "an instance leaving the warm pool whose gateway already answered",
      { ...action, warmPool: "leaving" as const },
      1,
    ],
  ])("does not start the gateway for %s", async (_case, gated, healthyStreak) => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "probe-1" } });
    const gate = { ...startGate(Date.now(), settings.gate), healthyStreak };
    await probe({ action: gated, gate }, context);
    const scripts = ssm
      .commandCalls(SendCommandCommand)
      .map((c) => c.args[0].input.Parameters?.commands?.[0]);
    expect(scripts).toEqual(["# clawops-probe: gateway-health v1"]);
  });

  it("keeps waiting when the agent of an instance leaving the warm pool takes no command yet, starting it again next probe", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    instanceIs("Pending:Wait");
    const leaving = { ...action, warmPool: "leaving" as const };
    const started = recordHeartbeat(startGate(Date.now(), settings.gate), Date.now());
    const out = (await probe({ action: leaving, gate: started }, context)) as {
      gate: { next: string; lastProbe: { status: string } };
    };
    expect(out.gate).toMatchObject({ next: "probe-again", lastProbe: { status: "agent-not-registered" } });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(2);
  });

  it("stops the healthy gateway of an instance entering the warm pool before the gate CONTINUEs", async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: "Success", StandardOutputContent: probeOutput(200) });
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "stop-1" } });
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        { InstanceId: action.instanceId, LifecycleState: "Warmed:Pending:Wait" },
      ] as never,
    });
    const entering = { ...action, warmPool: "entering" as const };
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1", healthyStreak: 1 };
    const out = (await probe({ action: entering, gate }, context)) as { gate: { next: string } };
    expect(out.gate.next).toBe("continue");
    const [stop, ...more] = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(more).toEqual([]);
    expect(stop?.Parameters?.commands).toEqual([
      "# clawops-gate: gateway-rest v1",
      "systemctl stop --no-block 'openclaw-gateway'",
    ]);
  });

  it.each([
    ["with its token", action.token],
    ["without a token (a reconciled gate)", undefined],
  ])(
    "ends quietly, stopping nothing, when the instance it would admit into the pool has left it (%s)",
    async (_case, token) => {
      // Another gate of the same entry admitted it, and it left the pool: it waits on the launch hook's exit action.
      autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({
        AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: "Pending:Wait" }] as never,
      });
      ssm
        .on(GetCommandInvocationCommand)
        .resolves({ Status: "Success", StandardOutputContent: probeOutput(200) });
      const entering = { ...action, token, warmPool: "entering" as const };
      const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1", healthyStreak: 1 };
      await expect(probe({ action: entering, gate }, context)).rejects.toMatchObject({
        name: "LifecycleActionGone",
      });
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    },
  );

  it.each([
    ["Warmed:Terminating:Wait", "Warmed:Terminating:Wait"],
    ["Warmed:Terminated", "Warmed:Terminated"],
    ["gone from the group and its pool", undefined],
  ])(
    "reports the hook expired, stopping nothing, when the instance it would admit into the pool is %s",
    async (_case, state) => {
      // The gate's heartbeats failed for longer than the hook's timeout: AWS applied the default (ABANDON).
      autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
      autoscaling.on(DescribeWarmPoolCommand).resolves({
        Instances: state ? ([{ InstanceId: action.instanceId, LifecycleState: state }] as never) : [],
      });
      ssm
        .on(GetCommandInvocationCommand)
        .resolves({ Status: "Success", StandardOutputContent: probeOutput(200) });
      const entering = { ...action, warmPool: "entering" as const };
      const started = startGate(Date.now() - 600_000, settings.gate);
      const gate = { ...started, pendingCommandId: "cmd-1", healthyStreak: 1 };
      await expect(probe({ action: entering, gate }, context)).rejects.toMatchObject({
        name: "LifecycleHookExpired",
      });
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    },
  );

  it.each([
    ["not healthy yet", { ...action, warmPool: "entering" as const }, 0],
    ["admitted into the group, not the pool", action, 1],
  ])("does not stop the gateway of an instance %s", async (_case, gated, healthyStreak) => {
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: "Success", StandardOutputContent: probeOutput(200) });
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1", healthyStreak };
    await probe({ action: gated, gate }, context);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it("abandons when the instance left the group", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    const out = (await probe({ action }, context)) as { gate: { next: string } };
    expect(out.gate.next).toBe("abandon");
  });

  it("counts a lost probe as not healthy", async () => {
    const gate = { ...startGate(Date.now(), settings.gate), pendingCommandId: "cmd-1" };
    const out = (await probe({ action, gate, lost: { Error: "ProbeNotReady", Cause: "gone" } }, context)) as {
      gate: { next: string; lastProbe: { status: string } };
    };
    expect(out.gate.lastProbe.status).toBe("no-answer");
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe("Function: heartbeat (launch gate task)", () => {
  it("records a heartbeat with the action's token", async () => {
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    const out = (await heartbeat({ action, gate: startGate(Date.now(), settings.gate) }, context)) as {
      gate: { heartbeats: number };
    };
    expect(out.gate.heartbeats).toBe(1);
    expect(autoscaling.commandCalls(RecordLifecycleActionHeartbeatCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: action.asgName,
      LifecycleHookName: action.hookName,
      LifecycleActionToken: action.token,
    });
  });

  it("starts the gate with a heartbeat when it has none yet", async () => {
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    const before = Date.now();
    const out = (await heartbeat({ action }, context)) as {
      gate: { heartbeats: number; probes: number; lastHeartbeatAt: number; waitSeconds: number };
    };
    expect(out.gate).toMatchObject({ heartbeats: 1, probes: 0, waitSeconds: 0 });
    expect(out.gate.lastHeartbeatAt).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ["LifecycleHookExpired", "terminating (AWS applied the default ABANDON)", "Terminating:Wait", "group"],
    ["LifecycleHookExpired", "no longer in the group", undefined, "group"],
    ["LifecycleHookExpired", "terminating from the warm pool", "Warmed:Terminating:Wait", "warm pool"],
    // The gate ends quietly on LifecycleActionGone: clawops' action was completed by someone else.
    ["LifecycleActionGone", "in service", "InService", "group"],
    ["LifecycleActionGone", "on its way in service", "Pending:Proceed", "group"],
    ["LifecycleActionGone", "resting in the warm pool", "Warmed:Stopped", "warm pool"],
    // AWS keeps the instance waiting after clawops' hook was CONTINUEd while another team's launch hook is pending.
    ["LifecycleActionGone", "still waiting on another launch hook", "Pending:Wait", "group"],
    // With ReuseOnScaleIn, an instance returning to the pool at scale in waits there for the TERMINATE hook.
    [
      "LifecycleActionGone",
      "waiting in the warm pool on the terminate hook",
      "Warmed:Pending:Wait",
      "warm pool",
    ],
  ] as const)(
    "throws %s when the action is gone and the instance is %s, counting LifecycleActionGone",
    async (name, _case, state, where) => {
      autoscaling.on(RecordLifecycleActionHeartbeatCommand).rejects(noActiveAction());
      instanceIs(state, where);
      const names = await metricNamesOf(() =>
        expect(heartbeat({ action }, context)).rejects.toMatchObject({ name }),
      );
      expect(names).toContain("LifecycleActionGone");
    },
  );
});

describe.each([
  ["heartbeat", () => heartbeat({ action }, context), RecordLifecycleActionHeartbeatCommand],
  [
    "complete (CONTINUE)",
    () => complete({ action, result: "CONTINUE" }, context),
    CompleteLifecycleActionCommand,
  ],
  [
    "complete (ABANDON)",
    () => complete({ action, result: "ABANDON" }, context),
    CompleteLifecycleActionCommand,
  ],
] as const)("Function: %s, action gone and the instance's state unreadable", (_name, run, command) => {
  it.each([
    ["throttled", aws("Throttling", "Rate exceeded")],
    ["denied", aws("AccessDenied", "not authorized to perform autoscaling:DescribeAutoScalingInstances")],
  ])(
    "throws LifecycleStateUnknown (retried, then published) when the look-up is %s, leaving LifecycleActionGone to the final verdict",
    async (_case, error) => {
      autoscaling.on(command as never).rejects(noActiveAction());
      autoscaling.on(DescribeAutoScalingInstancesCommand).rejects(error);
      const names = await metricNamesOf(() =>
        expect(run()).rejects.toMatchObject({ name: "LifecycleStateUnknown", instanceId: action.instanceId }),
      );
      expect(names).not.toContain("LifecycleActionGone");
    },
  );

  it("counts one gone action once across the state machine's retries: the attempt that reads the state counts it", async () => {
    // Prepare: the action is gone; the first two looks at the instance are throttled, the third reads InService.
    autoscaling.on(command as never).rejects(noActiveAction());
    autoscaling
      .on(DescribeAutoScalingInstancesCommand)
      .rejectsOnce(aws("Throttling", "Rate exceeded"))
      .rejectsOnce(aws("Throttling", "Rate exceeded"))
      .resolves({
        AutoScalingInstances: [{ InstanceId: action.instanceId, LifecycleState: "InService" } as never],
      });
    // Act: the task as the state machine retries it (LifecycleStateUnknown is retried like throttling).
    const names = await metricNamesOf(async () => {
      await expect(run()).rejects.toMatchObject({ name: "LifecycleStateUnknown" });
      await expect(run()).rejects.toMatchObject({ name: "LifecycleStateUnknown" });
      await expect(run()).rejects.toMatchObject({ name: "LifecycleActionGone" });
    });
    // Assess
    expect(names.filter((name) => name === "LifecycleActionGone")).toHaveLength(1);
  });
});

describe("Function: complete (lifecycle task)", () => {
  it("completes by token", async () => {
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});
    await expect(complete({ action, result: "CONTINUE" }, context)).resolves.toEqual({
      completed: true,
      result: "CONTINUE",
    });
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toMatchObject({
      LifecycleActionToken: action.token,
      LifecycleActionResult: "CONTINUE",
    });
  });

  it("completes by instance id when the reconciler started the flow", async () => {
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});
    await complete({ action: { ...action, token: undefined }, result: "ABANDON" }, context);
    const input = autoscaling.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ InstanceId: action.instanceId, LifecycleActionResult: "ABANDON" });
    expect(input.LifecycleActionToken).toBeUndefined();
  });

  it.each([
    [
      "contention as LifecycleContention",
      new ServiceException({ name: "ResourceContention", message: "busy", $fault: "server", $metadata: {} }),
      "LifecycleContention",
    ],
  ])("reports %s", async (_name, error, name) => {
    autoscaling.on(CompleteLifecycleActionCommand).rejects(error);
    await expect(complete({ action, result: "CONTINUE" }, context)).rejects.toMatchObject({ name });
  });

  it("reports a CONTINUE whose hook expired (the instance is being terminated) as LifecycleHookExpired, counting LifecycleActionGone", async () => {
    autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
    instanceIs("Terminating");
    const names = await metricNamesOf(() =>
      expect(complete({ action, result: "CONTINUE" }, context)).rejects.toMatchObject({
        name: "LifecycleHookExpired",
        lifecycleState: "Terminating",
      }),
    );
    expect(names).toContain("LifecycleActionGone");
  });

  it.each([
    ["in service", "InService", "group"],
    ["resting in the warm pool", "Warmed:Stopped", "warm pool"],
  ] as const)(
    "reports a CONTINUE another gate already made (the instance is %s) as LifecycleActionGone",
    async (_case, state, where) => {
      autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
      instanceIs(state, where);
      await expect(complete({ action, result: "CONTINUE" }, context)).rejects.toMatchObject({
        name: "LifecycleActionGone",
      });
    },
  );

  it("reports a drain's CONTINUE that finds its action gone as LifecycleActionGone, without looking at the instance", async () => {
    autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
    const drained = { ...action, hookName: "clawops-drain", transition: "terminate" } as const;
    await expect(complete({ action: drained, result: "CONTINUE" }, context)).rejects.toMatchObject({
      name: "LifecycleActionGone",
    });
    expect(autoscaling.commandCalls(DescribeAutoScalingInstancesCommand)).toHaveLength(0);
  });

  it.each([
    ["terminating (this gate's earlier attempt applied it, its answer lost)", "Terminating", "group"],
    ["waiting on the terminate hook (the hook timed out into ABANDON)", "Terminating:Wait", "group"],
    ["no longer in the group", undefined, "group"],
    ["leaving the warm pool for termination", "Warmed:Terminating:Wait", "warm pool"],
  ] as const)(
    "reports an ABANDON that finds its action gone with the instance %s as LaunchAlreadyAbandoned, counting LifecycleActionGone",
    async (_case, state, where) => {
      autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
      instanceIs(state, where);
      const names = await metricNamesOf(() =>
        expect(complete({ action, result: "ABANDON" }, context)).rejects.toMatchObject({
          name: "LaunchAlreadyAbandoned",
          lifecycleState: state,
          message: expect.stringMatching(
            /earlier attempt of this gate.*another gate's ABANDON.*hook's timeout/,
          ),
        }),
      );
      expect(names).toContain("LifecycleActionGone");
    },
  );

  it.each([
    ["in service", "InService", "group"],
    ["admitted", "Pending:Proceed", "group"],
    ["waiting on another team's launch hook", "Pending:Wait", "group"],
    ["resting in the warm pool", "Warmed:Stopped", "warm pool"],
  ] as const)(
    "reports an ABANDON that finds its action gone while another gate admitted the instance (%s) as LifecycleActionGone",
    async (_case, state, where) => {
      autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
      instanceIs(state, where);
      await expect(complete({ action, result: "ABANDON" }, context)).rejects.toMatchObject({
        name: "LifecycleActionGone",
      });
    },
  );

  it("judges an ABANDON of an instance the gate saw leave the group by the gate's clock: a scale in within the hook's timeout is quiet", async () => {
    autoscaling.on(CompleteLifecycleActionCommand).rejects(noActiveAction());
    instanceIs(undefined);
    const now = Date.now();
    const left = {
      ...recordHeartbeat(startGate(now, settings.gate), now),
      lastProbe: { status: "instance-gone", reason: "gone", output: "", at: new Date(now).toISOString() },
    } as const;
    // The Abandon state passes its whole execution state, gate included.
    const run = complete({ action, result: "ABANDON", execution: { action, gate: left } }, context);
    await expect(run).rejects.toMatchObject({ name: "LifecycleActionGone" });
  });
});

describe("Function: publish (lifecycle task)", () => {
  it("publishes LifecycleAbandoned with the last probe output", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const gate = {
      ...startGate(Date.now(), settings.gate),
      reason: "gateway did not answer healthy",
      lastProbe: {
        status: "unhealthy" as const,
        reason: "HTTP 503",
        output: probeOutput(503),
        at: "2026-03-02T10:00:00.000Z",
      },
    };
    await publish({ action, gate }, context);
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: "clawops", DetailType: "LifecycleAbandoned" });
    const detail = JSON.parse(entry.Detail!);
    expect(detail).toMatchObject({
      instanceId: action.instanceId,
      reason: "gateway did not answer healthy",
      lastProbe: { status: "unhealthy" },
    });
    expect(detail.lastProbe.output).toContain("CLAWOPS_HTTP_STATUS=503");
  });

  it("publishes DrainFailed for a terminate action, with the caught error as the reason", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    await publish(
      {
        action: { ...action, transition: "terminate" },
        error: { Error: "AccessDeniedException", Cause: "no" },
      },
      context,
    );
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe("DrainFailed");
    expect(JSON.parse(entry.Detail!).reason).toBe("AccessDeniedException: no");
  });

  it("says the hook expired when the gate ended on an expired hook, keeping the last probe", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const gate = {
      ...startGate(Date.now(), settings.gate),
      lastProbe: {
        status: "healthy" as const,
        reason: "HTTP 200",
        output: probeOutput(200),
        at: "2026-03-02T10:00:00.000Z",
      },
    };
    await publish(
      { action, gate, error: { Error: "LifecycleHookExpired", Cause: '{"errorMessage":"expired"}' } },
      context,
    );
    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!);
    expect(detail).toMatchObject({
      reason: "lifecycle hook expired before the gate finished: AWS applied the hook's default result",
      lastProbe: { status: "healthy" },
    });
  });

  it("says the hook expired when the gate ended on a gone action, keeping the last probe", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const gate = {
      ...startGate(Date.now(), settings.gate),
      lastProbe: {
        status: "unhealthy" as const,
        reason: "refused",
        output: probeOutput(0),
        at: "2026-03-02T10:00:00.000Z",
      },
    };
    await publish(
      { action, gate, error: { Error: "LifecycleActionGone", Cause: '{"errorMessage":"no active"}' } },
      context,
    );
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe("LifecycleAbandoned");
    expect(JSON.parse(entry.Detail!)).toMatchObject({
      instanceId: action.instanceId,
      reason: expect.stringMatching(/^lifecycle hook expired before the gate finished/),
      lastProbe: { status: "unhealthy" },
    });
  });

  it("says the state could not be read when the gate ended on LifecycleStateUnknown, keeping the last probe", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
    const gate = {
      ...startGate(Date.now(), settings.gate),
      lastProbe: {
        status: "healthy" as const,
        reason: "HTTP 200",
        output: "",
        at: "2026-03-02T10:00:00.000Z",
      },
    };
    await publish(
      { action, gate, error: { Error: "LifecycleStateUnknown", Cause: '{"errorMessage":"unknown"}' } },
      context,
    );
    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!);
    expect(detail).toMatchObject({
      reason: expect.stringMatching(
        /^lifecycle action gone and the instance's lifecycle state could not be read/,
      ),
      lastProbe: { status: "healthy" },
    });
  });

  it.each([
    [1, "LifecycleStateUnknown", "no task could count the gone action"],
    [0, "LifecycleHookExpired", "the task that judged the gone action counted it"],
    [0, "AwsUnavailable", "a CONTINUE that kept failing: no gone action"],
  ] as const)(
    "counts LifecycleActionGone %i time(s) when the gate ended on %s (%s)",
    async (count, caught, _why) => {
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
      const names = await metricNamesOf(() =>
        publish({ action, error: { Error: caught, Cause: '{"errorMessage":"x"}' } }, context),
      );
      expect(names.filter((name) => name === "LifecycleActionGone")).toHaveLength(count);
    },
  );

  it("does not count a gone action when EventBridge refuses the entry (the retry counts it)", async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    const names = await metricNamesOf(() =>
      expect(
        publish({ action, error: { Error: "LifecycleStateUnknown", Cause: "unknown" } }, context),
      ).rejects.toMatchObject({ name: "RetryableError" }),
    );
    expect(names).not.toContain("LifecycleActionGone");
  });

  it("fails retryably when EventBridge refuses the entry", async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    await expect(publish({ action }, context)).rejects.toMatchObject({ name: "RetryableError" });
  });
});

describe("Function: drain (terminate drain task)", () => {
  const terminating = { ...action, hookName: "clawops-drain", transition: "terminate" as const };

  it("stops the gateway with a bounded systemctl stop", async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-9" } });
    const out = (await drain({ action: terminating }, context)) as {
      drain: { next: string; commandId: string };
    };
    expect(out.drain).toMatchObject({ next: "check", commandId: "cmd-9" });
    const input = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(input.Parameters?.commands).toContain("timeout 60 systemctl stop 'openclaw-gateway'; code=$?");
    expect(input.Parameters?.executionTimeout).toEqual(["65"]);
  });

  it.each([
    ["Success", "continue"],
    ["Failed", "drain-failed"],
    ["InProgress", "check"],
  ])("after a %s stop decides %s", async (status, next) => {
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: status as never, StandardOutputContent: "", StandardErrorContent: "" });
    const out = (await drain(
      {
        action: terminating,
        drain: { startedAt: Date.now(), checks: 0, commandId: "cmd-9", next: "check", reason: "" },
      },
      context,
    )) as { drain: { next: string } };
    expect(out.drain.next).toBe(next);
  });

  it.each([
    ["heartbeats again when the hook would time out within two checks", 25_000, 1],
    ["does not heartbeat again right after a heartbeat", 5_000, 0],
  ])(
    "%s (the fixture's terminate hook is unknown: AWS's minimum, 30 s)",
    async (_case, sinceMs, heartbeats) => {
      autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
      ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });
      const now = Date.now();
      const state = {
        startedAt: now - sinceMs,
        checks: 1,
        commandId: "cmd-9",
        next: "check" as const,
        reason: "",
        heartbeatAt: now - sinceMs,
        checksAtHeartbeat: 1,
      };
      const out = (await drain({ action: terminating, drain: state }, context)) as {
        drain: { next: string };
      };
      expect(out.drain.next).toBe("check");
      expect(autoscaling.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(heartbeats);
    },
  );

  it("heartbeats a due hook before reading the stop, so an SSM read throttled past its retries cannot let it expire", async () => {
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    ssm.on(GetCommandInvocationCommand).rejects(aws("ThrottlingException", "Rate exceeded"));
    const now = Date.now();
    // Last heartbeat 25 s ago: the hook (AWS's minimum, 30 s, as for an imported fleet) is due.
    const state = {
      startedAt: now - 25_000,
      checks: 4,
      commandId: "cmd-9",
      next: "check" as const,
      reason: "",
      heartbeatAt: now - 25_000,
      checksAtHeartbeat: 0,
    };
    // The task fails (the state machine retries it), and every attempt has extended the hook first.
    await expect(drain({ action: terminating, drain: state }, context)).rejects.toMatchObject({
      name: "AwsThrottled",
    });
    expect(autoscaling.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(1);
  });

  it("fails the drain (and still continues) when SSM cannot reach the instance", async () => {
    ssm.on(SendCommandCommand).rejects(aws("InvalidInstanceId", ""));
    const out = (await drain({ action: terminating }, context)) as { drain: { next: string } };
    expect(out.drain.next).toBe("drain-failed");
  });
});
