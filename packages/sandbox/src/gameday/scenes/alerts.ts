import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { withFunctionEnvironment } from "@clawops/core";
import { type AlertRouterSettings, alarmSeverity, alertRouterSettings } from "@clawops/core/alerts";
import { makeClient } from "@clawops/core/aws";
import { lifecycleSettings, MONITOR_SERVICE_NAME, MonitorMetric } from "@clawops/core/lifecycle";
import type { Context } from "aws-lambda";
import type { Sandbox } from "../../sandbox.js";
import type { SlackMessage } from "../../slack/workspace.js";
import type { Scene, SceneResult, Timeline } from "../scene.js";
import { sandboxFunctionEnvironment } from "./function-environment.js";
import { installLifecycle, type LifecycleInstall } from "./lifecycle.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const lambdaContext = (name: string) =>
  ({
    functionName: name,
    awsRequestId: "sandbox",
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** PNG files start with these eight bytes. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The alerts flow as installed in a sandbox. */
export interface AlertsInstall {
  readonly settings: AlertRouterSettings;
  /** `clawops-<stage>-unhealthy-gateways`, as the Lifecycle stack names it. */
  readonly alarmName: string;
  /** The channel the alarm is routed to (its severity's route, else the default channel). */
  readonly channel: string;
  readonly slackSecretArn: string;
  uninstall(): void;
}

/** The router's own secret (`{ botToken }`) pointing at the local Slack server; reused if it exists. */
async function slackSecret(sandbox: Sandbox): Promise<{ arn: string; remove?: () => void }> {
  const secrets = makeClient(SecretsManagerClient);
  const Name = `clawops-${sandbox.config.stage}-alerts-slack`;
  const SecretString = JSON.stringify({ botToken: sandbox.slack.token });
  try {
    const { ARN = "" } = await secrets.send(new CreateSecretCommand({ Name, SecretString }));
    // Uninstalling removes what the install created, so a later scene can deploy the secret itself.
    return { arn: ARN, remove: () => sandbox.aws.models.secrets.secrets.delete(Name) };
  } catch (error) {
    if ((error as Error).name !== "ResourceExistsException") throw error;
    await secrets.send(new PutSecretValueCommand({ SecretId: Name, SecretString }));
    const { ARN = "" } = await secrets.send(new DescribeSecretCommand({ SecretId: Name }));
    return { arn: ARN };
  }
}

/** The alarm `stacks/Lifecycle.ts` creates, through the CloudWatch model. */
async function unhealthyGatewaysAlarm(sandbox: Sandbox): Promise<string> {
  const { config, description } = sandbox;
  const { fleetName } = lifecycleSettings(config, description);
  const alarmName = `clawops-${config.stage}-unhealthy-gateways`;
  await makeClient(CloudWatchClient).send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      AlarmDescription: `OpenClaw gateways of ${description.autoScalingGroupName} fail their health probe; the monitor marks them Unhealthy after ${config.settings.monitor.unhealthyAfter} failures in a row and the group replaces them.`,
      Namespace: "Clawops",
      MetricName: MonitorMetric.UnhealthyGateways,
      Dimensions: [
        { Name: "service", Value: MONITOR_SERVICE_NAME },
        { Name: "Stage", Value: config.stage },
        { Name: "Fleet", Value: fleetName },
      ],
      Period: 60,
      Statistic: "Maximum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: "notBreaching",
      ActionsEnabled: true,
    }),
  );
  return alarmName;
}

/**
 * Installs the alerts flow in a sandbox as the Alerts stack deploys it: the router's Slack secret (the
 * local Slack server's token), the production router (`makeAlertRouter`) built and run in its own
 * environment (`CLAWOPS_SETTINGS` from `alertRouterSettings`, the state table), on the sandbox clock, and
 * its routes (`functions/alerts/routes.ts`: clawops' alarms and clawops' events) on the local bus. Also
 * creates the Lifecycle stack's unhealthy-gateways alarm.
 */
