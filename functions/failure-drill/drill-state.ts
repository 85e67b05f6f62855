import { caughtMessage } from "@clawops/core";
import { Ec2InstanceIdSchema } from "@clawops/core/events";
import {
  type DrillProgress,
  type FailureDrillResult,
  type GatewayRestart,
  type ObserveNext,
  restartFailed,
} from "@clawops/core/failure-drill";
import * as z from "zod/mini";

/** What the operator (or the schedule) starts the state machine with. */
export const DrillRequestSchema = z.object({
  /** Stop this instance's gateway instead of the first healthy one: an EC2 instance id (8 or 17 hex digits). */
  instanceId: z.optional(Ec2InstanceIdSchema),
  /** Decide and describe, change nothing. */
  dryRun: z.optional(z.boolean()),
});
export type DrillRequest = z.infer<typeof DrillRequestSchema>;

/** The drill that preflight allowed: its id, start, victim and the group's instances before the stop. */
export const DrillSchema = z.object({
  drillId: z.string(),
  startedAt: z.string(),
  instanceId: z.string(),
  instancesBefore: z.array(z.string()),
});
export type Drill = z.infer<typeof DrillSchema>;

// Written by these functions, carried verbatim by Step Functions.
const progress = z.custom<DrillProgress>(
  (value) =>
    typeof value === "object" && value !== null && typeof (value as DrillProgress).stoppedAt === "number",
  { message: "drill progress with a numeric stoppedAt" },
);
const result = z.custom<FailureDrillResult>(
  (value) =>
    typeof value === "object" && value !== null && typeof (value as FailureDrillResult).passed === "boolean",
  { message: "a failure drill result" },
);
/** What a Catch puts at its ResultPath. */
const caught = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
const restart = z.object({
  outcome: z.enum(["restarted", "instance-gone", "start-queued", "failed"]),
  reason: z.nullable(z.string()),
});

/**
 * The restore's progress: the start command sent (`pending` until its invocation ended, read once per
 * `checks`), then how it went (`restart`).
 */
export const RestoreSchema = z.object({
  pending: z.boolean(),
  commandId: z.optional(z.string()),
  checks: z.number(),
  restart: z.optional(restart),
});
export type Restore = z.infer<typeof RestoreSchema> & { restart?: GatewayRestart | undefined };

/** The execution state after preflight allowed the drill (each Task gets and returns all of it). */
export const DrillStateSchema = z.looseObject({
  request: DrillRequestSchema,
  drill: DrillSchema,
  stop: z.optional(z.object({ commandId: z.string() })),
  progress: z.optional(progress),
  observe: z.optional(
    z.object({ next: z.enum(["observe", "record", "abort", "stop-failed"]), reason: z.string() }),
  ),
  restore: z.optional(RestoreSchema),
  result: z.optional(result),
  /** The error that sent the drill down the error path (RestoreAfterError, AnnounceErrored, Errored). */
  error: z.optional(caught),
  /** The restore task itself failed (after its retries). */
  restoreError: z.optional(caught),
});
export type DrillState = z.infer<typeof DrillStateSchema> & {
  progress?: DrillProgress | undefined;
  observe?: { next: ObserveNext; reason: string } | undefined;
  result?: FailureDrillResult | undefined;
};

/** What became of the gateway's restart: the restore's outcome, or its own failure; null when none ran. */
export function restartOf(state: DrillState): GatewayRestart | null {
  if (state.restoreError) return restartFailed(`the restore failed: ${caughtMessage(state.restoreError)}`);
  return state.restore?.restart ?? null;
}
