import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readinessProbeCommands } from "@clawops/core/readiness";

/** A real OpenClaw workspace on disk, its runtime directory and the manifest a deploy would publish for it. */
export interface ProbedWorkspace {
  readonly workspace: string;
  readonly runtime: string;
  /** Path → SHA-256 of every file, as the deploy's manifest holds it. */
  readonly manifest: Record<string, string>;
  readonly skills: string[];
}

const roots: string[] = [];

/** Deletes every workspace written so far (call it from `afterAll`). */
export function removeWorkspaces(): void {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

const SOUL_FILES = ["SOUL.md", "AGENTS.md", "TOOLS.md", "IDENTITY.md", "USER.md"];

/**
 * Writes 5 soul documents and `skills` skills, each a SKILL.md plus `referencesPerSkill` reference files with
 * long, realistic names (a skill's examples, a prompt library, a JSON schema).
 */
export function writeWorkspace(skills: number, referencesPerSkill: number): ProbedWorkspace {
  const root = mkdtempSync(join(tmpdir(), "clawops-workspace-"));
  roots.push(root);
  const workspace = join(root, "workspace");
  const runtime = join(root, "runtime");
  mkdirSync(runtime, { recursive: true });
  const manifest: Record<string, string> = {};
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
    manifest[path] = createHash("sha256").update(text).digest("hex");
  };
  for (const file of SOUL_FILES) write(file, `# ${file}\nbe kind\n`);
  const names = Array.from({ length: skills }, (_, i) => `customer-account-reconciliation-${i}`);
  for (const name of names) {
    write(`skills/${name}/SKILL.md`, `# ${name}\n`);
    for (let r = 0; r < referencesPerSkill; r++)
      write(`skills/${name}/references/worked-examples-for-quarter-end-close-${r}.md`, `${name} ${r}\n`);
  }
  return { workspace, runtime, manifest, skills: names };
}

/**
 * Runs the real probe script against the workspace (egress to a closed local port, so it ends fast) with `sh`,
 * as the SSM agent runs AWS-RunShellScript: dash on Debian and Ubuntu, bash only where `sh` is bash.
 */
export function runProbe(probed: ProbedWorkspace): string {
  const script = readinessProbeCommands({
    workspacePath: probed.workspace,
    runtimePath: probed.runtime,
    homePaths: [],
    egressHost: "127.0.0.1",
    egressPort: 9,
    egressTimeoutSeconds: 1,
    scanTimeoutSeconds: 5,
  }).join("\n");
  return execFileSync("sh", ["-c", script], { encoding: "utf8", timeout: 60_000 });
}
