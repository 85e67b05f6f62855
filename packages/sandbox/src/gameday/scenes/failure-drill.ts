import { fileURLToPath } from "node:url";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { withFunctionEnvironment } from "@clawops/core";
import { makeClient } from "@clawops/core/aws";
import {
  type FailureDrillSettings,
  failureDrillParameterName,
  failureDrillSettings,
  failureDrillSummary,
  GATEWAY_STOP_MARKER,
  setFailureDrillClock,
} from "@clawops/core/failure-drill";
import type { FailureDrillRecord } from "@clawops/core/readiness";
import type { Context } from "aws-lambda";
import type { FailureDrillRun } from "../../../../../functions/failure-drill/run.js";
import type { Sandbox } from "../../sandbox.js";
import type { SlackMessage } from "../../slack/workspace.js";
import type { Scene, SceneResult, Timeline } from "../scene.js";
import { type AlertsInstall, alarmMessages, installAlerts } from "./alerts.js";
import { sandboxFunctionEnvironment } from "./function-environment.js";
import { installLifecycle, type LifecycleInstall } from "./lifecycle.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const repo = (path: string) => fileURLToPath(new URL(`../../../../../${path}`, import.meta.url));
const lambdaContext = (name: string) =>
  ({
    functionName: name,
    awsRequestId: "sandbox",
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/** What `clawops drill --failure` ended with in the sandbox, and what it printed. */
export interface SandboxDrillRun extends FailureDrillRun {
  readonly printed: readonly string[];
}

/** The failure drill as installed in a sandbox. */
export interface FailureDrillInstall {
  readonly settings: FailureDrillSettings;
  readonly stateMachineArn: string;
  /**
   * `clawops drill --failure [--instance] [--dry-run]` (functions/failure-drill/run.ts) against the sandbox,
   * the clock running until it returned and the alert router delivered what it published.
   */
  run(options?: { readonly instanceId?: string; readonly dryRun?: boolean }): Promise<SandboxDrillRun>;
  /** The newest drill record, read as readiness reads it (functions/readiness/records.ts). */
  lastRecord(): Promise<FailureDrillRecord | null>;
  uninstall(): void;
}

/** Runs the clock until `work` settled and the bus delivered everything (the router's real Slack I/O). */
async function onTheClock<T>(sandbox: Sandbox, work: Promise<T>, limitMs: number): Promise<T> {
  let settled = false;
  const tracked = work.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  await sandbox.clock.runUntil(() => settled, { step: 1_000, limitMs });
  let idle = false;
  void sandbox.events.bus.idle().then(() => {
    idle = true;
  });
  await sandbox.clock.runUntil(() => idle, { step: 1_000, limitMs: 10 * 60_000 });
  return tracked;
}

/**
 * Installs the failure drill as the FailureDrill stack deploys it: `failure-drill.asl.json` with its Tasks
 * mapped to the production handlers (`functions/failure-drill/tasks.ts`), each run in its own environment
 * (`CLAWOPS_SETTINGS` from `failureDrillSettings`, the state table), the drill's clock on the sandbox clock,
 * and the SSM parameter through which `clawops drill --failure` finds the state machine.
 */
export async function installFailureDrill(sandbox: Sandbox): Promise<FailureDrillInstall> {
  const { failureDrillTasks } = await import("../../../../../functions/failure-drill/tasks.js");
  const { runFailureDrill } = await import("../../../../../functions/failure-drill/run.js");
  const { lastFailureDrill } = await import("../../../../../functions/readiness/records.js");
  const { config, clock } = sandbox;
  const { world } = sandbox.aws.models;
  const settings = failureDrillSettings(config, sandbox.description);
  const environment = sandboxFunctionEnvironment(sandbox, settings);
  const tasks = failureDrillTasks as unknown as Record<string, Handler>;
  const substitutions = Object.fromEntries(
    Object.keys(tasks).map((name) => [name, world.arn("lambda", `function:clawops-failure-drill-${name}`)]),
  );
  const lambdas = Object.fromEntries(
    Object.entries(tasks).map(([name, fn]) => [
      `clawops-failure-drill-${name}`,
      (payload: unknown) => withFunctionEnvironment(environment, () => fn(payload, lambdaContext(name))),
    ]),
  );
  const stateMachineArn = sandbox.stepFunctions.define({
    name: "failure-drill",
    definition: repo("stacks/workflows/failure-drill.asl.json"),
    substitutions,
    lambdas,
  });
  await makeClient(SSMClient).send(
    new PutParameterCommand({
      Name: failureDrillParameterName(config.stage),
      Value: stateMachineArn,
      Type: "String",
      Overwrite: true,
    }),
  );
  const restoreClock = setFailureDrillClock(() => clock.now());
  const limitMs = (2 * settings.windows.replacementSeconds + 2 * settings.windows.alarmSeconds + 600) * 1000;
  return {
    settings,
    stateMachineArn,
    async run(options = {}) {
      const printed: string[] = [];
      const output = { out: (line: string) => printed.push(line), err: (line: string) => printed.push(line) };
      const target = { stage: config.stage, sleep: (ms: number) => clock.sleep(ms), now: () => clock.now() };
      const run = await onTheClock(sandbox, runFailureDrill(target, { output, ...options }), limitMs);
      return { ...run, printed };
    },
    lastRecord: () => lastFailureDrill(sandbox.dynamo.table),
    uninstall() {
      restoreClock();
    },
  };
}

/** Every top-level Slack message about failure drill `drillId`, across the channels, oldest first. */
export function drillMessages(sandbox: Sandbox, drillId: string): SlackMessage[] {
  return (sandbox.slack.server?.channels() ?? [])
    .flatMap((c) => c.messages.filter((m) => m.text.includes(drillId)))
    .sort((a, b) => Number(a.ts) - Number(b.ts));
}

/** Logs what the drill does as it happens: its Slack posts, the stop, the alarm's state, the group's new members. */
export function watchDrill(sandbox: Sandbox, alarmName: string, timeline: Timeline): () => void {
  const before = new Set(sandbox.fleet.instances().map((i) => i.instanceId));
  const seen = new Set<string>();
  let alarm = sandbox.aws.models.cloudWatch.alarms.get(alarmName)?.StateValue;
  let cancel = () => {};
  const once = (key: string, line: string) => {
    if (!seen.has(key)) timeline.log(line);
    seen.add(key);
  };
  const look = () => {
    for (const i of sandbox.aws.models.ssm.invocations)
      if (i.commands[0] === GATEWAY_STOP_MARKER && i.status === "Success")
        once(`stop ${i.commandId}`, `${i.instanceId}: gateway stopped through SSM (systemctl stop)`);
    const state = sandbox.aws.models.cloudWatch.alarms.get(alarmName)?.StateValue;
    if (state !== alarm) timeline.log(`${alarmName}: ${alarm} -> ${state}`);
    alarm = state;
    for (const channel of sandbox.slack.server?.channels() ?? [])
      for (const m of channel.messages.filter((m) => m.text.startsWith("Failure drill")))
        once(`slack ${m.ts}`, `#${channel.name}: ${m.text}`);
    for (const i of sandbox.fleet.instances())
      if (!before.has(i.instanceId))
        once(`${i.instanceId} ${i.lifecycleState}`, `${i.instanceId}: ${i.lifecycleState}`);
    cancel = sandbox.clock.schedule(1_000, look);
  };
  look();
  return () => cancel();
}

/** What the scene checks after a passing drill, each as a problem when it does not hold. */
async function drillProblems(
  sandbox: Sandbox,
  install: { drill: FailureDrillInstall; lifecycle: LifecycleInstall; alerts: AlertsInstall },
  run: SandboxDrillRun,
): Promise<string[]> {
  const result = run.result;
  if (!result) return [`the drill ended ${run.status} without a result: ${run.error ?? ""}`];
  const victim = result.instanceId;
  const replacement = result.replacementInstanceId;
  const gate = replacement ? install.lifecycle.executionOf(replacement, "launch-gate") : undefined;
  const messages = drillMessages(sandbox, result.drillId);
  const [started, ended] = messages;
  // The alarm's own message (the earlier scenes' alarms are older than the announcement).
  const alarmPost = alarmMessages(sandbox, install.alerts).find(
    (m) => started !== undefined && Number(m.ts) > Number(started.ts),
  );
  const record = await install.drill.lastRecord();
  return [
    !run.passed &&
      `the drill did not pass: ${run.status} ${run.error ?? failureDrillSummary(result).join("; ")}`,
    sandbox.fleet.gateways?.statusOf(victim)?.running !== false && `${victim}'s gateway process still runs`,
    sandbox.fleet.instances().some((i) => i.instanceId === victim) && `${victim} is still in the group`,
    gate?.status !== "SUCCEEDED" &&
      `replacement ${replacement} not admitted by the launch gate (${gate?.status})`,
    sandbox.aws.models.cloudWatch.alarms.get(install.alerts.alarmName)?.StateValue !== "OK" && "alarm not OK",
    messages.length !== 2 && `${messages.length} Slack messages about the drill (want 2)`,
    !started?.text.startsWith("Failure drill starting") && "no start announcement",
    !ended?.text.startsWith("Failure drill passed") && `no result announcement (${announcements(sandbox)})`,
    !alarmPost && "no alarm message after the start announcement",
    !(alarmPost && ended && Number(alarmPost.ts) < Number(ended.ts)) &&
      "result not announced after the alarm",
    record?.drillId !== result.drillId && `readiness reads drill ${record?.drillId} (want ${result.drillId})`,
  ].filter((p): p is string => typeof p === "string");
}

/** What became of the drill's result events on the bus: each delivery's rule, attempt and outcome. */
function announcements(sandbox: Sandbox): string {
  const events = sandbox.events.published({ source: ["clawops"], "detail-type": ["FailureDrillCompleted"] });
  if (events.length === 0) return "FailureDrillCompleted was never published";
  const ids = new Set(events.map((e) => e.id));
  const deliveries = sandbox.events.bus.deliveries().filter((d) => ids.has(d.eventId));
  if (deliveries.length === 0) return "FailureDrillCompleted was published but matched no rule";
  return deliveries
    .map((d) => `${d.rule} attempt ${d.attempt}: ${d.outcome}${d.error ? ` ${d.error.message}` : ""}`)
    .join("; ");
}

/** Installs the three flows the drill exercises; `uninstall` removes them in reverse. */
export async function installDrillFlows(sandbox: Sandbox) {
  const lifecycle = await installLifecycle(sandbox);
  const alerts = await installAlerts(sandbox);
  const drill = await installFailureDrill(sandbox);
  return {
    lifecycle,
    alerts,
    drill,
    uninstall() {
      drill.uninstall();
      alerts.uninstall();
      lifecycle.uninstall();
    },
  };
}

/**
 * The failure drill scene: `clawops drill --failure --dry-run` shows the plan; the real drill stops one
 * gateway process through SSM and measures, on the production path, the alarm (monitor → CloudWatch), the
 * Slack delivery (the alert router), the replacement (Auto Scaling through the launch gate) and the alarm's
 * return to OK, against the configured windows; both announcements reach Slack and the record is what
 * readiness reads next.
 */
export const failureDrillScene: Scene = {
  name: "failure drill: stop a gateway, time alarm, alert and replacement",
  async run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult> {
    const flows = await installDrillFlows(sandbox);
    const stop = watchDrill(sandbox, flows.alerts.alarmName, timeline);
    try {
      await flows.lifecycle.reconcile();
      const dry = await flows.drill.run({ dryRun: true });
      timeline.log(`clawops drill --failure --dry-run: ${dry.status}`);
      for (const line of dry.printed.filter((l) => l.startsWith("would "))) timeline.log(`  ${line}`);
      const run = await flows.drill.run();
      const result = run.result;
      for (const line of result ? failureDrillSummary(result) : [run.error ?? run.status]) timeline.log(line);
      // The result's announcement goes through the router's real Slack I/O, which the clock does not wait for
      // (a delivery may also be retried on the clock): give it time before judging.
      if (result)
        await sandbox.clock.runUntil(() => drillMessages(sandbox, result.drillId).length >= 2, {
          step: 1_000,
          limitMs: 10 * 60_000,
        });
      const problems = await drillProblems(sandbox, flows, run);
      const s = result?.seconds;
      return {
        passed: dry.status === "SUCCEEDED" && problems.length === 0,
        figures: {
          "alarm s": s?.alarm ?? "-",
          "alert s": s?.alertDelivered ?? "-",
          "replacement s": s?.replacement ?? "-",
          "OK again s": s?.recovered ?? "-",
          windows: result ? Object.values(result.verdicts).join("/") : "-",
        },
        ...(problems.length ? { reason: problems.join("; ") } : {}),
      };
    } finally {
      stop();
      flows.uninstall();
    }
  },
};
