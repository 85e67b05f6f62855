import type { GatewayEndpoint } from "../fleet/description.js";

/** First line of every gateway probe script; the sandbox's SSM model recognises probes by it. */
export const GATEWAY_PROBE_MARKER = "# clawops-probe: gateway-health v1";

/**
 * The shell commands (for `AWS-RunShellScript`) that probe the gateway on the instance's loopback interface.
 * curl is bounded by the endpoint's timeout; the body is base64-encoded so any bytes survive SSM's output.
 * Output contract (one `KEY=value` per line): CLAWOPS_PROBE, CLAWOPS_CURL_EXIT, CLAWOPS_HTTP_STATUS, CLAWOPS_BODY.
 */
export function gatewayProbeCommands(endpoint: GatewayEndpoint): string[] {
  const url = `http://127.0.0.1:${endpoint.port}${endpoint.path}`;
  return [
    GATEWAY_PROBE_MARKER,
    'body=$(mktemp); code=$(curl -s -o "$body" -w "%{http_code}" --max-time ' +
      `${endpoint.probeTimeoutSeconds} '${url}' 2>/dev/null); rc=$?`,
    'echo "CLAWOPS_PROBE=gateway-health"',
    'echo "CLAWOPS_CURL_EXIT=$rc"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template.
    'echo "CLAWOPS_HTTP_STATUS=${code:-000}"',
    'echo "CLAWOPS_BODY=$(head -c 1024 "$body" | base64 -w0)"',
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
  return { curlExit, status, body };
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
    let ok = false;
    try {
      ok = (JSON.parse(result.body) as { ok?: unknown }).ok === true;
    } catch {
      return { healthy: false, reason: `HTTP ${result.status} but the body is not JSON` };
    }
    if (!ok) return { healthy: false, reason: `HTTP ${result.status} but "ok" is not true` };
  }
  return { healthy: true, reason: `HTTP ${result.status}` };
}

/** Formats what the sandbox (or any stand-in) prints for a probe, exactly as the real script would. */
export function formatGatewayProbeOutput(result: GatewayProbeResult): string {
  return [
    "CLAWOPS_PROBE=gateway-health",
    `CLAWOPS_CURL_EXIT=${result.curlExit}`,
    `CLAWOPS_HTTP_STATUS=${String(result.status).padStart(3, "0")}`,
    `CLAWOPS_BODY=${Buffer.from(result.body.slice(0, 1024), "utf8").toString("base64")}`,
    "",
  ].join("\n");
}

/** Seconds SSM lets the probe script run: curl's own bound plus time to start the shell. */
export function probeExecutionTimeoutSeconds(endpoint: GatewayEndpoint): number {
  return endpoint.probeTimeoutSeconds + 5;
}
