import { createHash } from "node:crypto";
import { type Dirent, existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import {
  findCredentialPatterns,
  formatReadinessProbeOutput,
  READINESS_PROBE_MARKER,
  soulDocumentsDigest,
} from "@clawops/core/readiness";
import type { ScriptSimulator } from "./aws/ssm.js";
import type { SimInstance } from "./aws/world.js";

/** Where a simulated instance's file systems live on the host, and what its network and OpenClaw allow. */
export interface ReadinessProbeHost {
  /** The real directory behind the instance's workspace mount. */
  workspaceDir(instance: SimInstance): string;
  runtimeDir(instance: SimInstance): string;
  /** The workspace is mounted read-only (a write answers EROFS). @default true */
  workspaceReadOnly?(instance: SimInstance): boolean;
  /** The instance's security groups let it reach the unapproved probe host. @default false */
  egressReachable?(instance: SimInstance): boolean;
  /** OpenClaw's exec approval `ask` values, or `undefined` when the build does not expose them. @default ["on-miss"] */
  approvalsAsk?(instance: SimInstance): readonly string[] | undefined;
}

/** Every regular file under `dir` (dotfiles and dot-directories skipped, as the manifest does), relative POSIX paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (absolute: string, relative: string) => {
    const entries: Dirent[] = readdirSync(absolute, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = relative ? posix.join(relative, entry.name) : entry.name;
      if (entry.isDirectory()) walk(join(absolute, entry.name), path);
      else if (entry.isFile()) found.push(path);
    }
  };
  walk(dir, "");
  return found.sort();
}

/**
 * Answers the readiness probe the way the real script would on this instance, from the real directories: the
 * SHA-256 of every workspace file (their digest, and as many per-file lines as the script prints), a credential scan of workspace and runtime, EROFS when the workspace is
 * read-only, 401 for IMDSv1 when IMDSv2 is required, a timeout when egress to the probe host is not allowed.
 */
export function readinessProbeOutput(host: ReadinessProbeHost, instance: SimInstance): string {
  const workspace = host.workspaceDir(instance);
  const runtime = host.runtimeDir(instance);
  const soulDocuments: Record<string, string> = {};
  const paths = filesUnder(workspace);
  for (const path of paths)
    soulDocuments[path] = createHash("sha256")
      .update(readFileSync(join(workspace, path)))
      .digest("hex");
  const leaks = [
    ...paths.map((p) => join(workspace, p)),
    ...filesUnder(runtime).map((p) => join(runtime, p)),
  ].filter((file) => findCredentialPatterns(readFileSync(file, "utf8")).length > 0);
  const skills = paths.filter((p) => /^skills\/[^/]+\/SKILL\.md$/.test(p)).map((p) => p.split("/")[1]!);
  const ask = host.approvalsAsk ? host.approvalsAsk(instance) : ["on-miss"];
  return formatReadinessProbeOutput({
    workspaceWrite: (host.workspaceReadOnly?.(instance) ?? true) ? "erofs" : "allowed",
    runtimeWrite: existsSync(runtime) ? "allowed" : "denied",
    imdsV1Status:
      instance.metadataOptions.HttpEndpoint === "disabled"
        ? 0
        : instance.metadataOptions.HttpTokens === "required"
          ? 401
          : 200,
    egressExit: host.egressReachable?.(instance) ? 0 : 28,
    credentialScan: {
      status: leaks.length > 0 ? "found" : "clean",
      count: leaks.length,
      files: leaks.slice(0, 5),
    },
    // Every file and skill: the formatter cuts the lists at the script's budgets, and the digest covers them all.
    soulDocuments,
    soulDocumentCount: paths.length,
    soulDigest: soulDocumentsDigest(soulDocuments),
    soulUnreadableCount: 0,
    skills,
    skillCount: skills.length,
    approvals: ask === undefined ? { status: "unavailable", ask: [] } : { status: "exposed", ask: [...ask] },
  });
}

/** The SSM model's script simulator for the readiness probe: `ssm.onScript(READINESS_PROBE_MARKER, ...)`. */
export function readinessProbeSimulator(host: ReadinessProbeHost): {
  marker: string;
  simulate: ScriptSimulator;
} {
  return {
    marker: READINESS_PROBE_MARKER,
    simulate: async (instance) => ({
      status: "Success",
      exitCode: 0,
      stdout: readinessProbeOutput(host, instance),
    }),
  };
}
