import { lambdaHandler } from "@clawops/core/handler";
import { decideReconcile, reconcileGraceSeconds, withoutRecentlyChanged } from "@clawops/core/lifecycle";
import {
  completeWithoutGate,
  describeGroup,
  scalingActivityStarts,
  warmPoolInstances,
} from "./auto-scaling.js";
import { runningExecutionNames, startFlow } from "./executions.js";
import { settingsOf } from "./lifecycle-settings.js";

/**
 * The lifecycle reconciler (schedule): lifecycle events are best effort, so find instances waiting in
 * Pending:Wait / Terminating:Wait, in the group or its warm pool (Warmed:Pending:Wait / Warmed:Terminating:Wait,
 * which only DescribeWarmPool lists), with no running flow and start one. It has no token: the flow completes
 * the action by instance id, which AWS allows. An instance that began launching or terminating moments ago is
 * left to the next run: its event's flow may be starting, and ListExecutions does not show it yet.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: (event) => event,
  handler: async (_event, { env, logger }) => {
    const settings = settingsOf(env);
    const { launchGateArn, terminateDrainArn } = settings;
    if (!launchGateArn || !terminateDrainArn)
      throw new Error("state machine ARNs missing in CLAWOPS_SETTINGS");
    const group = await describeGroup(settings.autoScalingGroupName);
    const pool = await warmPoolInstances(settings.autoScalingGroupName);
    const running = [
      ...(await runningExecutionNames(launchGateArn)),
      ...(await runningExecutionNames(terminateDrainArn)),
    ];
    const candidates = decideReconcile([...group.instances, ...pool], running);
    const { now: actions, deferred } = candidates.length
      ? withoutRecentlyChanged(
          candidates,
          await scalingActivityStarts(settings.autoScalingGroupName),
          Date.now(),
          reconcileGraceSeconds(settings.gate.heartbeatTimeoutSeconds),
          {
            periodSeconds: settings.reconcilePeriodSeconds,
            hookSecondsOf: (action) =>
              action.transition === "launch"
                ? settings.gate.heartbeatTimeoutSeconds
                : settings.terminateHeartbeatSeconds,
          },
        )
      : { now: [], deferred: [] };
    for (const { instanceId } of deferred)
      logger.info("lifecycle action left to the next run: it began moments ago", { instanceId });
    for (const { instanceId, flow, transition } of actions) {
      const hookName = transition === "launch" ? settings.launchHookName : settings.terminateHookName;
      const action = { asgName: settings.autoScalingGroupName, hookName, instanceId, transition };
      if (flow === "complete-without-gate") await completeWithoutGate(action, logger);
      else await startFlow(flow === "launch-gate" ? launchGateArn : terminateDrainArn, action, Date.now());
      logger.warn("lifecycle action had no flow: reconciled", { instanceId, flow });
    }
    return { reconciled: actions.map((a) => `${a.instanceId}:${a.flow}`) };
  },
});
