/**
 * The Restore task's command, run as AWS-RunShellScript runs it (the commands as one shell script, its exit
 * status the invocation's Status) against stand-ins for `systemctl`, `timeout` and `sleep`, and what the drill
 * says of the restart it read. A start sent while systemd still runs the unit's stop job (a stop that gave up
 * on a slow unit) waits behind that job: `timeout` kills the `systemctl start` client, not the queued start job.
 */
import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from "@aws-sdk/client-auto-scaling";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { logger, withFunctionEnvironment } from "@clawops/core";
import { type GatewayRestart, restartSentence } from "@clawops/core/failure-drill";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { failureDrillTasks } from "../tasks.js";
import { runOnHost } from "./systemd-host.js";
import { drill, env, type Handler, I, taskContext } from "./task-fixture.js";

const restore = failureDrillTasks.RestoreFunctionArn as unknown as Handler;
const context = taskContext("restore");
/** An aborted drill (the stop gave up on a unit still stopping) about to restart the gateway. */
const state = {
  request: {},
  drill,
  stop: { commandId: "stop-1" },
};

const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);

beforeEach(() => {
  ssm.reset();
  autoscaling.reset();
  logger.setLogLevel("SILENT");
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "start-1" } });
  autoscaling
    .on(DescribeAutoScalingInstancesCommand)
    .resolves({ AutoScalingInstances: [{ InstanceId: I, LifecycleState: "InService" }] as never });
});

/** The script and SSM execution timeout the Restore task sends. */
async function startCommand(): Promise<{ script: string; executionTimeoutSeconds: number }> {
  await withFunctionEnvironment(env, () => restore(state, context));
  const parameters = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input.Parameters ?? {};
  return {
    script: (parameters.commands ?? []).join("\n"),
    executionTimeoutSeconds: Number(parameters.executionTimeout?.[0]),
  };
}

/** How the host behaves: systemctl start's exit (124: `timeout` killed it), then what is-active says, in turn. */
interface Host {
  readonly startExit: number;
  readonly states?: readonly string[];
}

/** Runs the script on a stand-in host; `slept` is the seconds the script waited after systemctl. */
function runOn(script: string, host: Host) {
  return runOnHost(script, { commandExit: host.startExit, states: host.states ?? ["active"] });
}

/** The restart the Restore task reads from an invocation that ended as `run` did, and its sentence. */
async function restartAfter(run: { status: number; stdout: string; stderr: string }) {
  const sent = (await withFunctionEnvironment(env, () => restore(state, context))) as object;
  ssm.on(GetCommandInvocationCommand).resolves({
    Status: run.status === 0 ? "Success" : "Failed",
    StatusDetails: run.status === 0 ? "Success" : "Failed",
    StandardOutputContent: run.stdout,
    StandardErrorContent:
      run.status === 0 ? "" : `${run.stderr}failed to run commands: exit status ${run.status}\n`,
  });
  const read = (await withFunctionEnvironment(env, () => restore(sent, context))) as {
    restore: { pending: boolean; restart: GatewayRestart };
  };
  expect(read.restore.pending).toBe(false);
  return { restart: read.restore.restart, sentence: restartSentence(I, read.restore.restart) };
}

describe("Function: restore (the gateway start command)", () => {
  it("reports the gateway restarted when systemctl start returns in time", async () => {
    const { script } = await startCommand();
    const run = runOn(script, { startExit: 0 });
    expect(run).toMatchObject({ status: 0, stdout: "CLAWOPS_DRILL=started\n" });
    expect((await restartAfter(run)).restart).toEqual({ outcome: "restarted", reason: null });
  });

  it("reports the gateway restarted once systemd finished the stop its start job waited behind", async () => {
    const { script } = await startCommand();
    const run = runOn(script, {
      startExit: 124,
      states: ["deactivating", "deactivating", "activating", "active"],
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("the unit started once systemd finished the stop");
    expect(run.stdout).toContain("CLAWOPS_DRILL=started");
    expect((await restartAfter(run)).restart).toEqual({ outcome: "restarted", reason: null });
  });

  it("says the start is queued behind the stop, not that the gateway stays stopped, when it is still not up at the bound", async () => {
    const { script, executionTimeoutSeconds } = await startCommand();
    const run = runOn(script, { startExit: 124, states: ["deactivating"] });
    expect(run.status).toBe(124);
    expect(run.stdout).not.toContain("CLAWOPS_DRILL=started");
    expect(run.stderr).toContain("the gateway unit is still deactivating");
    // systemctl's own 60 s, then the wait: all within the invocation's execution timeout.
    expect(60 + run.slept).toBeLessThan(executionTimeoutSeconds);
    const { restart, sentence } = await restartAfter(run);
    expect(restart.outcome).toBe("start-queued");
    expect(sentence).not.toContain("stays stopped");
    expect(sentence).toContain("queued behind systemd's stop of the unit");
  });

  it("reports a restart that failed with systemctl's exit status (an unknown gatewayServiceName)", async () => {
    const { script } = await startCommand();
    const run = runOn(script, { startExit: 5 });
    expect(run).toMatchObject({ status: 5, stdout: "" });
    const { restart, sentence } = await restartAfter(run);
    expect(restart.outcome).toBe("failed");
    expect(sentence).toContain("stays stopped");
  });
});
