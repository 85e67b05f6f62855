import { createHash } from "node:crypto";

/**
 * The on-instance readiness probe: ONE shell script for `AWS-RunShellScript` per run and instance batch, bounded
 * in time, printing `KEY=value` lines that are parsed strictly. Anything the parser does not recognise is a
 * finding (`unknown` with the reason), never a pass.
 */

/** First line of the script; the sandbox's SSM model recognises the probe by it. */
export const READINESS_PROBE_MARKER = "# clawops-probe: readiness v2";

/**
 * ListCommandInvocations keeps at most 2,500 characters of a plugin's output (CommandPlugin.Output), stdout
 * first. The probe's fixed lines take about 600; the lists below get a character budget each (key, `=`, value and
 * newline counted), so the whole output stays under 2,300 however large the workspace is.
 */
/** ListCommandInvocations' limit on a plugin's output (CommandPlugin.Output), in characters. */
export const PLUGIN_OUTPUT_LIMIT = 2_500;

export const PROBE_LIST_BUDGETS = {
  CLAWOPS_CREDSCAN_FILE: 400,
  CLAWOPS_SOUL: 1_000,
  CLAWOPS_SKILL: 300,
} as const;

/** The values of one repeated key that fit its budget, in order: the script's `l` function, in TypeScript. */
function withinBudget(key: keyof typeof PROBE_LIST_BUDGETS, values: readonly string[]): string[] {
  let used = 0;
  const kept: string[] = [];
  for (const value of values) {
    used += key.length + value.length + 2;
    if (used > PROBE_LIST_BUDGETS[key]) break;
    kept.push(value);
  }
  return kept;
}

/** Sorts paths by their UTF-8 bytes, as `LC_ALL=C sort` does on the instance. */
export const byteOrder = (a: string, b: string) =>
  Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * The digest the probe prints for the whole workspace: SHA-256 over one `<sha256>:<base64 path>` line per file,
 * sorted by the path's bytes (`LC_ALL=C sort`). The same function over the deployed manifest tells whether the
 * workspace holds exactly the manifest's files, however many there are.
 */
export function soulDocumentsDigest(documents: Readonly<Record<string, string>>): string {
  const lines = Object.keys(documents)
    .sort(byteOrder)
    .map((path) => `${documents[path]}:${Buffer.from(path, "utf8").toString("base64")}\n`);
  return createHash("sha256").update(lines.join(""), "utf8").digest("hex");
}

/** Plaintext credential patterns (POSIX ERE and JavaScript alike) the disk scan looks for. */
export const CREDENTIAL_PATTERNS = [
  { name: "aws-access-key-id", pattern: "AKIA[0-9A-Z]{16}" },
  { name: "slack-token", pattern: "xox[bpoa]-[0-9A-Za-z-]{10,}" },
  { name: "anthropic-api-key", pattern: "sk-ant-[0-9A-Za-z_-]{20,}" },
  { name: "github-token", pattern: "ghp_[0-9A-Za-z]{36}" },
  { name: "private-key", pattern: "-----BEGIN ([A-Z]+ )?PRIVATE KEY-----" },
] as const;

/** True when `text` contains a plaintext credential; returns the pattern names found. */
export function findCredentialPatterns(text: string): string[] {
  return CREDENTIAL_PATTERNS.filter((p) => new RegExp(p.pattern).test(text)).map((p) => p.name);
}

