import { lambdaHandler } from "@clawops/core/handler";
import { hookCouldHaveExpired, LifecycleActionGone } from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { completeAction, reportGoneAction } from "./auto-scaling.js";
import { settingsOf } from "./lifecycle-settings.js";
import { CompleteInputSchema } from "./task-input.js";

/**
 * Complete task (launch gate and drain): CompleteLifecycleAction with the token, or the instance id when the
 * reconciler started the flow. Idempotent by construction: a second completion finds no active action and
 * fails with LifecycleActionGone, which is reported here (log + metric, see `reportGoneAction`) and caught by
 * the state machine, never retried. A launch CONTINUE that finds its action gone is told apart by the instance's
 * state: admitted by another gate or waiting on another hook (LifecycleActionGone, quiet), ABANDONed by AWS when
 * the hook expired (LifecycleHookExpired, which the gate publishes; only when the gate's state, passed by the
 * Continue state, says the hook could have expired: an instance a scale in terminated under the gate is logged at
 * info and ends the gate quietly), or unknown when the state cannot be read
 * (LifecycleStateUnknown: retried, then published with that reason). A launch ABANDON that finds its action gone
 * is told apart the same way: an instance on its way out means the launch was refused already (by this gate's
 * earlier attempt whose answer was lost, another gate's ABANDON, or the hook's timeout: LaunchAlreadyAbandoned,
 * which the gate publishes), an admitted or waiting one that another gate completed it (LifecycleActionGone,
 * quiet); an ABANDON of an instance the gate saw leave the group (its last probe `instance-gone`) is judged as a
 * CONTINUE is, by the gate's clock (a scale in stays quiet). A drain's CONTINUE found gone needs no look.
 * ResourceContention and throttling are retried by the state machine.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(CompleteInputSchema, completeInput(event)),
  handler: async ({ action, result, gate }, { env, logger, metrics }) => {
    const now = Date.now();
    try {
      await completeAction(action, result);
    } catch (error) {
      if (!(error instanceof LifecycleActionGone)) throw error;
      // A drain's CONTINUE that finds the action gone needs no look: the instance leaves either way.
      const explain =
        action.transition === "launch" &&
        (result === "ABANDON" && gate?.lastProbe?.status !== "instance-gone"
          ? { result }
          : { hookCouldHaveExpired: hookCouldHaveExpired(gate, now, settingsOf(env).gate) });
      throw await reportGoneAction(action, error, explain, { logger, metrics }, { result });
    }
    logger.info("lifecycle action completed", {
      instanceId: action.instanceId,
      transition: action.transition,
      result,
    });
    return { completed: true, result };
  },
});

/**
 * The task's input with the gate's state lifted out of `execution`: the gate's Abandon passes its whole execution
 * state there, as a gate whose opening heartbeat and first probe both failed has no `$.gate` (a Parameters path to a
 * missing field would fail the execution).
 */
function completeInput(event: unknown): unknown {
  const { execution, ...input } = event as { execution?: { gate?: unknown } };
  return { gate: execution?.gate, ...input };
}
