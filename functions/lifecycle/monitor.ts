import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { lambdaHandler } from "@clawops/core/handler";
import {
  countVerdicts,
  decideInstanceHealth,
  InstanceInGracePeriod,
  type InstanceVerdict,
  MonitorMetric,
  monitorProbeFromInvocation,
  pruneHistories,
} from "@clawops/core/lifecycle";
import { describeGroup, markUnhealthy } from "./auto-scaling.js";
import { probeFleet, type Sleep } from "./fleet-probe.js";
import { loadHistories, saveHistories } from "./health-history.js";
import { settingsOf } from "./lifecycle-settings.js";

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The gateway health monitor (schedule, every minute): probe every InService instance, count healthy and
 * unhealthy gateways, and after N failures in a row mark the instance Unhealthy so the group replaces it:
 * the group's health check is against the gateway, not the instance.
 */
export function createMonitorHandler(options: { sleep?: Sleep } = {}) {
  const sleep = options.sleep ?? realSleep;
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
      const histories = pruneHistories(await loadHistories(env, asg), inService);
      const gatewayHealth: Record<string, 0 | 1> = {};
      const results = await probeFleet(inService, settings.gateway, sleep);
      const decisionSettings = { ...settings.monitor, gracePeriodSeconds: group.gracePeriodSeconds };
      const verdicts: InstanceVerdict[] = [];
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
          logger.warn(
            marked
              ? "gateway unhealthy: instance marked Unhealthy"
              : "gateway unhealthy inside the grace period",
            { instanceId, failures: history.failures, reason: probe.reason },
          );
        }
        histories[instanceId] = history;
        verdicts.push(verdict);
        if (probe.healthy !== undefined) gatewayHealth[instanceId] = probe.healthy ? 1 : 0;
      }
      await saveHistories(env, asg, histories, Date.now());
      const counts = countVerdicts(verdicts);
      metrics.addDimension("Fleet", settings.fleetName);
      // Per-instance health rides in the EMF line as a property, not a dimension: searchable in Logs Insights
      // without a custom metric per instance ($0.30 a month each, and instances come and go).
      metrics.addMetadata("gatewayHealth", JSON.stringify(gatewayHealth));
      metrics.addMetric(MonitorMetric.HealthyGateways, MetricUnit.Count, counts.healthy);
      metrics.addMetric(MonitorMetric.UnhealthyGateways, MetricUnit.Count, counts.unhealthy);
      logger.info("gateway health monitor run", { asg, inService: inService.length, ...counts });
      return {
        inService: inService.length,
        ...counts,
        marked: verdicts.filter((v) => v === "mark-unhealthy").length,
      };
    },
  });
}

/** The deployed monitor. */
export const handler = createMonitorHandler();
