import { request } from "node:http";
import type { GatewayProbeResult } from "@clawops/core/lifecycle";

/** curl's exit codes for what a probe can see (the production probe script reports curl's code). */
export const CurlExit = {
  Ok: 0,
  /** CURLE_COULDNT_CONNECT: connection refused, nothing listens. */
  Refused: 7,
  /** CURLE_OPERATION_TIMEDOUT: `--max-time` reached. */
  TimedOut: 28,
  /** CURLE_GOT_NOTHING: the server closed the connection without a reply. */
  EmptyReply: 52,
  /** CURLE_RECV_ERROR: the connection was reset while reading. */
  RecvError: 56,
} as const;

/** What the probe script on an instance reads of a body (it judges `ok` on up to 64 KiB, prints the first 1 KiB). */
const BODY_LIMIT = 64 * 1024;

/**
 * Makes a real HTTP GET to `127.0.0.1:port` + `path`, bounded by `timeoutMs` for the whole exchange like
 * `curl --max-time`, and reports it in the production probe's terms, so the SSM model can print
 * `formatGatewayProbeOutput(result)` exactly as the real script on the instance would.
 * Never rejects: every failure is a result (refused → 7, timeout → 28).
 */
export function probeGateway(port: number, path = "/health", timeoutMs = 2_000): Promise<GatewayProbeResult> {
  return new Promise((resolve) => {
    let status = 0;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (curlExit: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      const body = Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString("utf8");
      resolve({ curlExit, status, body });
    };
    const req = request({ host: "127.0.0.1", port, path, method: "GET", agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on("data", (chunk: Buffer) => {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => finish(CurlExit.Ok));
      res.on("error", () => finish(CurlExit.RecvError));
    });
    const timer = setTimeout(() => finish(CurlExit.TimedOut), timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") finish(CurlExit.Refused);
      else if (error.code === "ECONNRESET" && status === 0) finish(CurlExit.EmptyReply);
      else finish(CurlExit.RecvError);
    });
    req.end();
  });
}
