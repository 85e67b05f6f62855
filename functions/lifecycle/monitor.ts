import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { lambdaHandler } from "@clawops/core/handler";
import type { InvocationResult, LifecycleSettings } from "@clawops/core/lifecycle";
import {
  countVerdicts,
  decideInstanceHealth,
  type InstanceHealthHistory,
  InstanceInGracePeriod,
  type InstanceVerdict,
  MonitorMetric,
  monitorProbeFromInvocation,
  pruneHistories,
} from "@clawops/core/lifecycle";
import { describeGroup, markUnhealthy } from "./auto-scaling.js";
import { collectFleetProbe, sendFleetProbe } from "./fleet-probe.js";
import { loadMonitorState, type PendingProbe, saveMonitorState } from "./health-history.js";
import { settingsOf } from "./lifecycle-settings.js";

/**
 * The custom metrics the monitor publishes (namespace `Clawops`, dimensions service and Fleet): the one the
 * unhealthy-gateways alarm reads. Each is $0.30 a month (bench/cost.ts counts this list).
 */
export const MONITOR_METRICS = [MonitorMetric.UnhealthyGateways] as const;

/** A probe older than this many periods (the schedule stopped for a while) says nothing about now. */
const STALE_AFTER_PERIODS = 5;

/** What the monitor can be given besides its environment. */
export interface MonitorOptions {
  /** Epoch ms; the sandbox passes its clock. @default Date.now */
  readonly now?: () => number;
}

/** The command ids of the last run's probe, unless it is too old to describe the fleet now. */
function freshCommandIds(pending: PendingProbe | undefined, periodSeconds: number, now: number): string[] {
  if (!pending || now - pending.sentAt > STALE_AFTER_PERIODS * periodSeconds * 1000) return [];
  return [...pending.commandIds];
}

/**
 * The gateway health monitor (schedule, every minute): collect the probe the previous run sent, count healthy
 * and unhealthy gateways, after N failures in a row mark the instance Unhealthy so the group replaces it (the
 * group's health check is against the gateway, not the instance), then send this run's probe for the next run
 * to collect. Nothing waits for the bounded probe script: a run lasts its few AWS calls (bench/cost.ts).
 */
export function createMonitorHandler(options: MonitorOptions = {}) {
  const clock = options.now ?? Date.now;
  return lambdaHandler({
    kind: "event",
    parse: (event) => event,
    handler: async (_event, { env, logger, metrics }) => {
      const settings = settingsOf(env);
      const asg = settings.autoScalingGroupName;
      const group = await describeGroup(asg);
      const inService = group.instances
        .filter((i) => i.lifecycleState === "InService")
        .map((i) => i.instanceId);
      const state = await loadMonitorState(env, asg);
      const histories = pruneHistories(state.histories, inService);
      const pending = freshCommandIds(state.pending, settings.monitor.periodSeconds, clock());
      const results = await collectFleetProbe(pending);
      const judged = await judgeFleet(inService, histories, results, settings, group.gracePeriodSeconds);
      for (const { instanceId, marked, history, reason } of judged.marks)
        logger.warn(
          marked
            ? "gateway unhealthy: instance marked Unhealthy"
            : "gateway unhealthy inside the grace period",
          { instanceId, failures: history.failures, reason },
        );
      const sentAt = clock();
      const commandIds = await sendFleetProbe(inService, settings.gateway);
      await saveMonitorState(env, asg, { histories, pending: { commandIds, sentAt } }, clock());
      const counts = countVerdicts(judged.verdicts);
      metrics.addDimension("Fleet", settings.fleetName);
      // Per-instance health and the healthy count ride in the EMF line as properties: searchable in Logs Insights
      // without a custom metric each ($0.30 a month); the alarm needs only the unhealthy count.
      metrics.addMetadata("gatewayHealth", JSON.stringify(judged.gatewayHealth));
      metrics.addMetadata("healthyGateways", String(counts.healthy));
      metrics.addMetric(MonitorMetric.UnhealthyGateways, MetricUnit.Count, counts.unhealthy);
      logger.info("gateway health monitor run", { asg, inService: inService.length, ...counts });
      return {
        inService: inService.length,
        ...counts,
        marked: judged.verdicts.filter((v) => v === "mark-unhealthy").length,
      };
    },
  });
}

/** Decides every instance from its probe result (updating `histories`) and marks those that reached N. */
async function judgeFleet(
  inService: readonly string[],
  histories: Record<string, InstanceHealthHistory>,
  results: ReadonlyMap<string, InvocationResult>,
  settings: LifecycleSettings,
  gracePeriodSeconds: number,
) {
  const decisionSettings = { ...settings.monitor, gracePeriodSeconds };
  const verdicts: InstanceVerdict[] = [];
  const gatewayHealth: Record<string, 0 | 1> = {};
  const marks: { instanceId: string; marked: boolean; history: InstanceHealthHistory; reason: string }[] = [];
  for (const instanceId of inService) {
    const now = Date.now();
    const probe = monitorProbeFromInvocation(results.get(instanceId), settings.gateway);
    let { verdict, history } = decideInstanceHealth(histories[instanceId], probe, decisionSettings, now);
    if (verdict === "mark-unhealthy") {
      const marked = await markUnhealthy(instanceId).then(
        () => true,
        (error: unknown) => {
          if (error instanceof InstanceInGracePeriod) return false;
          throw error;
        },
      );
      if (marked) history = { ...history, markedUnhealthyAt: now };
      else verdict = "in-grace";
      marks.push({ instanceId, marked, history, reason: probe.reason });
    }
    histories[instanceId] = history;
    verdicts.push(verdict);
    if (probe.healthy !== undefined) gatewayHealth[instanceId] = probe.healthy ? 1 : 0;
  }
  return { verdicts, gatewayHealth, marks };
}

/** The deployed monitor. */
export const handler = createMonitorHandler();