/** What the probe needs to know about the instance layout and the egress target. */
export interface ReadinessProbeOptions {
  readonly workspacePath: string;
  readonly runtimePath: string;
  /** Extra directories scanned for credentials (home directories). */
  readonly homePaths: readonly string[];
  readonly egressHost: string;
  readonly egressPort: number;
  readonly egressTimeoutSeconds: number;
  /** Seconds the credential scan may take before it reports `timeout`. @default 20 */
  readonly scanTimeoutSeconds?: number;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The probe script, one command per line. Every step has its own bound (`timeout`, curl's `--max-time`), the
 * SendCommand's `executionTimeout` bounds the whole. Output stays small: ListCommandInvocations returns at most
 * 2,500 characters of output per instance, so the workspace is summed up by its file count and one digest of
 * every file's hash, and the per-file lists stop at their budget (PROBE_LIST_BUDGETS) with their full count
 * printed. The last line `CLAWOPS_END=1` proves nothing was cut.
 */
export function readinessProbeCommands(options: ReadinessProbeOptions): string[] {
  const w = quote(options.workspacePath);
  const r = quote(options.runtimePath);
  const scanRoots = [options.workspacePath, options.runtimePath, ...options.homePaths].map(quote).join(" ");
  const patterns = CREDENTIAL_PATTERNS.map((p) => `-e ${quote(p.pattern)}`).join(" ");
  const t = options.egressTimeoutSeconds;
  const url = quote(`https://${options.egressHost}:${options.egressPort}/`);
  return [
    READINESS_PROBE_MARKER,
    `W=${w}; R=${r}; o=$(mktemp); h=$(mktemp); k=$(mktemp); c=$(mktemp)`,
    // l KEY FILE BUDGET: one `KEY=line` per line of FILE while the characters printed stay within BUDGET.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not a template.
    'l() { n=0; while IFS= read -r v; do n=$((n+${#1}+${#v}+2)); [ $n -gt $3 ] && break; echo "$1=$v"; done <"$2"; }',
    'echo "CLAWOPS_PROBE=readiness"; echo "CLAWOPS_PROBE_VERSION=2"',
    // A read-only mount answers EROFS; an IAM-denied ClientWrite on a read-write mount answers EACCES.
    't="$W/.clawops-probe-$$"; if e=$(timeout 5 touch "$t" 2>&1); then rm -f "$t"; echo "CLAWOPS_WORKSPACE_WRITE=allowed"; else case "$e" in *"Read-only file system"*) echo "CLAWOPS_WORKSPACE_WRITE=erofs";; *"Permission denied"*) echo "CLAWOPS_WORKSPACE_WRITE=eacces";; *) echo "CLAWOPS_WORKSPACE_WRITE=error";; esac; fi',
    't="$R/.clawops-probe-$$"; if timeout 5 touch "$t" 2>/dev/null; then rm -f "$t"; echo "CLAWOPS_RUNTIME_WRITE=allowed"; else echo "CLAWOPS_RUNTIME_WRITE=denied"; fi',
    // IMDSv1: a request without a session token. IMDSv2-required answers 401.
    "echo \"CLAWOPS_IMDSV1_STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://169.254.169.254/latest/meta-data/ 2>/dev/null)\"",
    `curl -s -o /dev/null --connect-timeout ${t} --max-time ${t + 1} ${url} 2>/dev/null; echo "CLAWOPS_EGRESS_EXIT=$?"`,
    `timeout ${options.scanTimeoutSeconds ?? 20} grep -rIls --exclude-dir=.git -E ${patterns} ${scanRoots} >"$o" 2>/dev/null; rc=$?`,
    'if [ -s "$o" ]; then s=found; elif [ $rc -eq 124 ]; then s=timeout; elif [ $rc -eq 1 ]; then s=clean; else s=partial; fi; echo "CLAWOPS_CREDSCAN=$s"; echo "CLAWOPS_CREDSCAN_COUNT=$(wc -l <"$o")"',
    `head -n 5 "$o" | while IFS= read -r f; do printf %s "$f" | base64 -w0; echo; done >"$c"; l CLAWOPS_CREDSCAN_FILE "$c" ${PROBE_LIST_BUDGETS.CLAWOPS_CREDSCAN_FILE}`,
    // One `<sha256>:<base64 path>` line per workspace file, sorted by bytes: soulDocumentsDigest's input. POSIX sh
    // only (the SSM agent runs `sh`: dash on Debian and Ubuntu), so paths are read a line each.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template.
    '(cd "$W" 2>/dev/null && find . -maxdepth 6 -type f ! -path "*/.*" | LC_ALL=C sort | while IFS= read -r f; do s=$(sha256sum 2>/dev/null <"$f"); s=${s%% *}; echo "${s:-unreadable}:$(printf %s "${f#./}" | base64 -w0)"; done) >"$h"',
    'echo "CLAWOPS_SOUL_COUNT=$(wc -l <"$h")"; echo "CLAWOPS_SOUL_DIGEST=$(sha256sum <"$h" | cut -c1-64)"; echo "CLAWOPS_SOUL_UNREADABLE=$(grep -c "^unreadable:" "$h")"',
    `l CLAWOPS_SOUL "$h" ${PROBE_LIST_BUDGETS.CLAWOPS_SOUL}`,
    'for d in "$W"/skills/*/; do [ -f "$d/SKILL.md" ] && basename "$d"; done >"$k"; echo "CLAWOPS_SKILL_COUNT=$(wc -l <"$k")"',
    `l CLAWOPS_SKILL "$k" ${PROBE_LIST_BUDGETS.CLAWOPS_SKILL}`,
    // OpenClaw's exec approvals, where the build exposes them (`openclaw exec-policy show --json`).
    'if command -v openclaw >/dev/null 2>&1 && a=$(timeout 10 openclaw exec-policy show --json 2>/dev/null); then v=$(printf %s "$a" | grep -oE \'"ask"[[:space:]]*:[[:space:]]*"[a-z-]+"\' | head -n 4 | sed -E \'s/.*"([a-z-]+)"$/\\1/\' | cut -c1-16); if [ -n "$v" ]; then echo "CLAWOPS_APPROVALS=exposed"; for x in $v; do echo "CLAWOPS_APPROVALS_ASK=$x"; done; else echo "CLAWOPS_APPROVALS=unparsed"; fi; else echo "CLAWOPS_APPROVALS=unavailable"; fi',
    'rm -f "$o" "$h" "$k" "$c"; echo "CLAWOPS_END=1"',
  ];
}

/** What one readiness probe saw on one instance. */
export interface ReadinessProbeResult {
  /** `erofs` is the only pass: the workspace is mounted read-only. */
  readonly workspaceWrite: "erofs" | "eacces" | "allowed" | "error";
  readonly runtimeWrite: "allowed" | "denied";
  /** HTTP status of the token-less metadata request (`0` when nothing answered). */
  readonly imdsV1Status: number;
  /** curl's exit code for the connection outside the allowlist: 28 = timed out. */
  readonly egressExit: number;
  readonly credentialScan: {
    readonly status: "clean" | "found" | "timeout" | "partial";
    readonly count: number;
    readonly files: readonly string[];
  };
  /**
   * Workspace file path → SHA-256, for the first files by path within the output budget (`soulDocumentCount`
   * says how many there are; `soulDigest` covers them all).
   */
  readonly soulDocuments: Readonly<Record<string, string>>;
  readonly soulDocumentCount: number;
  /** soulDocumentsDigest of every workspace file (an unreadable file counts with the hash `unreadable`). */
  readonly soulDigest: string;
  /** Workspace files the probe could not read (root squashed or a POSIX user enforced by the access point). */
  readonly soulUnreadableCount: number;
  /** Directories under skills/ holding a SKILL.md, the first ones within the output budget. */
  readonly skills: readonly string[];
  readonly skillCount: number;
  readonly approvals: {
    readonly status: "exposed" | "unavailable" | "unparsed";
    readonly ask: readonly string[];
  };
}

/** A probe that produced a result, or why it did not (garbage, truncated, timed out, agent offline). */
export type ProbeOutcome =
  | { readonly ok: true; readonly result: ReadinessProbeResult }
  | { readonly ok: false; readonly reason: string };

const ONE_OF = {
  CLAWOPS_WORKSPACE_WRITE: ["erofs", "eacces", "allowed", "error"],
  CLAWOPS_RUNTIME_WRITE: ["allowed", "denied"],
  CLAWOPS_CREDSCAN: ["clean", "found", "timeout", "partial"],
  CLAWOPS_APPROVALS: ["exposed", "unavailable", "unparsed"],
} as const;
const REPEATED = new Set(["CLAWOPS_SOUL", "CLAWOPS_SKILL", "CLAWOPS_CREDSCAN_FILE", "CLAWOPS_APPROVALS_ASK"]);
const SINGLE = new Set([
  "CLAWOPS_PROBE",
  "CLAWOPS_PROBE_VERSION",
  "CLAWOPS_IMDSV1_STATUS",
  "CLAWOPS_EGRESS_EXIT",
  "CLAWOPS_CREDSCAN_COUNT",
  "CLAWOPS_SOUL_COUNT",
  "CLAWOPS_SOUL_DIGEST",
  "CLAWOPS_SOUL_UNREADABLE",
  "CLAWOPS_SKILL_COUNT",
  "CLAWOPS_END",
  ...Object.keys(ONE_OF),
]);

const fail = (reason: string): ProbeOutcome => ({ ok: false, reason });
const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses the probe's output strictly. SSM appends stderr after a `----------ERROR-------` line; that part is
 * ignored. Every other line must be a known `KEY=value`; required keys must all be present exactly once.
 */
export function parseReadinessProbe(output: string): ProbeOutcome {
  const stdout = output.split(/\r?\n----------ERROR-------/)[0] ?? "";
  const single = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.includes("---Output truncated---")) return fail("output truncated by SSM");
    const match = /^(CLAWOPS_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) return fail(`unexpected line in probe output: ${JSON.stringify(line.slice(0, 80))}`);
    const [, key, value] = match as unknown as [string, string, string];
    if (REPEATED.has(key)) repeated.set(key, [...(repeated.get(key) ?? []), value]);
    else if (!SINGLE.has(key)) return fail(`unknown key ${key} in probe output`);
    else if (single.has(key)) return fail(`${key} appears twice in probe output`);
    else single.set(key, value);
  }
  if (single.get("CLAWOPS_PROBE") !== "readiness") return fail("not a readiness probe output");
  if (single.get("CLAWOPS_PROBE_VERSION") !== "2") return fail("unsupported readiness probe version");
  if (single.get("CLAWOPS_END") !== "1") return fail("probe output incomplete (no CLAWOPS_END line)");
  for (const [key, allowed] of Object.entries(ONE_OF)) {
    const value = single.get(key);
    if (!(allowed as readonly string[]).includes(value ?? ""))
      return fail(`${key} is ${value === undefined ? "missing" : JSON.stringify(value)}`);
  }
  const integer = (key: string, pattern: RegExp): number | undefined => {
    const value = single.get(key);
    return value !== undefined && pattern.test(value) ? Number(value) : undefined;
  };
  const imdsV1Status = integer("CLAWOPS_IMDSV1_STATUS", /^\d{3}$/);
  const egressExit = integer("CLAWOPS_EGRESS_EXIT", /^\d{1,3}$/);
  const count = integer("CLAWOPS_CREDSCAN_COUNT", /^\d+$/);
  const soulDocumentCount = integer("CLAWOPS_SOUL_COUNT", /^\d+$/);
  const soulUnreadableCount = integer("CLAWOPS_SOUL_UNREADABLE", /^\d+$/);
  const skillCount = integer("CLAWOPS_SKILL_COUNT", /^\d+$/);
  const soulDigest = single.get("CLAWOPS_SOUL_DIGEST") ?? "";
  if (imdsV1Status === undefined) return fail("CLAWOPS_IMDSV1_STATUS is not an HTTP status");
  if (egressExit === undefined) return fail("CLAWOPS_EGRESS_EXIT is not an exit code");
  if (
    count === undefined ||
    soulDocumentCount === undefined ||
    soulUnreadableCount === undefined ||
    skillCount === undefined
  )
    return fail("a count is missing or malformed");
  if (!/^[0-9a-f]{64}$/.test(soulDigest)) return fail("CLAWOPS_SOUL_DIGEST is missing or malformed");
  const soulDocuments: Record<string, string> = {};
  for (const entry of repeated.get("CLAWOPS_SOUL") ?? []) {
    const soul = /^([0-9a-f]{64}|unreadable):([A-Za-z0-9+/]+={0,2})$/.exec(entry);
    if (!soul) return fail(`malformed CLAWOPS_SOUL line: ${JSON.stringify(entry.slice(0, 80))}`);
    soulDocuments[decode(soul[2]!)] = soul[1]!;
  }
  const files = repeated.get("CLAWOPS_CREDSCAN_FILE") ?? [];
  if (files.some((f) => !BASE64.test(f))) return fail("malformed CLAWOPS_CREDSCAN_FILE line");
  const skills = repeated.get("CLAWOPS_SKILL") ?? [];
  if (skills.some((s) => !/^[A-Za-z0-9._-]+$/.test(s))) return fail("malformed CLAWOPS_SKILL line");
  return {
    ok: true,
    result: {
      workspaceWrite: single.get("CLAWOPS_WORKSPACE_WRITE") as ReadinessProbeResult["workspaceWrite"],
      runtimeWrite: single.get("CLAWOPS_RUNTIME_WRITE") as ReadinessProbeResult["runtimeWrite"],
      imdsV1Status,
      egressExit,
      credentialScan: {
        status: single.get("CLAWOPS_CREDSCAN") as ReadinessProbeResult["credentialScan"]["status"],
        count,
        files: files.map(decode),
      },
      soulDocuments,
      soulDocumentCount,
      soulDigest,
      soulUnreadableCount,
      skills,
      skillCount,
      approvals: {
        status: single.get("CLAWOPS_APPROVALS") as ReadinessProbeResult["approvals"]["status"],
        ask: repeated.get("CLAWOPS_APPROVALS_ASK") ?? [],
      },
    },
  };
}

