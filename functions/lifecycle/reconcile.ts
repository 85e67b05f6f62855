import type { Logger } from "@aws-lambda-powertools/logger";
import { lambdaHandler } from "@clawops/core/handler";
import {
  decideReconcile,
  flowHoldingInstance,
  type LifecycleSettings,
  type ReconcileAction,
  type ReconcileCandidate,
  reconcileGraceSeconds,
  withoutRecentlyChanged,
} from "@clawops/core/lifecycle";
import {
  completeWithoutGate,
  describeGroup,
  hasActiveAction,
  scalingActivityStarts,
  warmPoolInstances,
} from "./auto-scaling.js";
import { runningExecutionNames, startFlow } from "./executions.js";
import { settingsOf } from "./lifecycle-settings.js";

/**
 * The lifecycle reconciler (schedule): lifecycle events are best effort, so find instances waiting in
 * Pending:Wait / Terminating:Wait, in the group or its warm pool (Warmed:Pending:Wait / Warmed:Terminating:Wait,
 * which only DescribeWarmPool lists), with no running flow and start the flow of the clawops hook that holds the
 * instance (`flowHoldingInstance`: a warm-pool instance waits for the launch hook on its way in, for the terminate
 * hook on its way back at scale in). An instance no clawops hook holds waits on another team's hook: it is left
 * alone. It has no token: the flow completes the action by instance id, which AWS allows. An instance that began
 * launching or terminating moments ago is left to the next run: its event's flow may be starting, and
 * ListExecutions does not show it yet.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: (event) => event,
  handler: async (_event, { env, logger }) => {
    const settings = settingsOf(env);
    const { launchGateArn, terminateDrainArn } = settings;
    if (!launchGateArn || !terminateDrainArn)
      throw new Error("state machine ARNs missing in CLAWOPS_SETTINGS");
    const asgName = settings.autoScalingGroupName;
    const group = await describeGroup(asgName);
    const pool = await warmPoolInstances(asgName);
    const running = [
      ...(await runningExecutionNames(launchGateArn)),
      ...(await runningExecutionNames(terminateDrainArn)),
    ];
    const candidates = decideReconcile([...group.instances, ...pool], running);
    const { now: due, deferred } = candidates.length
      ? withoutRecentlyChanged(
          candidates,
          await scalingActivityStarts(asgName),
          Date.now(),
          reconcileGraceSeconds(settings.gate.heartbeatTimeoutSeconds),
          { periodSeconds: settings.reconcilePeriodSeconds, hookSecondsOf: shortestHook(settings) },
        )
      : { now: [], deferred: [] };
    for (const { instanceId } of deferred)
      logger.info("lifecycle action left to the next run: it began moments ago", { instanceId });
    const actions: ReconcileAction[] = [];
    const foreign: string[] = [];
    for (const candidate of due) {
      const action = await heldBy(candidate, settings, logger);
      if (action) actions.push(action);
      else foreign.push(candidate.instanceId);
    }
    if (foreign.length > 0)
      logger.info("waiting on a lifecycle hook that is not clawops': left alone", { instanceIds: foreign });
    for (const { instanceId, flow, transition, warmPool } of actions) {
      const action = {
        asgName,
        hookName: hookOf(settings, transition),
        instanceId,
        transition,
        ...(warmPool ? { warmPool } : {}),
      };
      if (flow === "complete-without-gate") await completeWithoutGate(action, logger);
      else await startFlow(flow === "launch-gate" ? launchGateArn : terminateDrainArn, action, Date.now());
      logger.warn("lifecycle action had no flow: reconciled", { instanceId, flow });
    }
    return { reconciled: actions.map((a) => `${a.instanceId}:${a.flow}`) };
  },
});

const hookOf = (settings: LifecycleSettings, transition: "launch" | "terminate") =>
  transition === "launch" ? settings.launchHookName : settings.terminateHookName;

/**
 * The flow of the clawops hook that holds the candidate, asked of the hooks themselves. When AWS will not say
 * (throttled, failing), the candidate's first flow is started as before this check: that flow heartbeats its hook
 * first and ends quietly if it finds no action there, and the next run asks again.
 */
async function heldBy(
  candidate: ReconcileCandidate,
  settings: LifecycleSettings,
  logger: Pick<Logger, "warn">,
): Promise<ReconcileAction | undefined> {
  const { instanceId } = candidate;
  try {
    return await flowHoldingInstance(candidate, (transition) =>
      hasActiveAction({
        asgName: settings.autoScalingGroupName,
        hookName: hookOf(settings, transition),
        instanceId,
        transition,
      }),
    );
  } catch (error) {
    const [first] = candidate.flows;
    if (!first) return undefined;
    logger.warn("could not ask the hooks which holds the instance: starting its first flow", {
      instanceId,
      error,
    });
    return { instanceId, ...first };
  }
}

/**
 * The hook timeout a candidate's deferral must respect: the shortest of the hooks that may hold it, unknown
 * (no deferral) when any of them is.
 */
function shortestHook(settings: LifecycleSettings) {
  return (candidate: ReconcileCandidate): number | undefined => {
    const seconds = candidate.flows.map((f) =>
      f.transition === "launch" ? settings.gate.heartbeatTimeoutSeconds : settings.terminateHeartbeatSeconds,
    );
    return seconds.some((s) => s === undefined) ? undefined : Math.min(...(seconds as number[]));
  };
}
