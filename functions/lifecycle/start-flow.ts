import { LifecycleLaunchEventSchema, LifecycleTerminateEventSchema, parseEvent } from "@clawops/core/events";
import { lambdaHandler } from "@clawops/core/handler";
import {
  actionFromDetail,
  foreignLifecycleEvent,
  lifecycleOwner,
  routeLifecycleEvent,
} from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { startFlow } from "./executions.js";
import { settingsOf } from "./lifecycle-settings.js";

const LifecycleEventSchema = z.union([LifecycleLaunchEventSchema, LifecycleTerminateEventSchema]);

/**
 * Target of the launch and terminate lifecycle rules: starts the launch gate or the drain, named after the
 * action's token so duplicate deliveries start one execution. EventBridge's Step Functions target cannot set
 * an execution name, which is why this small function exists. Every launch is gated, into the warm pool
 * as out of it; a warm-pool instance being terminated (stopped: nothing to drain) is completed at once.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: (event) => parseEvent(LifecycleEventSchema, event),
  handler: async (event, { env, logger }) => {
    const settings = settingsOf(env);
    const action = actionFromDetail(event.detail);
    const foreign = foreignLifecycleEvent(event, lifecycleOwner(settings));
    if (foreign) {
      logger.warn("lifecycle event ignored: not the fleet's", {
        reason: foreign,
        instanceId: action.instanceId,
      });
      return { route: "ignore", reason: foreign };
    }
    const route = routeLifecycleEvent(event.detail, settings.autoScalingGroupName);
    if (route === "ignore") return { route };
    if (route === "complete-without-gate") {
      // Warm-pool terminations only: the Auto Scaling client (and its XML protocol) is loaded on this path alone.
      const { completeWithoutGate } = await import("./auto-scaling.js");
      await completeWithoutGate(action, logger);
      return { route };
    }
    const arn = route === "launch-gate" ? settings.launchGateArn : settings.terminateDrainArn;
    if (!arn) throw new Error(`no state machine ARN for ${route} in CLAWOPS_SETTINGS`);
    const started = await startFlow(arn, action, Date.now());
    logger.info(
      started.duplicate ? "duplicate lifecycle event: flow already started" : "lifecycle flow started",
      {
        route,
        instanceId: action.instanceId,
        ...started,
      },
    );
    return { route, ...started };
  },
});
