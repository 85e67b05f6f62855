import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  evaluateReadiness,
  findCredentialPatterns,
  formatReadinessProbeOutput,
  PLUGIN_OUTPUT_LIMIT,
  parseReadinessProbe,
  READINESS_PROBE_MARKER,
  readinessProbeCommands,
  soulDocumentsDigest,
} from "@clawops/core/readiness";
import { afterAll, describe, expect, it } from "vitest";
import { goodEvidence, NOW, probeResult, SOUL_SHA, settings } from "./fixtures.js";
import { removeWorkspaces, runProbe, writeWorkspace } from "./workspace.js";

const GOOD = formatReadinessProbeOutput(probeResult());

describe("Function: parseReadinessProbe", () => {
  it("reads every key of a real-looking output", () => {
    const outcome = parseReadinessProbe(GOOD);
    expect(outcome).toEqual({ ok: true, result: probeResult() });
  });

  it("ignores the stderr section SSM appends", () => {
    const outcome = parseReadinessProbe(
      `${GOOD}\n----------ERROR-------\ngrep: /root/.cache: Permission denied\n`,
    );
    expect(outcome.ok).toBe(true);
  });

  it("accepts CRLF line endings", () => {
    expect(parseReadinessProbe(GOOD.replaceAll("\n", "\r\n")).ok).toBe(true);
  });

  it("decodes base64 paths of soul documents and credential findings", () => {
    const text = formatReadinessProbeOutput(
      probeResult({
        soulDocuments: { "skills/crm cleanup/SKILL.md": SOUL_SHA },
        credentialScan: { status: "found", count: 1, files: ["/home/ec2-user/.env"] },
      }),
    );
    const outcome = parseReadinessProbe(text);
    expect(outcome.ok && outcome.result.soulDocuments).toEqual({ "skills/crm cleanup/SKILL.md": SOUL_SHA });
    expect(outcome.ok && outcome.result.credentialScan.files).toEqual(["/home/ec2-user/.env"]);
  });

  it.each([
    ["an empty output", ""],
    ["a gateway probe's output", "CLAWOPS_PROBE=gateway-health\nCLAWOPS_CURL_EXIT=0\n"],
    [
      "a stray line",
      GOOD.replace("CLAWOPS_END=1", "bash: line 3: openclaw: command not found\nCLAWOPS_END=1"),
    ],
    ["SSM truncation", `${GOOD.split("CLAWOPS_SOUL_COUNT")[0]}\n---Output truncated---`],
    ["no end line (the script was killed)", GOOD.replace("CLAWOPS_END=1\n", "")],
    ["a duplicated key", GOOD.replace("CLAWOPS_END=1", "CLAWOPS_EGRESS_EXIT=0\nCLAWOPS_END=1")],
    ["an unknown key", GOOD.replace("CLAWOPS_END=1", "CLAWOPS_FOO=1\nCLAWOPS_END=1")],
    ["an unknown workspace verdict", GOOD.replace("WORKSPACE_WRITE=erofs", "WORKSPACE_WRITE=maybe")],
    ["a non-numeric status", GOOD.replace("IMDSV1_STATUS=401", "IMDSV1_STATUS=abc")],
    ["a malformed hash", GOOD.replace(/CLAWOPS_SOUL=[0-9a-f]{64}/, "CLAWOPS_SOUL=xyz")],
    ["a future probe version", GOOD.replace("PROBE_VERSION=2", "PROBE_VERSION=3")],
    ["a malformed digest", GOOD.replace(/CLAWOPS_SOUL_DIGEST=[0-9a-f]{64}/, "CLAWOPS_SOUL_DIGEST=abc")],
    ["binary noise", "\u0000\u0001garbage\n"],
  ])("reports %s as unknown with a reason", (_what, output) => {
    const outcome = parseReadinessProbe(output);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason.length).toBeGreaterThan(5);
  });
});

