/**
 * The terminate drain's script, run as AWS-RunShellScript runs it (the commands as one shell script, its exit
 * status the invocation's Status) against stand-ins for `timeout` and `systemctl`, and the drain's decision on
 * the outcome: a gateway that did not stop, or a unit that does not exist, is a DrainFailed, never "stopped".
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type DrainState, decideDrainStep, gatewayDrainCommands } from "../../src/lifecycle/index.js";

const settings = { timeoutSeconds: 120, serviceName: "openclaw-gateway" };
const T0 = Date.parse("2026-11-30T10:00:00Z");
const state: DrainState = { startedAt: T0, checks: 0, commandId: "c-1", next: "check", reason: "" };

/**
 * What the host's systemd says of the unit: before the stop, and its Result after it; `systemdVersion` below 230
 * (Amazon Linux 2's 219) has no `systemctl show --value`.
 */
interface Unit {
  readonly before: string;
  readonly result: string;
  readonly systemdVersion?: number;
}

/**
 * Runs the drain script on a host whose `timeout … systemctl stop` ends with `stopExit` and whose unit reads as
 * `unit` says (its ActiveState before the stop, its Result after it); SSM's view of it.
 */
function drainOn(stopExit: number, unit: Unit = { before: "active", result: "success" }) {
  const dir = mkdtempSync(join(tmpdir(), "clawops-drain-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  };
  file("timeout", `#!/bin/sh\nexit ${stopExit}\n`);
  file(
    "systemctl",
    [
      "#!/bin/sh",
      '[ "$1" = show ] || exit 0',
      // systemctl show -p NAME [--value] UNIT: NAME=value, or the value alone with --value (systemd 230+)
      'prefix="$3="; [ "$4" = --value ] && prefix=',
      `if [ "$4" = --value ] && [ ${unit.systemdVersion ?? 252} -lt 230 ]; then echo "systemctl: unrecognized option '--value'" >&2; exit 1; fi`,
      'case "$3" in',
      `  ActiveState) echo "\${prefix}${unit.before}" ;;`,
      `  Result) echo "\${prefix}${unit.result}" ;;`,
      '  TimeoutStopUSec) echo "${prefix}1min 30s" ;;',
      "esac",
    ].join("\n"),
  );
  const run = spawnSync("sh", ["-c", gatewayDrainCommands(settings).join("\n")], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: "utf8",
  });
  return { status: run.status === 0 ? "Success" : "Failed", stdout: run.stdout, stderr: run.stderr };
}

describe("Function: gatewayDrainCommands", () => {
  it("reports the gateway stopped once systemctl stop finished", () => {
    const result = drainOn(0);

    expect(result).toMatchObject({ status: "Success", stdout: "CLAWOPS_DRAIN=stopped\n" });
    expect(decideDrainStep(state, result, T0 + 5_000, settings)).toMatchObject({
      next: "continue",
      reason: "gateway stopped",
    });
  });

  it("fails the drain, saying so, when the gateway is still stopping at the drain timeout", () => {
    const result = drainOn(124);

    expect(result.status).toBe("Failed");
    expect(result.stdout).not.toContain("CLAWOPS_DRAIN=stopped");
    expect(decideDrainStep(state, result, T0 + 125_000, settings)).toMatchObject({
      next: "drain-failed",
      reason:
        "drain command Failed: the gateway was still stopping after 120 s (systemd goes on stopping it)",
    });
  });

  it("fails the drain, saying why, when systemd had to kill the gateway at the unit's TimeoutStopSec", () => {
    const result = drainOn(0, { before: "active", result: "timeout" });

    expect(result.status).toBe("Failed");
    expect(result.stdout).not.toContain("CLAWOPS_DRAIN=stopped");
    expect(decideDrainStep(state, result, T0 + 95_000, settings)).toMatchObject({
      next: "drain-failed",
      reason:
        "drain command Failed: systemd killed the gateway (SIGKILL): it did not stop within the unit's TimeoutStopSec (1min 30s); raise TimeoutStopSec to at least the drain's 120 s",
    });
  });

  it("fails the drain when systemd killed the gateway on systemd older than 230 (Amazon Linux 2's 219)", () => {
    const result = drainOn(0, { before: "active", result: "timeout", systemdVersion: 219 });

    expect(result.status).toBe("Failed");
    expect(result.stderr).toContain("systemd killed the gateway (SIGKILL)");
    expect(result.stderr).toContain("TimeoutStopSec (1min 30s)");
  });

  it.each([
    ["had already failed", "failed"],
    ["was restarting after a start that timed out (Restart=)", "activating"],
  ])(
    "reports a gateway that %s (a timeout Result the stop did not cause) as stopped, not killed",
    (_case, before) => {
      const result = drainOn(0, { before, result: "timeout" });

      expect(result).toMatchObject({ status: "Success", stdout: "CLAWOPS_DRAIN=stopped\n" });
    },
  );

  it("fails the drain when the unit cannot be stopped (a gatewayServiceName the instance does not have)", () => {
    const result = drainOn(5);

    expect(result.status).toBe("Failed");
    expect(decideDrainStep(state, result, T0 + 5_000, settings)).toMatchObject({
      next: "drain-failed",
      reason: "drain command Failed: systemctl stop 'openclaw-gateway' exited 5",
    });
  });
});
