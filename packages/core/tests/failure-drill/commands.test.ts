import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  drillLockSeconds,
  GATEWAY_START_BOUND_SECONDS,
  GATEWAY_STOP_SETTLE_SECONDS,
  type GatewayCommandOutcome,
  gatewayCommandOutcome,
  gatewayStartCommands,
  gatewayStopCommands,
  stopMayStillFinish,
} from "../../src/failure-drill/index.js";
import type { InvocationResult } from "../../src/lifecycle/index.js";

/**
 * Runs a drill script as AWS-RunShellScript does (the commands as one shell script, its exit status the
 * command's status) against a stand-in `systemctl` that prints `stderr` and exits `exit`.
 */
function runScript(commands: readonly string[], exit: number, stderr = "") {
  const bin = mkdtempSync(join(tmpdir(), "clawops-systemctl-"));
  writeFileSync(join(bin, "systemctl"), `#!/bin/sh\n${stderr ? `echo "${stderr}" >&2\n` : ""}exit ${exit}\n`);
  chmodSync(join(bin, "systemctl"), 0o755);
  try {
    const stdout = execFileSync("sh", ["-c", commands.join("\n")], {
      env: { PATH: `${bin}:${process.env.PATH}` },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return { status: 0, stdout };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { status: failed.status, stdout: failed.stdout };
  }
}

describe("Function: gatewayStopCommands / gatewayStartCommands", () => {
  it.each([
    ["stop", gatewayStopCommands("openclaw-gateway"), "CLAWOPS_DRILL=stopped\n"],
    ["start", gatewayStartCommands("openclaw-gateway"), "CLAWOPS_DRILL=started\n"],
  ])("succeed and say so when systemctl %s succeeds", (_what, commands, said) => {
    expect(runScript(commands, 0)).toEqual({ status: 0, stdout: said });
  });

  it.each([
    ["stop", gatewayStopCommands("no-such-unit")],
    ["start", gatewayStartCommands("no-such-unit")],
  ])(
    "fail with systemctl's exit status when it cannot %s the unit (an unknown gatewayServiceName)",
    (_what, commands) => {
      expect(runScript(commands, 5, "Unit no-such-unit.service not loaded.")).toEqual({
        status: 5,
        stdout: "",
      });
    },
  );
});

const invocation = (status: string, extra: Partial<InvocationResult> = {}): InvocationResult => ({
  status,
  stdout: "",
  stderr: "",
  ...extra,
});

describe("Function: gatewayCommandOutcome", () => {
  it.each<[string, InvocationResult | null, GatewayCommandOutcome]>([
    ["an invocation not visible yet", null, { state: "running" }],
    ["a Pending invocation", invocation("Pending"), { state: "running" }],
    ["an InProgress invocation", invocation("InProgress"), { state: "running" }],
    ["a Success", invocation("Success", { stdout: "CLAWOPS_DRILL=stopped\n" }), { state: "succeeded" }],
    [
      "a Failed one with systemctl's complaint",
      invocation("Failed", {
        statusDetails: "Failed",
        stderr:
          "Failed to stop openclaw-gatewy.service: Unit openclaw-gatewy.service not loaded.\nfailed to run commands: exit status 5\n",
      }),
      {
        state: "failed",
        reason:
          "SSM says Failed: Failed to stop openclaw-gatewy.service: Unit openclaw-gatewy.service not loaded. failed to run commands: exit status 5",
      },
    ],
    [
      "a TimedOut one that never reached the agent",
      invocation("TimedOut", { statusDetails: "DeliveryTimedOut" }),
      { state: "failed", reason: "SSM says TimedOut (DeliveryTimedOut)" },
    ],
  ])("reads %s", (_case, result, outcome) => {
    expect(gatewayCommandOutcome(result)).toEqual(outcome);
  });
});

describe("Function: stopMayStillFinish", () => {
  it.each<[string, InvocationResult, boolean]>([
    [
      "the script gave up on a unit still deactivating (exit 124)",
      invocation("Failed", {
        statusDetails: "Failed",
        stderr:
          "the gateway unit is still deactivating 300 s after systemctl stop (TimeoutStopUSec=10min)\nfailed to run commands: exit status 124\n",
      }),
      true,
    ],
    [
      "SSM ended the script past its execution timeout",
      invocation("TimedOut", { statusDetails: "ExecutionTimedOut" }),
      true,
    ],
    [
      "systemctl refused an unknown unit (exit 5)",
      invocation("Failed", { statusDetails: "Failed", stderr: "Unit no-such-unit.service not loaded.\n" }),
      false,
    ],
    [
      "the command never reached the agent",
      invocation("TimedOut", { statusDetails: "DeliveryTimedOut" }),
      false,
    ],
  ])("says whether systemd may still stop the gateway when %s", (_, result, mayFinish) => {
    expect(stopMayStillFinish(gatewayCommandOutcome(result))).toBe(mayFinish);
  });
});

describe("Function: drillLockSeconds", () => {
  it.each([
    [60, 60],
    [60, 300],
    [900, 300],
  ])(
    "outlives the slowest drill (replacement window %i s, alarm window %i s): a stop settling at its bound, the abort, a restart queued behind the stop",
    (replacementSeconds, alarmSeconds) => {
      const windows = { replacementSeconds, alarmSeconds, alertSeconds: 120 };
      // The abort comes at twice the replacement window, or once the stop settled and a window passed; the
      // recovery may take twice the alarm window; the restart waits up to its bound plus SSM's 10 s.
      const abortAt = Math.max(2 * replacementSeconds, GATEWAY_STOP_SETTLE_SECONDS + replacementSeconds);
      const longest = abortAt + 2 * alarmSeconds + GATEWAY_START_BOUND_SECONDS + 10;
      expect(drillLockSeconds(windows)).toBeGreaterThan(longest);
    },
  );
});
