import type { GatewayEndpoint } from "../fleet/description.js";

/** First line of every gateway probe script; the sandbox's SSM model recognises probes by it. */
export const GATEWAY_PROBE_MARKER = "# clawops-probe: gateway-health v1";

/** Bytes of the body the probe prints: base64 keeps every line under 1,500 characters (SSM's list keeps 2,500). */
const PROBE_BODY_BYTES = 1024;

/** Bytes of a longer body the instance reads for its `"ok"` verdict, so the verdict's cost stays bounded. */
const JUDGED_BODY_BYTES = 65_536;

/**
 * An awk program (POSIX awk: mawk, gawk, busybox) printing `true` when the JSON body's top-level object has
 * `"ok": true` (the last one wins, as in JSON.parse), else `false`. It tracks strings, escapes and depth, so an
 * `"ok"` nested in a sub-object or inside a string does not count; only top-level keys are kept (a long string
 * value costs no copying). awk is in every Linux base image; jq and python are not.
 */
const TOP_LEVEL_OK_AWK: readonly string[] = [
  'BEGIN { v = "false" }',
  "{ n = length($0); for (i = 1; i <= n; i++) { c = substr($0, i, 1);",
  'if (s) { if (x) x = 0; else if (c == "\\\\") x = 1; else if (c == "\\"") { s = 0; if (g) { k = t; w = 1 } }',
  "if (s && g) t = t c; continue }",
  'if (d == 1 && w == 2 && c !~ /[ \\t\\r]/) { if (k == "ok") v = (substr($0, i, 4) == "true") ? "true" : "false"; w = 3 }',
  'if (c == "\\"") { s = 1; t = ""; g = (d == 1 && w == 0); continue }',
  'if (c == "{" || c == "[") { if (d == 0) o = (c == "{"); d++; continue }',
  'if (c == "}" || c == "]") { d--; continue }',
  'if (d == 1 && c == ":" && w == 1) w = 2; else if (d == 1 && c == ",") w = 0 } }',
  'END { print (o ? v : "false") }',
];

/**
 * The shell commands (for `AWS-RunShellScript`) that probe the gateway on the instance's loopback interface.
 * curl is bounded by the endpoint's timeout; the body is base64-encoded so any bytes survive SSM's output.
 * Output contract (one `KEY=value` per line): CLAWOPS_PROBE, CLAWOPS_CURL_EXIT, CLAWOPS_HTTP_STATUS, CLAWOPS_BODY
 * (its first KiB). A longer body adds CLAWOPS_BODY_BYTES (its size) and, when the endpoint requires `"ok": true`,
 * CLAWOPS_JSON_OK: the instance judges the whole body, since a cut one cannot be parsed here.
 */
export function gatewayProbeCommands(endpoint: GatewayEndpoint): string[] {
  const url = `http://127.0.0.1:${endpoint.port}${endpoint.path}`;
  const verdict = endpoint.requireJsonOk
    ? ` echo "CLAWOPS_JSON_OK=$(head -c ${JUDGED_BODY_BYTES} "$body" | LC_ALL=C awk '${TOP_LEVEL_OK_AWK.join(" ")}')";`
    : "";
  return [
    GATEWAY_PROBE_MARKER,
    'body=$(mktemp); code=$(curl -s -o "$body" -w "%{http_code}" --max-time ' +
      `${endpoint.probeTimeoutSeconds} '${url}' 2>/dev/null); rc=$?`,
    'echo "CLAWOPS_PROBE=gateway-health"',
    'echo "CLAWOPS_CURL_EXIT=$rc"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template.
    'echo "CLAWOPS_HTTP_STATUS=${code:-000}"',
    `bytes=$(wc -c < "$body"); if [ "$bytes" -gt ${PROBE_BODY_BYTES} ]; then echo "CLAWOPS_BODY_BYTES=$bytes";${verdict} fi`,
    `echo "CLAWOPS_BODY=$(head -c ${PROBE_BODY_BYTES} "$body" | base64 -w0)"`,
    'rm -f "$body"',
  ];
}

/** What one probe saw, parsed from the command output. */
export interface GatewayProbeResult {
  /** curl's exit code: 0 answered, 7 refused, 28 timed out. */
  readonly curlExit: number;
  /** HTTP status, 0 when there was no answer. */
  readonly status: number;
  /** The first KiB of the body, decoded. */
  readonly body: string;
  /** The whole body's size in bytes, when it was longer than the part in `body`. */
  readonly bodyBytes?: number | undefined;
  /** Whether the whole body's top-level `"ok"` is true, as the instance judged a body longer than `body`. */
  readonly jsonOk?: boolean | undefined;
}

/** Output that does not follow the probe's contract (SSM cut it, the script failed before printing, ...). */
export class ProbeOutputError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "ProbeOutputError";
  }
}

