/**
 * The Stop task's command, run as AWS-RunShellScript runs it (the commands as one shell script, its exit status
 * the invocation's Status) against stand-ins for `systemctl`, `timeout` and `sleep`. systemd keeps stopping a
 * unit after `timeout` killed the `systemctl stop` client, so the drill must judge the stop by the unit's state.
 */
import { SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { logger, withFunctionEnvironment } from "@clawops/core";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { failureDrillTasks } from "../tasks.js";
import { runOnHost } from "./systemd-host.js";
import { drill, env, type Handler, taskContext } from "./task-fixture.js";

const stop = failureDrillTasks.StopFunctionArn as unknown as Handler;
const context = taskContext("stop");
const state = {
  request: {},
  drill,
};

const ssm = mockClient(SSMClient);

beforeEach(() => {
  ssm.reset();
  logger.setLogLevel("SILENT");
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "stop-1" } });
});

/** The script and SSM execution timeout the Stop task sends. */
async function stopCommand(): Promise<{ script: string; executionTimeoutSeconds: number }> {
  await withFunctionEnvironment(env, () => stop(state, context));
  const parameters = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input.Parameters ?? {};
  return {
    script: (parameters.commands ?? []).join("\n"),
    executionTimeoutSeconds: Number(parameters.executionTimeout?.[0]),
  };
}

/** How the host behaves: systemctl stop's exit (124: `timeout` killed it), then what is-active says, in turn. */
interface Host {
  readonly stopExit: number;
  readonly states?: readonly string[];
}

/** Runs the script on a stand-in host; `slept` is the seconds the script waited after systemctl. */
function runOn(script: string, host: Host) {
  return runOnHost(script, { commandExit: host.stopExit, states: host.states ?? ["inactive"] });
}

describe("Function: stop (the gateway stop command)", () => {
  it("reports the gateway stopped when systemctl stop returns in time", async () => {
    const { script } = await stopCommand();
    expect(runOn(script, { stopExit: 0 })).toMatchObject({ status: 0, stdout: "CLAWOPS_DRILL=stopped\n" });
  });

  it.each([
    ["inactive", ["deactivating", "deactivating", "inactive"]],
    ["failed (systemd killed it after TimeoutStopSec)", ["deactivating", "failed"]],
  ])("reports a gateway slower than systemctl's bound as stopped once the unit is %s", async (_, states) => {
    const { script } = await stopCommand();
    const run = runOn(script, { stopExit: 124, states });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("systemctl stop gave up after 60 s; systemd went on and stopped the unit");
    expect(run.stdout).toContain("CLAWOPS_DRILL=stopped");
  });

  it("fails with the unit's state when the gateway is still up at the bound, before SSM times the script out", async () => {
    const { script, executionTimeoutSeconds } = await stopCommand();
    const run = runOn(script, { stopExit: 124, states: ["deactivating"] });
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toContain("CLAWOPS_DRILL=stopped");
    expect(run.stderr).toContain("the gateway unit is still deactivating");
    expect(run.stderr).toContain("TimeoutStopUSec=10min");
    // systemctl's own 60 s, then the wait: all within the invocation's execution timeout.
    expect(60 + run.slept).toBeLessThan(executionTimeoutSeconds);
  });

  it("fails with systemctl's exit status when it cannot stop the unit (an unknown gatewayServiceName)", async () => {
    const { script } = await stopCommand();
    expect(runOn(script, { stopExit: 5 })).toMatchObject({ status: 5, stdout: "" });
  });
});
