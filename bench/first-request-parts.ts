/**
 * What bench/first-request.ts measures: the reference, library parts and whole clawops functions, each with
 * its first request and what a successful answer to it looks like.
 */

/** The value at `path` in a JSON answer, or undefined. */
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

/** The reference's bundle: a Slack `auth.test` to the local endpoint, its answer back. */
export const SLACK_REFERENCE: FirstRequestPart = {
  source: `import { WebClient } from "@slack/web-api";
export async function first(endpoint: string) {
  return new WebClient("xoxb-bench", { slackApiUrl: endpoint + "/api/" }).auth.test();
}
`,
  succeeded: (r) => at(r, "ok") === true,
};

/**
 * A part: library code alone, whose bundle exports `first(endpoint)`, or a clawops function (`entry`) invoked
 * once with `event`; its SDK clients reach the local endpoint through `AWS_ENDPOINT_URL`, which the SDK reads.
 * `succeeded` tells a successful answer from one a handler returns after tolerating a failure (the router
 * returns `dead-lettered`): only successful first requests are measured.
 */
export type FirstRequestPart = ({ readonly source: string } | FunctionInvocation) & {
  readonly succeeded: (response: unknown) => boolean;
};

/** A clawops function invoked once: its entry, the event, and the `CLAWOPS_*` variables its stack sets. */
export interface FunctionInvocation {
  readonly entry: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** @default none */
  readonly env?: (endpoint: string) => Readonly<Record<string, string>>;
}

const LAUNCH_ACTION = {
  asgName: "fleet",
  hookName: "launch-gate",
  instanceId: "i-0123456789abcdef0",
  token: "bench-token",
  transition: "launch",
};

/** What lifecycle/publish sends when a launch gate gives up: the alert router's first event here. */
const LIFECYCLE_ABANDONED = {
  version: "0",
  id: "bench-0001-4e5f-8a9b-0c1d2e3f4a5b",
  "detail-type": "LifecycleAbandoned",
  source: "clawops",
  account: "123456789012",
  time: "2026-11-29T11:10:00Z",
  region: "us-east-1",
  resources: [],
  detail: {
    asgName: "fleet",
    instanceId: LAUNCH_ACTION.instanceId,
    hookName: LAUNCH_ACTION.hookName,
    reason: "gateway never answered healthy 3 times in a row before the deadline",
  },
};

/**
 * The SDK clients bench/bundles.ts measures as floors, each sending its one command; the handler chain with its
 * middlewares, whose first call is one invocation that logs a line and flushes a metric (no request); and three
 * whole functions, invoked once with an event they get in production: three of the lightest that hold an SDK
 * client (two lifecycle tasks and the drill's StartRestore), and the alert router, the heaviest, which sends
 * with both stacks (the SDK's and, to Slack, `fetch`).
 */
export const FIRST_REQUESTS: Readonly<Record<string, FirstRequestPart>> = {
  "Auto Scaling client + 1 command": {
    source: `import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
export async function first(endpoint: string) {
  return new AutoScalingClient({ endpoint }).send(new CompleteLifecycleActionCommand({
    AutoScalingGroupName: "fleet", LifecycleHookName: "launch-gate", LifecycleActionResult: "CONTINUE", InstanceId: "i-0123456789abcdef0",
  }));
}
`,
    succeeded: (r) => at(r, "$metadata", "httpStatusCode") === 200,
  },
  "DynamoDB client + 1 command": {
    source: `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
export async function first(endpoint: string) {
  return new DynamoDBClient({ endpoint }).send(new GetItemCommand({ TableName: "drills", Key: { pk: { S: "drill#1" } } }));
}
`,
    succeeded: (r) => at(r, "Item", "pk", "S") === "drill#1",
  },
  "middy + Powertools middlewares + a handler (no request)": {
    source: `import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
const logger = new Logger({ serviceName: "bench" });
const metrics = new Metrics({ namespace: "clawops", serviceName: "bench" });
const handler = middy(async (event: { n: number }) => {
  logger.info("first invocation", { n: event.n });
  metrics.addMetric("Invocations", MetricUnit.Count, 1);
  return { ok: true };
}).use(injectLambdaContext(logger)).use(logMetrics(metrics));
export async function first() {
  return handler({ n: 1 }, { functionName: "bench", awsRequestId: "r-1", getRemainingTimeInMillis: () => 3000 } as never);
}
`,
    succeeded: (r) => at(r, "ok") === true,
  },
  "lifecycle/complete (the function)": {
    entry: "functions/lifecycle/complete.ts",
    event: { action: LAUNCH_ACTION, result: "CONTINUE" },
    succeeded: (r) => at(r, "completed") === true,
  },
  "alerts/router (the function)": {
    entry: "functions/alerts/router.ts",
    event: LIFECYCLE_ABANDONED,
    succeeded: (r) => at(r, "status") === "posted",
    env: (endpoint) => ({
      CLAWOPS_STATE_TABLE: "clawops-bench-state",
      CLAWOPS_SETTINGS: JSON.stringify({
        stage: "bench",
        slackSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawops-alerts-slack-AbCdEf",
        slack: {
          defaultChannel: "ops-alerts",
          routes: [],
          insufficientData: "ignore",
          apiUrl: `${endpoint}/api/`,
          channels: {},
          metricGraphs: false,
        },
        alerts: {
          stormWindowSeconds: 60,
          stormThreshold: 5,
          alarmSeverities: {},
          defaultSeverity: "warning",
          stateTtlDays: 7,
        },
      }),
    }),
  },
  "drills/start (the function)": {
    entry: "functions/drills/start.ts",
    event: {
      drillId: "drill-20261129-0600",
      mode: "drill",
      keep: false,
      deadline: "2099-01-01T00:00:00.000Z",
      verifySeconds: 840,
      fileSystem: { fileSystemId: "fs-0runtime", kind: "runtime", path: "/runtime" },
      expectations: { sizeTolerancePercent: 5 },
      point: {
        recoveryPointArn: "arn:aws:backup:us-east-1:123456789012:recovery-point:rp-bench",
        creationDate: "2026-11-29T05:00:00.000Z",
        rpoSeconds: 3600,
      },
    },
    succeeded: (r) => at(r, "restore", "restoreJobId") === "RJ-bench",
    env: () => ({
      CLAWOPS_SETTINGS: JSON.stringify({
        fleetName: "openclaw",
        vaultName: "clawops-bench-openclaw",
        restoreRoleArn: "arn:aws:iam::123456789012:role/clawops-bench-restore",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        fileSystems: [{ fileSystemId: "fs-0runtime", kind: "runtime", path: "/runtime" }],
        manifestParameterName: "/clawops/bench/soul-manifest",
        verifier: {
          functionName: "clawops-bench-verifier",
          subnetIds: ["subnet-a"],
          mountTargetSecurityGroupIds: ["sg-0drill"],
        },
      }),
    }),
  },
  "lifecycle/publish (the function)": {
    entry: "functions/lifecycle/publish.ts",
    event: { action: LAUNCH_ACTION, gate: { startedAt: 1_764_400_000_000, reason: "gateway never healthy" } },
    succeeded: (r) => at(r, "published") === "LifecycleAbandoned",
  },
};