/** Parses a gateway probe's stdout strictly: every key must be present and well-formed. */
export function parseGatewayProbe(output: string): GatewayProbeResult {
  const values = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^(CLAWOPS_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  if (values.get("CLAWOPS_PROBE") !== "gateway-health") {
    throw new ProbeOutputError("not a gateway probe output (no CLAWOPS_PROBE=gateway-health line)", output);
  }
  const curlExit = Number(values.get("CLAWOPS_CURL_EXIT"));
  const status = Number(values.get("CLAWOPS_HTTP_STATUS"));
  if (!Number.isInteger(curlExit) || !Number.isInteger(status) || !values.has("CLAWOPS_BODY")) {
    throw new ProbeOutputError("gateway probe output is incomplete or malformed", output);
  }
  const body = Buffer.from(values.get("CLAWOPS_BODY") ?? "", "base64").toString("utf8");
  const bodyBytes = values.has("CLAWOPS_BODY_BYTES") ? Number(values.get("CLAWOPS_BODY_BYTES")) : undefined;
  const jsonOk = values.get("CLAWOPS_JSON_OK");
  if (
    (bodyBytes !== undefined && !Number.isInteger(bodyBytes)) ||
    (jsonOk && !/^(true|false)$/.test(jsonOk))
  ) {
    throw new ProbeOutputError("gateway probe output is incomplete or malformed", output);
  }
  return {
    curlExit,
    status,
    body,
    ...(bodyBytes !== undefined ? { bodyBytes } : {}),
    ...(jsonOk ? { jsonOk: jsonOk === "true" } : {}),
  };
}

/** The verdict on one probe. */
export interface GatewayHealth {
  readonly healthy: boolean;
  /** Why, in words an operator reads in Slack. */
  readonly reason: string;
}

/**
 * Healthy means an HTTP 2xx from the health path and, when the endpoint requires it, a JSON body with
 * `"ok": true` (some OpenClaw builds answer that).
 */
export function judgeGatewayHealth(result: GatewayProbeResult, endpoint: GatewayEndpoint): GatewayHealth {
  if (result.curlExit === 28)
    return { healthy: false, reason: `no answer within ${endpoint.probeTimeoutSeconds}s` };
  if (result.curlExit === 7) return { healthy: false, reason: "connection refused: gateway not listening" };
  if (result.status === 0) return { healthy: false, reason: `no HTTP answer (curl exit ${result.curlExit})` };
  if (result.status < 200 || result.status > 299) return { healthy: false, reason: `HTTP ${result.status}` };
  if (endpoint.requireJsonOk) {
    const ok = jsonOkOf(result);
    if (typeof ok === "string") return { healthy: false, reason: `HTTP ${result.status} but ${ok}` };
    if (!ok) return { healthy: false, reason: `HTTP ${result.status} but "ok" is not true` };
  }
  return { healthy: true, reason: `HTTP ${result.status}` };
}

/**
 * Whether the body's top-level `"ok"` is true, or why that cannot be said. A body longer than the part printed
 * is judged by the instance's verdict, never by parsing the cut part.
 */
function jsonOkOf(result: GatewayProbeResult): boolean | string {
  if (result.jsonOk !== undefined) return result.jsonOk;
  if (result.bodyBytes !== undefined) {
    return `the ${result.bodyBytes}-byte body was cut and the probe printed no verdict on it`;
  }
  return topLevelOk(result.body) ?? "the body is not JSON";
}

/** `"ok": true` at the top of a JSON body; undefined when it is not JSON. */
function topLevelOk(body: string): boolean | undefined {
  try {
    return (JSON.parse(body) as { ok?: unknown } | null)?.ok === true;
  } catch {
    return undefined;
  }
}

/**
 * Formats what the sandbox (or any stand-in) prints for a probe, exactly as the real script would: given a body
 * longer than the script prints, it cuts it and adds the size and the verdict on the whole body.
 */
export function formatGatewayProbeOutput(result: GatewayProbeResult): string {
  const bytes = Buffer.from(result.body, "utf8");
  const whole = bytes.length > PROBE_BODY_BYTES;
  const bodyBytes = result.bodyBytes ?? (whole ? bytes.length : undefined);
  const jsonOk = result.jsonOk ?? (whole ? topLevelOk(result.body) === true : undefined);
  return [
    "CLAWOPS_PROBE=gateway-health",
    `CLAWOPS_CURL_EXIT=${result.curlExit}`,
    `CLAWOPS_HTTP_STATUS=${String(result.status).padStart(3, "0")}`,
    ...(bodyBytes !== undefined ? [`CLAWOPS_BODY_BYTES=${bodyBytes}`] : []),
    ...(jsonOk !== undefined ? [`CLAWOPS_JSON_OK=${jsonOk}`] : []),
    `CLAWOPS_BODY=${bytes.subarray(0, PROBE_BODY_BYTES).toString("base64")}`,
    "",
  ].join("\n");
}

/** Seconds SSM lets the probe script run: curl's own bound plus time to start the shell. */
export function probeExecutionTimeoutSeconds(endpoint: Pick<GatewayEndpoint, "probeTimeoutSeconds">): number {
  return endpoint.probeTimeoutSeconds + 5;
}
