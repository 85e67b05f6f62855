/** What the failure drill's task tests share: a task handler's context, its environment, and a drill under way. */
import type { Context } from "aws-lambda";

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The Lambda context of a task `functionName`, with time to spare. */
export const taskContext = (functionName: string) =>
  ({ functionName, awsRequestId: "r", getRemainingTimeInMillis: () => 30_000 }) as unknown as Context;

/** The failure-drill functions' settings as the stack writes them (CLAWOPS_SETTINGS). */
export const settings = {
  fleetName: "openclaw",
  autoScalingGroupName: "clawops-test-fleet",
  alarmName: "clawops-test-unhealthy-gateways",
  gatewayServiceName: "openclaw-gateway",
  windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 },
  observeIntervalSeconds: 15,
  recordDays: 400,
};

export const env = {
  CLAWOPS_STATE_TABLE: "clawops-test-state",
  CLAWOPS_SETTINGS: JSON.stringify(settings),
  CLAWOPS_STAGE: "test",
};

/** The instance whose gateway the drill stopped. */
export const I = "i-0aaaaaaaaaaaaaaa1";

/** The drill as the Preflight task leaves it. */
export const drill = {
  drillId: "fd-1",
  startedAt: "2026-11-29T00:00:00.000Z",
  instanceId: I,
  instancesBefore: [I],
};