/**
 * Prints a result exactly as the real script would, lists cut at their budgets (the sandbox's probe simulator
 * passes every file and skill).
 */
export function formatReadinessProbeOutput(result: ReadinessProbeResult): string {
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  return [
    "CLAWOPS_PROBE=readiness",
    "CLAWOPS_PROBE_VERSION=2",
    `CLAWOPS_WORKSPACE_WRITE=${result.workspaceWrite}`,
    `CLAWOPS_RUNTIME_WRITE=${result.runtimeWrite}`,
    `CLAWOPS_IMDSV1_STATUS=${String(result.imdsV1Status).padStart(3, "0")}`,
    `CLAWOPS_EGRESS_EXIT=${result.egressExit}`,
    `CLAWOPS_CREDSCAN=${result.credentialScan.status}`,
    `CLAWOPS_CREDSCAN_COUNT=${result.credentialScan.count}`,
    ...withinBudget("CLAWOPS_CREDSCAN_FILE", result.credentialScan.files.slice(0, 5).map(b64)).map(
      (f) => `CLAWOPS_CREDSCAN_FILE=${f}`,
    ),
    `CLAWOPS_SOUL_COUNT=${result.soulDocumentCount}`,
    `CLAWOPS_SOUL_DIGEST=${result.soulDigest}`,
    `CLAWOPS_SOUL_UNREADABLE=${result.soulUnreadableCount}`,
    ...withinBudget(
      "CLAWOPS_SOUL",
      Object.keys(result.soulDocuments)
        .sort(byteOrder)
        .map((path) => `${result.soulDocuments[path]}:${b64(path)}`),
    ).map((line) => `CLAWOPS_SOUL=${line}`),
    `CLAWOPS_SKILL_COUNT=${result.skillCount}`,
    ...withinBudget("CLAWOPS_SKILL", result.skills).map((s) => `CLAWOPS_SKILL=${s}`),
    `CLAWOPS_APPROVALS=${result.approvals.status}`,
    ...result.approvals.ask.map((a) => `CLAWOPS_APPROVALS_ASK=${a}`),
    "CLAWOPS_END=1",
    "",
  ].join("\n");
}
