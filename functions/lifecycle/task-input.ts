import type { DrainState, GateState, LifecycleAction } from "@clawops/core/lifecycle";
import * as z from "zod/mini";

/** The lifecycle action the state machines carry (`$.action`). */
export const LifecycleActionSchema = z.object({
  asgName: z.string(),
  hookName: z.string(),
  instanceId: z.string().check(z.regex(/^i-[0-9a-f]+$/)),
  token: z.optional(z.string()),
  transition: z.enum(["launch", "terminate"]),
  warmPool: z.optional(z.enum(["leaving", "entering"])),
});

// The gate's and the drain's own state: written by these functions, carried verbatim by Step Functions.
const gateState = z.custom<GateState>(
  (value) =>
    typeof value === "object" && value !== null && typeof (value as GateState).startedAt === "number",
  { message: "gate state with a numeric startedAt" },
);
const drainState = z.custom<DrainState>(
  (value) =>
    typeof value === "object" && value !== null && typeof (value as DrainState).startedAt === "number",
  { message: "drain state with a numeric startedAt" },
);
/** What a Catch puts at its ResultPath. */
const caught = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

/** Input of the gate's Probe and Heartbeat tasks (the whole execution state). */
export const GateInputSchema = z.object({
  action: LifecycleActionSchema,
  gate: z.optional(gateState),
  /** Set by the Catch after SSM never produced the probe's invocation. */
  lost: z.optional(caught),
});
export type GateInput = {
  action: LifecycleAction;
  gate?: GateState | undefined;
  lost?: z.infer<typeof caught> | undefined;
};

/** Input of the Drain task. */
export const DrainInputSchema = z.object({ action: LifecycleActionSchema, drain: z.optional(drainState) });

/** Input of the Complete task; the launch gate's Continue passes its state (whether its hook could have expired). */
export const CompleteInputSchema = z.object({
  action: LifecycleActionSchema,
  result: z.enum(["CONTINUE", "ABANDON"]),
  gate: z.optional(gateState),
});

/** Input of the Publish task: the execution state, with the error a Catch recorded if any. */
export const PublishInputSchema = z.object({
  action: LifecycleActionSchema,
  gate: z.optional(gateState),
  drain: z.optional(drainState),
  error: z.optional(caught),
  /** Set by the Catch of a completion (the gate's ABANDON, the drain's CONTINUE) that kept failing. */
  completionError: z.optional(caught),
});