export async function installAlerts(sandbox: Sandbox): Promise<AlertsInstall> {
  const { makeAlertRouter } = await import("../../../../../functions/alerts/router.js");
  const { alertRoutes } = await import("../../../../../functions/alerts/routes.js");
  const { config, clock } = sandbox;
  const secret = await slackSecret(sandbox);
  const slackSecretArn = secret.arn;
  const alarmName = await unhealthyGatewaysAlarm(sandbox);
  const base = alertRouterSettings(config, { slackSecretArn });
  const settings: AlertRouterSettings = { ...base, slack: { ...base.slack, apiUrl: sandbox.slack.apiUrl } };
  const environment = sandboxFunctionEnvironment(sandbox, settings);
  const asFunction = <T>(fn: () => T): T => withFunctionEnvironment(environment, fn);
  const router = asFunction(() =>
    makeAlertRouter({
      secretsCacheKey: `clawops-alerts-${sandbox.slack.url}`,
      clock: { now: () => clock.now(), sleep: (ms) => clock.sleep(ms) },
    }),
  ) as unknown as Handler;
  // The rules the Alerts stack deploys: this stage's alarms and events, and the configured alarm names/prefixes.
  const routes = alertRoutes(config.stage, {
    names: config.settings.alerts.alarmNames,
    namePrefixes: config.settings.alerts.alarmNamePrefixes,
  });
  const ruleName = (id: string) => `clawops-alerts-${id}`;
  for (const route of routes) {
    sandbox.events.putRule({
      name: ruleName(route.id),
      pattern: route.pattern,
      target: (event) => asFunction(() => router(event, lambdaContext("alert-router"))),
    });
  }
  const severity = alarmSeverity(alarmName, {}, settings.alerts);
  const route = settings.slack.routes.find((r) => r.severity === severity);
  const channel = route?.channel ?? settings.slack.defaultChannel;
  return {
    settings,
    alarmName,
    channel,
    slackSecretArn,
    uninstall() {
      for (const r of routes) sandbox.events.bus.removeRule(ruleName(r.id));
      secret.remove?.();
    },
  };
}

/** The alarm's parent messages in its channel. */
export function alarmMessages(sandbox: Sandbox, install: AlertsInstall): SlackMessage[] {
  return sandbox.slack
    .channel(install.channel)
    .messages.filter((m) => JSON.stringify(m).includes(install.alarmName));
}

const isPng = (content: Buffer) => content.subarray(0, 8).equals(PNG_SIGNATURE);
/** Every text of a message (its text and its blocks), lower-cased, to look for words. */
const words = (m: { text: string; blocks?: readonly unknown[] | undefined }) =>
  `${m.text} ${JSON.stringify(m.blocks ?? [])}`.toLowerCase();

/** Lets the router finish its state writes (it may wait on the sandbox clock) before anyone closes the sandbox. */
async function settle(sandbox: Sandbox): Promise<void> {
  let idle = false;
  void sandbox.events.bus.idle().then(() => {
    idle = true;
  });
  await sandbox.clock.runUntil(() => idle, { step: 1_000, limitMs: 5 * 60_000 });
}

/** What the channel shows of one alarm: the ALARM message, its graph, the resolution. */
export interface AlarmStory {
  readonly passed: boolean;
  readonly secondsToAlarmPosted?: number;
  readonly secondsToResolved?: number;
  readonly reason?: string;
}

