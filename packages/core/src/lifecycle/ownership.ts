import type { LifecycleSettings } from "./settings.js";

/** Whose lifecycle actions the flow starter handles: one group, its two hooks, in one account and region. */
export interface LifecycleOwner {
  readonly asgName: string;
  readonly hookNames: readonly string[];
  /** Unknown (empty) when the function has no state machine ARN to read it from: not checked then. */
  readonly account: string;
  readonly region: string;
}

/** The envelope and detail fields that say whose an action is. */
export interface LifecycleEventOrigin {
  readonly account: string;
  readonly region: string;
  readonly detail: { readonly AutoScalingGroupName: string; readonly LifecycleHookName: string };
}

/**
 * The owner of the flow starter: the fleet's group and hooks from its settings, the account and region from
 * the ARN of the state machine it starts (it lives next to the function: `arn:aws:states:<region>:<account>:...`).
 */
export function lifecycleOwner(settings: LifecycleSettings): LifecycleOwner {
  const [, , , region = "", account = ""] = (
    settings.launchGateArn ??
    settings.terminateDrainArn ??
    ""
  ).split(":");
  return {
    asgName: settings.autoScalingGroupName,
    hookNames: [settings.launchHookName, settings.terminateHookName],
    account,
    region,
  };
}

/**
 * Why a lifecycle event is not the flow's to act on, or `undefined` when it is. The rules match the fleet's
 * group by name only, so the starter checks the rest itself:
 * - another group: a rule edited by hand;
 * - another hook on the fleet's group: another tool's (an imported fleet may have its own); completing its
 *   action would cut that tool short;
 * - another account or region: a group of the same name elsewhere, whose events reach this bus through a
 *   cross-account or cross-region rule; its instance is not one the flow can probe or complete.
 */
export function foreignLifecycleEvent(
  event: LifecycleEventOrigin,
  owner: LifecycleOwner,
): string | undefined {
  const { AutoScalingGroupName: group, LifecycleHookName: hook } = event.detail;
  if (group !== owner.asgName) return `another group's action (${group})`;
  if (!owner.hookNames.includes(hook)) return `another hook's action (${hook}), not one of the fleet's hooks`;
  if (owner.account && event.account !== owner.account) return `another account's group (${event.account})`;
  if (owner.region && event.region !== owner.region) return `another region's group (${event.region})`;
  return undefined;
}
