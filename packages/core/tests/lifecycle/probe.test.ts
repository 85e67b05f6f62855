import { describe, expect, it } from "vitest";
import {
  formatGatewayProbeOutput,
  judgeGatewayHealth,
  parseGatewayProbe,
} from "../../src/lifecycle/index.js";

const endpoint = { port: 18789, path: "/health", requireJsonOk: true, probeTimeoutSeconds: 5 };
/** A healthy answer of a gateway with many channels: well over the KiB the probe prints. */
const channels = Array.from({ length: 40 }, (_, i) => ({ id: `channel-${i}`, status: "connected" }));

describe("Function: judgeGatewayHealth with requireJsonOk", () => {
  it.each([
    ["ok first", JSON.stringify({ ok: true, channels }), true, "HTTP 200"],
    ["ok last", JSON.stringify({ channels, ok: true }), true, "HTTP 200"],
    ["ok false", JSON.stringify({ ok: false, channels }), false, 'HTTP 200 but "ok" is not true'],
  ])("judges a JSON answer over 1 KiB on the whole body (%s)", (_case, body, healthy, reason) => {
    expect(body.length).toBeGreaterThan(1024);
    const result = parseGatewayProbe(formatGatewayProbeOutput({ curlExit: 0, status: 200, body }));
    expect(result.body).toBe(body.slice(0, 1024));
    expect(judgeGatewayHealth(result, endpoint)).toEqual({ healthy, reason });
  });

  it("never calls a cut body 'not JSON' when the probe gave no verdict on it", () => {
    const output = formatGatewayProbeOutput({ curlExit: 0, status: 200, body: '{"ok":tr', bodyBytes: 3000 });
    expect(judgeGatewayHealth(parseGatewayProbe(output), endpoint)).toEqual({
      healthy: false,
      reason: "HTTP 200 but the 3000-byte body was cut and the probe printed no verdict on it",
    });
  });

  it.each([
    ['{"ok":true}', true, "HTTP 200"],
    ['{"ok":false}', false, 'HTTP 200 but "ok" is not true'],
    ["starting", false, "HTTP 200 but the body is not JSON"],
  ])("judges a whole short body %s by parsing it", (body, healthy, reason) => {
    const result = parseGatewayProbe(formatGatewayProbeOutput({ curlExit: 0, status: 200, body }));
    expect(result).toEqual({ curlExit: 0, status: 200, body });
    expect(judgeGatewayHealth(result, endpoint)).toEqual({ healthy, reason });
  });

  it("rejects a verdict line that is neither true nor false", () => {
    const output =
      "CLAWOPS_PROBE=gateway-health\nCLAWOPS_CURL_EXIT=0\nCLAWOPS_HTTP_STATUS=200\nCLAWOPS_JSON_OK=maybe\nCLAWOPS_BODY=\n";
    expect(() => parseGatewayProbe(output)).toThrow(/malformed/);
  });
});
