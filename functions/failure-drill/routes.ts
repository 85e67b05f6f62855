import type { EventPattern } from "@clawops/core/events";

/** One EventBridge route of the failure drill: the stack deploys it, the sandbox bus matches with it. */
export interface FailureDrillRoute {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly target: { readonly stateMachine: "failure-drill.asl.json" };
}

/**
 * The failure drill reacts to no event: it starts on demand (`clawops drill --failure`) or on the optional
 * `failureDrill.schedule` (a schedule rule, not a pattern). Its results travel as clawops events, which the
 * alerts path's own routes deliver. The list exists so the sandbox wires every flow the same way.
 */
export function failureDrillRoutes(): FailureDrillRoute[] {
  return [];
}
