import { lambdaHandler } from "@clawops/core/handler";
import {
  decideGateStep,
  type GateState,
  GateStep,
  gateAfterWait,
  gatewayRestDue,
  gatewayResumeDue,
  hookCouldHaveExpired,
  LifecycleActionGone,
  type ProbeOutcome,
  startGateWithoutHeartbeat,
  WARM_POOL_ENTRY_WAIT,
} from "@clawops/core/lifecycle";
import * as z from "zod/mini";
import { lifecycleStateOf, reportGoneAction } from "./auto-scaling.js";
import { readGatewayProbe, sendGatewayProbe } from "./gateway-probe.js";
import { settingsOf } from "./lifecycle-settings.js";
import { type GateInput, GateInputSchema } from "./task-input.js";
import { restGateway, resumeGateway } from "./warm-pool-gateway.js";

/**
 * Launch gate, Probe task. One call does one step of a probe: send it (then `next: read`), read it (again
 * `read` while it runs), and once it has an outcome, decide the gate's next step. The state machine carries
 * the returned state into the next call. The gate arrives started by its opening heartbeat; without it (that
 * heartbeat failed) the gate starts here and heartbeats after its first probe. Warm pools (`warm-pool.ts`): for an
 * instance leaving the pool each probe is preceded by a start of the gateway unit until the gateway answers
 * healthy; an instance entering the pool has its healthy gateway stopped before the gate CONTINUEs.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(GateInputSchema, event),
  handler: async ({ action, gate: previous, lost }: GateInput, { env, logger, metrics }) => {
    const settings = settingsOf(env);
    const now = Date.now();
    const gate: GateState = previous
      ? gateAfterWait(previous)
      : startGateWithoutHeartbeat(now, settings.gate);
    let outcome: ProbeOutcome | undefined;
    if (lost) {
      // A Catch after the retries: SSM never produced the invocation, or AWS kept failing (throttling, 5xx, a
      // Lambda timeout). A lost probe is not healthy; it counts toward the deadline like any other.
      outcome = {
        kind: "no-answer",
        reason:
          lost.Error === "ProbeNotReady"
            ? "SSM never returned the probe's invocation"
            : `the probe failed after retries (${lost.Error})`,
        output: lost.Cause ?? lost.Error,
      };
    } else if (!gate.pendingCommandId) {
      // An instance leaving the warm pool has its gateway stopped (on its way in, or drained at scale in): start
      // it before probing, within the same deadline.
      if (gatewayResumeDue(action, gate))
        await resumeGateway(action.instanceId, settings.drain.serviceName, logger);
      const sent = await sendGatewayProbe(action.instanceId, action.asgName, settings.gateway);
      if (typeof sent === "string")
        return { action, gate: { ...gate, pendingCommandId: sent, reads: 0, next: "read" } };
      outcome = sent;
    } else {
      outcome = await readGatewayProbe(
        gate.pendingCommandId,
        action.instanceId,
        settings.gateway,
        gate.reads,
      );
      if (!outcome) return { action, gate: { ...gate, reads: gate.reads + 1, next: "read" } };
    }
    const decision = decideGateStep(gate, outcome, now, settings.gate);
    // A pooled instance is standby capacity: its gateway, installed and healthy, stops before the CONTINUE. Only
    // while it still waits to enter the pool: another gate of the same entry (the reconciler's and the event's
    // can both run) may have admitted it, and it may have left the pool since, its gateway serving; or the hook
    // expired. This gate's action is then gone (a token-less one would otherwise complete the instance's exit
    // action), judged as the Complete task judges one: quiet when another gate admitted the instance,
    // LifecycleHookExpired (published) when the hook could have expired.
    if (decision.step === GateStep.Continue && gatewayRestDue(action)) {
      const lifecycleState = await lifecycleStateOf(action.instanceId, action.asgName);
      if (lifecycleState !== WARM_POOL_ENTRY_WAIT) {
        const judgement = {
          hookCouldHaveExpired: hookCouldHaveExpired(gate, now, settings.gate),
          known: { lifecycleState },
        };
        const gone = new LifecycleActionGone(action.instanceId);
        throw await reportGoneAction(action, gone, judgement, { logger, metrics });
      }
      await restGateway(action.instanceId, settings.drain.serviceName, logger);
    }
    logger.info("launch gate probe", {
      instanceId: action.instanceId,
      outcome: outcome.kind,
      step: decision.step,
      reason: decision.reason,
    });
    return { action, gate: decision.state };
  },
});