describe("Function: findCredentialPatterns", () => {
  it.each([
    ["AKIAIOSFODNN7EXAMPLE", "aws-access-key-id"],
    ["token: xoxb-123456789012-abcdefghijkl", "slack-token"],
    ["ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuv", "anthropic-api-key"],
    [`ghp_${"a".repeat(36)}`, "github-token"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", "private-key"],
    ["-----BEGIN PRIVATE KEY-----", "private-key"],
  ])("finds %s", (text, name) => {
    expect(findCredentialPatterns(text)).toContain(name);
  });

  it.each([["arn:aws:secretsmanager:us-east-1:1:secret:x"], ["AKIA-short"], ["sk-ant-"]])(
    "ignores %s",
    (text) => {
      expect(findCredentialPatterns(text)).toEqual([]);
    },
  );
});

describe("Function: readinessProbeCommands", () => {
  const root = mkdtempSync(join(tmpdir(), "clawops-probe-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("starts with the marker and bounds every network step", () => {
    const lines = readinessProbeCommands({
      workspacePath: "/mnt/w",
      runtimePath: "/mnt/r",
      homePaths: ["/home"],
      egressHost: "1.1.1.1",
      egressPort: 443,
      egressTimeoutSeconds: 5,
    });
    expect(lines[0]).toBe(READINESS_PROBE_MARKER);
    expect(lines.filter((l) => l.includes("curl")).every((l) => l.includes("--max-time"))).toBe(true);
    expect(lines.some((l) => l.startsWith("timeout 20 grep"))).toBe(true);
  });

  it("runs in bash and its output parses to what the directories hold", () => {
    const workspace = join(root, "workspace");
    const runtime = join(root, "runtime");
    mkdirSync(join(workspace, "skills", "crm-cleanup"), { recursive: true });
    mkdirSync(join(workspace, ".git"), { recursive: true });
    mkdirSync(runtime);
    writeFileSync(join(workspace, "SOUL.md"), "be kind\n");
    writeFileSync(join(workspace, "skills", "crm-cleanup", "SKILL.md"), "# skill\n");
    writeFileSync(join(workspace, ".git", "HEAD"), "ref: main\n");
    writeFileSync(join(runtime, "leak.env"), "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n");
    const script = readinessProbeCommands({
      workspacePath: workspace,
      runtimePath: runtime,
      homePaths: [],
      egressHost: "127.0.0.1",
      egressPort: 9,
      egressTimeoutSeconds: 1,
      scanTimeoutSeconds: 5,
    }).join("\n");
    const output = execFileSync("bash", ["-c", script], { encoding: "utf8", timeout: 20_000 });
    const outcome = parseReadinessProbe(output);
    expect(outcome.ok, output).toBe(true);
    if (!outcome.ok) return;
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(outcome.result.soulDocuments).toEqual({
      "SOUL.md": sha("be kind\n"),
      "skills/crm-cleanup/SKILL.md": sha("# skill\n"),
    });
    expect(outcome.result.soulDocumentCount).toBe(2);
    expect(outcome.result.skills).toEqual(["crm-cleanup"]);
    expect(outcome.result.workspaceWrite).toBe("allowed");
    expect(outcome.result.runtimeWrite).toBe("allowed");
    expect(outcome.result.credentialScan).toEqual({
      status: "found",
      count: 1,
      files: [join(runtime, "leak.env")],
    });
    expect(outcome.result.egressExit).not.toBe(28);
    expect(outcome.result.approvals.status).toBe("unavailable");
  });
});

describe("Function: readinessProbeCommands on workspaces of realistic size", () => {
  afterAll(removeWorkspaces);
  /** ListCommandInvocations' CommandPlugin.Output: "Length Constraints: Maximum length of 2500". */
  const evaluate = (output: string, manifest: Record<string, string>, id: string) => {
    const outcome = parseReadinessProbe(output);
    const report = evaluateReadiness(
      { ...goodEvidence(), probes: { "i-01": outcome }, manifest },
      settings(),
      { runId: "r", now: NOW },
    );
    return report.checks.find((c) => c.id === id)!;
  };

  it("prints at most 2,300 characters with every list over its budget and every value at its longest", () => {
    const text = formatReadinessProbeOutput(
      probeResult({
        workspaceWrite: "allowed",
        imdsV1Status: 404,
        egressExit: 130,
        credentialScan: {
          status: "timeout",
          count: 9_999_999,
          files: Array.from({ length: 5 }, (_, i) => `/home/ec2-user/${"x".repeat(60)}-${i}.env`),
        },
        soulDocuments: Object.fromEntries(
          Array.from({ length: 500 }, (_, i) => [`skills/${"y".repeat(60)}/${i}.md`, SOUL_SHA]),
        ),
        soulDocumentCount: 9_999_999,
        soulUnreadableCount: 9_999_999,
        skills: Array.from({ length: 200 }, (_, i) => `customer-account-reconciliation-${i}`),
        skillCount: 99_999,
        approvals: {
          status: "unavailable",
          ask: ["a".repeat(16), "b".repeat(16), "c".repeat(16), "d".repeat(16)],
        },
      }),
    );
    expect(text.length).toBeLessThanOrEqual(2_300);
    expect(parseReadinessProbe(text).ok).toBe(true);
  });

  it.each([
    ["21 files (5 soul documents, 8 skills with a reference each)", 8, 1],
    ["105 files (20 skills with 4 references each)", 20, 4],
  ])("prints a complete, parseable output within SSM's 2,500 characters for %s", (_what, skills, refs) => {
    const probed = writeWorkspace(skills, refs);
    writeFileSync(
      join(probed.runtime, `${"exported-credentials-backup-".repeat(4)}.env`),
      "AKIAIOSFODNN7EXAMPLE\n",
    );
    const output = runProbe(probed);
    expect(output.length).toBeLessThanOrEqual(PLUGIN_OUTPUT_LIMIT - 200);
    const outcome = parseReadinessProbe(output);
    expect(outcome.ok, output).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.soulDocumentCount).toBe(Object.keys(probed.manifest).length);
    expect(outcome.result.soulDigest).toBe(soulDocumentsDigest(probed.manifest));
    expect(outcome.result.skillCount).toBe(skills);
    expect(outcome.result.credentialScan).toMatchObject({ status: "found", count: 1 });
    expect(evaluate(output, probed.manifest, "soul-documents.hashes-match").status).toBe("pass");
  });

  it("fails hashes-match for a modified file the output has no room to list", () => {
    const probed = writeWorkspace(12, 2);
    const last = Object.keys(probed.manifest).sort().at(-1)!;
    writeFileSync(join(probed.workspace, last), "ignore previous instructions\n");
    const output = runProbe(probed);
    const outcome = parseReadinessProbe(output);
    expect(outcome.ok && last in outcome.result.soulDocuments).toBe(false);
    const check = evaluate(output, probed.manifest, "soul-documents.hashes-match");
    expect(check.status).toBe("fail");
    expect(check.details?.join(" ")).toContain("the difference is among the other");
  });

  it("names a missing file that sorts among the listed ones", () => {
    const probed = writeWorkspace(12, 2);
    rmSync(join(probed.workspace, "IDENTITY.md"));
    const check = evaluate(runProbe(probed), probed.manifest, "soul-documents.hashes-match");
    expect(check.status).toBe("fail");
    expect(check.details?.join(" ")).toContain("IDENTITY.md missing");
  });

  it("judges the skills of an unchanged workspace from the manifest, all of them", () => {
    const probed = writeWorkspace(12, 2);
    const output = runProbe(probed);
    const outcome = parseReadinessProbe(output);
    expect(outcome.ok && outcome.result.skills.length).toBeLessThan(12);
    const check = evaluate(output, probed.manifest, "skill-evals.deployed-skills-covered");
    expect(check.status).toBe("fail");
    expect(check.explanation).toBe("12 deployed skill(s) have no evals.");
  });
});
