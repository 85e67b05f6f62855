/**
 * A stand-in host for the failure drill's shell scripts, run as AWS-RunShellScript runs them (the commands as
 * one `sh` script, its exit status the invocation's Status): `timeout` ends with the exit the host gives its
 * `systemctl stop`/`start`, `systemctl is-active` answers the given states in turn (the last one repeats), and
 * `sleep` only adds up how long the script waited.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SystemdHost {
  /** The exit of `timeout <n> systemctl stop|start` (124: `timeout` killed the client). */
  readonly commandExit: number;
  /** What `systemctl is-active` says, in turn. */
  readonly states: readonly string[];
}

/** Runs `script` on the stand-in host; `slept` is the seconds it waited. */
export function runOnHost(script: string, host: SystemdHost) {
  const dir = mkdtempSync(join(tmpdir(), "clawops-systemd-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  };
  writeFileSync(join(dir, "states"), `${host.states.join("\n")}\n`);
  writeFileSync(join(dir, "slept"), "0\n");
  file("timeout", `#!/bin/sh\nexit ${host.commandExit}\n`);
  file(
    "systemctl",
    [
      "#!/bin/sh",
      'case "$1" in',
      "  is-active)",
      `    s=$(head -n 1 "${dir}/states"); rest=$(tail -n +2 "${dir}/states")`,
      `    [ -n "$rest" ] && printf '%s\\n' "$rest" > "${dir}/states"`,
      '    echo "$s"; [ "$s" = active ]; exit $? ;;',
      '  show) echo "TimeoutStopUSec=10min" ;;',
      "  *) exit 0 ;;",
      "esac",
    ].join("\n"),
  );
  file("sleep", `#!/bin/sh\necho $(( $(cat "${dir}/slept") + $1 )) > "${dir}/slept"\n`);
  const slept = () => Number(readFileSync(join(dir, "slept"), "utf8"));
  try {
    const stdout = execFileSync("sh", ["-c", script], {
      env: { PATH: `${dir}:${process.env.PATH}` },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, stdout, stderr: "", slept: slept() };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, stdout: failed.stdout, stderr: failed.stderr, slept: slept() };
  }
}
