import type { EventPattern } from "@clawops/core/events";
import { launchLifecyclePattern, terminateLifecyclePattern } from "@clawops/core/events";
import { handler as startFlow } from "./start-flow.js";

/** One EventBridge route of the lifecycle flow: the stack deploys it, the sandbox bus matches with it. */
export interface LifecycleRoute {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly target: typeof startFlow;
}

/**
 * The lifecycle flow's rules for the fleet's group: launch and terminate actions go to the flow starter, which
 * starts the launch gate or the drain with an execution name derived from the action's token.
 */
export function lifecycleRoutes(asgName: string): LifecycleRoute[] {
  return [
    { id: "LaunchLifecycleAction", pattern: launchLifecyclePattern(asgName), target: startFlow },
    { id: "TerminateLifecycleAction", pattern: terminateLifecyclePattern(asgName), target: startFlow },
  ];
}
