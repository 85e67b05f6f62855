import { parseEvent } from "@clawops/core/events";
import { decidePreflight, drillLockSeconds, drillPlan, failureDrillNow } from "@clawops/core/failure-drill";
import { lambdaHandler } from "@clawops/core/handler";
import { alarmNow } from "./alarm-state.js";
import { acquireLock, lockHolder } from "./drill-lock.js";
import { DrillRequestSchema } from "./drill-state.js";
import { groupInstances, instanceRefreshRunning } from "./fleet-state.js";
import { settingsOf, stateTableOf } from "./settings.js";

const drillIdOf = (now: number) =>
  `fd-${new Date(now).toISOString().replace(/[-:]|\.\d+/g, "")}-${Math.random().toString(16).slice(2, 6)}`;

/**
 * Preflight task: may a drill run now, and on which gateway? Refuses with fewer than two healthy gateways,
 * while another drill holds the lock or an instance refresh runs, and while the unhealthy-gateways alarm is
 * already in ALARM (DescribeAlarms on that one alarm). A real run takes the lock; a dry run only
 * describes the plan.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => parseEvent(DrillRequestSchema, event ?? {}, "failure drill request"),
  handler: async (request, { env, logger }) => {
    const settings = settingsOf(env);
    const table = stateTableOf(env);
    const now = failureDrillNow();
    const asg = settings.autoScalingGroupName;
    const [instances, refreshing, holder, alarm] = await Promise.all([
      groupInstances(asg),
      instanceRefreshRunning(asg),
      lockHolder(table, now),
      alarmNow(settings.alarmName),
    ]);
    let preflight = decidePreflight({
      instances,
      instanceRefreshRunning: refreshing,
      otherDrillRunning: holder !== null,
      alarmState: alarm.alarmState,
      requestedInstanceId: request.instanceId,
    });
    const drillId = drillIdOf(now);
    if (preflight.decision === "go" && !request.dryRun) {
      const locked = await acquireLock(table, drillId, now, drillLockSeconds(settings.windows));
      if (!locked) preflight = { decision: "refuse", reason: "another failure drill is running" };
    }
    logger.info("failure drill preflight", { decision: preflight.decision, reason: preflight.reason });
    if (preflight.decision === "refuse") return { request, preflight };
    const drill = {
      drillId,
      startedAt: new Date(now).toISOString(),
      instanceId: preflight.instanceId,
      instancesBefore: [...preflight.instancesBefore],
    };
    return { request, preflight, drill, plan: drillPlan(settings, preflight.instanceId) };
  },
});
