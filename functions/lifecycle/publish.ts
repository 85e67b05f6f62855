import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { caughtMessage } from "@clawops/core";
import { ClawopsDetailType } from "@clawops/core/events";
import { lambdaHandler } from "@clawops/core/handler";
import {
  abandonReason,
  completionFailedReason,
  drainFailedDetail,
  GONE_ACTION_METRIC,
  lifecycleAbandonedDetail,
} from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { putClawopsEvent } from "../clawops-event.js";
import { settingsOf } from "./lifecycle-settings.js";
import { PublishInputSchema } from "./task-input.js";

/**
 * Publish task: the clawops event a lifecycle flow ends with when it could not do its job: `LifecycleAbandoned`
 * (launch gate, with the last probe: the gate ABANDONed the launch, or the hook expired under it) or
 * `DrainFailed` (terminate drain). A completion that kept failing (`completionError`: the gate's ABANDON, the
 * drain's CONTINUE) is said in the reason, with the default result the hook expires into. The alerts path posts them. A gate that ends on LifecycleStateUnknown found its
 * action gone but never read the instance's state: its tasks left the action uncounted while they were retried, so
 * it is counted here, once, after the event is out (a PutEvents retry does not count it twice).
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(PublishInputSchema, event),
  handler: async ({ action, gate, drain, error, completionError }, { env, logger, metrics }) => {
    const caught = error ? caughtMessage(error) : undefined;
    // The settings only say which default result a failed completion leaves the hook to (read only then).
    const defaultResult = (transition: "launchDefaultResult" | "terminateDefaultResult") =>
      settingsOf(env)[transition];
    const entry =
      action.transition === "launch"
        ? {
            DetailType: ClawopsDetailType.LifecycleAbandoned,
            Detail: lifecycleAbandonedDetail(
              action,
              gate,
              completionError
                ? `${abandonReason(error, gate)}; ${completionFailedReason("ABANDON", completionError, defaultResult("launchDefaultResult"))}`
                : abandonReason(error, gate),
            ),
          }
        : {
            DetailType: ClawopsDetailType.DrainFailed,
            Detail: drainFailedDetail(
              action,
              completionError
                ? completionFailedReason("CONTINUE", completionError, defaultResult("terminateDefaultResult"))
                : (caught ?? drain?.reason ?? "drain failed"),
              drain?.commandId,
            ),
          };
    await putClawopsEvent(env, entry.DetailType, entry.Detail);
    logger.info("lifecycle event published", { detailType: entry.DetailType, instanceId: action.instanceId });
    if (error?.Error === "LifecycleStateUnknown") metrics.addMetric(GONE_ACTION_METRIC, MetricUnit.Count, 1);
    return { published: entry.DetailType };
  },
});
