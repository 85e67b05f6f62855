import { lambdaHandler } from "@clawops/core/handler";
import { decideReconcile } from "@clawops/core/lifecycle";
import { completeWithoutGate, describeGroup } from "./auto-scaling.js";
import { runningExecutionNames, startFlow } from "./executions.js";
import { settingsOf } from "./lifecycle-settings.js";

/**
 * The lifecycle reconciler (schedule): lifecycle events are best effort, so find instances waiting in
 * Pending:Wait / Terminating:Wait with no running flow and start one. It has no token: the flow completes
 * the action by instance id, which AWS allows.
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
    const running = [
      ...(await runningExecutionNames(launchGateArn)),
      ...(await runningExecutionNames(terminateDrainArn)),
    ];
    const actions = decideReconcile(group.instances, running);
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
