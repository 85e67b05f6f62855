import type { LifecycleSettings } from "@clawops/core/lifecycle";
import { formatGatewayProbeOutput } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";

/** Settings as the stack writes them into CLAWOPS_SETTINGS. */
export const settings: LifecycleSettings = {
  fleetName: "openclaw",
  autoScalingGroupName: "clawops-test-fleet",
  launchHookName: "clawops-launch-gate",
  terminateHookName: "clawops-drain",
  gateway: { port: 18789, path: "/health", requireJsonOk: false, probeTimeoutSeconds: 5 },
  gate: {
    healthyProbesRequired: 2,
    probeIntervalSeconds: 15,
    deadlineSeconds: 300,
    heartbeatTimeoutSeconds: 120,
  },
  drain: { timeoutSeconds: 60, serviceName: "openclaw-gateway" },
  monitor: { unhealthyAfter: 3, periodSeconds: 60 },
  launchGateArn: "arn:aws:states:us-east-1:123456789012:stateMachine:clawops-test-launch-gate",
  terminateDrainArn: "arn:aws:states:us-east-1:123456789012:stateMachine:clawops-test-terminate-drain",
};

/** Installs the function environment the stack sets; call before the first invocation of a handler. */
export function installEnvironment(overrides: Partial<LifecycleSettings> = {}): void {
  process.env.CLAWOPS_SETTINGS = JSON.stringify({ ...settings, ...overrides });
  process.env.CLAWOPS_STATE_TABLE = "clawops-test-state";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.CLAWOPS_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-test-dlq";
}

export const context = {
  functionName: "clawops-test-lifecycle",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export const action = {
  asgName: "clawops-test-fleet",
  hookName: "clawops-launch-gate",
  instanceId: "i-0abc1234def567890",
  token: "c613620e-07e2-4ed2-a9e2-ef8258911ade",
  transition: "launch" as const,
};

/** stdout of the probe script for a gateway answering `status` (0 with curl exit 7: refused). */
export function probeOutput(status: number): string {
  return formatGatewayProbeOutput(
    status === 0
      ? { curlExit: 7, status: 0, body: "" }
      : { curlExit: 0, status, body: status === 200 ? "ok" : "starting" },
  );
}