/** A gateway dies; its alarm fires and posts with a graph; the replacement brings it OK; the thread resolves. */
export async function killedGatewayAlarmResolves(
  sandbox: Sandbox,
  alerts: AlertsInstall,
  lifecycle: LifecycleInstall,
  timeline: Timeline,
): Promise<AlarmStory> {
  const { clock } = sandbox;
  const victim = sandbox.fleet
    .instances()
    .find((i) => i.lifecycleState === "InService" && i.gatewayPort)?.instanceId;
  if (!victim) return { passed: false, reason: "no InService instance with a gateway to kill" };
  const before = new Set(sandbox.fleet.instances().map((i) => i.instanceId));
  const alarm = () => sandbox.aws.models.cloudWatch.alarms.get(alerts.alarmName);
  // The alarm watches the monitor's metric from the moment it exists: a gateway an earlier scene killed may
  // still be in its last datapoints. The story starts from an OK alarm, and counts only what it posts itself.
  await clock.runUntil(() => alarm()?.StateValue === "OK", { step: 1_000, limitMs: 10 * 60_000 });
  await settle(sandbox);
  const earlier = new Set(alarmMessages(sandbox, alerts).map((m) => m.ts));
  if (earlier.size > 0)
    timeline.log(
      `${alerts.alarmName}: ${earlier.size} earlier message(s) in the channel, from an earlier scene's outage`,
    );
  const messages = () => alarmMessages(sandbox, alerts).filter((m) => !earlier.has(m.ts));
  const killedAt = clock.now();
  await sandbox.fleet.kill(victim);
  timeline.log(`${victim}: gateway process killed (SIGKILL)`);

  const posted = () => messages()[0];
  await clock.runUntil(() => posted() !== undefined, { step: 1_000, limitMs: 15 * 60_000 });
  const parent = posted();
  if (!parent)
    return { passed: false, reason: `no ALARM message in #${alerts.channel} (${alarm()?.StateValue})` };
  const secondsToAlarmPosted = Math.round((clock.now() - killedAt) / 1000);
  timeline.log(
    `${alerts.alarmName} ${alarm()?.StateValue}: posted in #${alerts.channel} after ${secondsToAlarmPosted}s`,
  );
  const graph = () =>
    sandbox.slack
      .channel(alerts.channel)
      .thread(parent.ts)
      .flatMap((m) => m.files)
      .find((f) => isPng(f.content));
  await clock.runUntil(() => graph() !== undefined, { step: 1_000, limitMs: 60_000 });
  timeline.log(`graph in the thread: ${graph()?.name ?? "none"} (${graph()?.size ?? 0} bytes)`);

  const replacement = () =>
    sandbox.fleet.instances().find((i) => !before.has(i.instanceId) && i.lifecycleState === "InService")
      ?.instanceId;
  // The resolution reply: "<alarm> is OK after <duration>".
  const resolution = () =>
    sandbox.slack
      .channel(alerts.channel)
      .thread(parent.ts)
      .find((m) => m.files.length === 0 && / is \*?ok\*? after /.test(words(m)));
  const resolved = () => {
    const message = messages()[0];
    return message !== undefined && message.edits.length > 0 && words(message).includes("resolved");
  };
  await clock.runUntil(
    () => replacement() !== undefined && alarm()?.StateValue === "OK" && resolved() && !!resolution(),
    { step: 1_000, limitMs: 30 * 60_000 },
  );
  const secondsToResolved = Math.round((clock.now() - killedAt) / 1000);
  await settle(sandbox);
  const id = replacement();
  const gate = id ? lifecycle.executionOf(id, "launch-gate") : undefined;
  const final = messages();
  // The message as first posted (before the resolution rewrote it).
  const first = final[0]?.edits[0] ?? final[0];
  const marked = sandbox.aws
    .calls("AutoScaling", "SetInstanceHealth")
    .filter((c) => c.input.InstanceId === victim && c.outcome === "ok").length;
  timeline.log(
    `${victim} marked Unhealthy by the monitor (${marked}); replacement ${id} (gate ${gate?.status}); ${alerts.alarmName} ${alarm()?.StateValue}; thread resolved after ${secondsToResolved}s`,
  );
  const problems = [
    final.length !== 1 && `${final.length} alarm messages (want 1)`,
    !first?.text.startsWith(`ALARM: ${alerts.alarmName} (`) && "the message does not show ALARM and severity",
    marked !== 1 && `the victim was marked Unhealthy ${marked} times (want 1)`,
    !graph() && "no PNG graph in the thread",
    (!id || gate?.status !== "SUCCEEDED") && `replacement ${id} not admitted by the gate (${gate?.status})`,
    alarm()?.StateValue !== "OK" && `alarm ${alarm()?.StateValue} (want OK)`,
    !resolved() && "the parent was not updated as resolved",
    !resolution() && "no resolution reply in the thread",
  ].filter((p): p is string => typeof p === "string");
  return {
    passed: problems.length === 0,
    secondsToAlarmPosted,
    secondsToResolved,
    ...(problems.length ? { reason: problems.join("; ") } : {}),
  };
}

/** The alerts scene: a gateway dies, its alarm posts with a graph, the replacement resolves the thread. */
export const alertsScene: Scene = {
  name: "alarm to Slack: ALARM with a graph, resolved by the replacement",
  async run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult> {
    const lifecycle = await installLifecycle(sandbox);
    const alerts = await installAlerts(sandbox);
    try {
      await lifecycle.reconcile();
      const story = await killedGatewayAlarmResolves(sandbox, alerts, lifecycle, timeline);
      return {
        passed: story.passed,
        figures: {
          channel: `#${alerts.channel}`,
          "seconds from kill to ALARM posted": story.secondsToAlarmPosted ?? "-",
          "seconds from kill to resolved": story.secondsToResolved ?? "-",
          "Slack calls": sandbox.slack.server?.calls().length ?? 0,
        },
        ...(story.reason ? { reason: story.reason } : {}),
      };
    } finally {
      alerts.uninstall();
      lifecycle.uninstall();
    }
  },
};
