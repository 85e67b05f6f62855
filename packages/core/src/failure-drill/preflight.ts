/** One instance of the fleet's group as DescribeAutoScalingGroups lists it. */
export interface GroupInstance {
  readonly instanceId: string;
  /** `InService`, `Pending`, `Pending:Wait`, `Terminating`, ... */
  readonly lifecycleState: string;
  /** `Healthy` or `Unhealthy`. */
  readonly healthStatus: string;
}

/** What the preflight knows about the fleet when it decides. */
export interface FleetSituation {
  readonly instances: readonly GroupInstance[];
  /** An instance refresh is Pending, InProgress, Cancelling or rolling back. */
  readonly instanceRefreshRunning: boolean;
  /** Another failure drill holds the drill lock. */
  readonly otherDrillRunning: boolean;
  /**
   * The unhealthy-gateways alarm's state right now (DescribeAlarms): `OK`, `ALARM`, `INSUFFICIENT_DATA`, or
   * `MISSING` when the alarm does not exist.
   */
  readonly alarmState: string;
  /** The operator asked for this instance (`clawops drill --failure --instance i-...`). */
  readonly requestedInstanceId?: string | undefined;
}

/** The preflight's verdict: the victim and the group as it was, or why the drill may not run. */
export type PreflightDecision =
  | {
      readonly decision: "go";
      readonly instanceId: string;
      /** Every instance of the group before the stop: a replacement is an InService instance not in here. */
      readonly instancesBefore: readonly string[];
      readonly healthyBefore: number;
      readonly reason: string;
    }
  | { readonly decision: "refuse"; readonly reason: string };

/** Fewer healthy gateways than this and stopping one could take the service down. */
export const MIN_HEALTHY_GATEWAYS = 2;

/** Instance refresh statuses during which the group is already replacing instances. */
export const RUNNING_REFRESH_STATUSES: readonly string[] = [
  "Pending",
  "InProgress",
  "Cancelling",
  "RollbackInProgress",
  "Baking",
];

const isHealthy = (i: GroupInstance) => i.lifecycleState === "InService" && i.healthStatus === "Healthy";

/**
 * Picks the gateway the drill stops: an InService, healthy instance, never the last healthy one. Refuses
 * while another drill or an instance refresh runs (two replacements at once would measure neither), when
 * fewer than two gateways are healthy, and while the unhealthy-gateways alarm is already in ALARM: a gateway
 * is failing that Auto Scaling does not call Unhealthy yet, the one the drill stops may be the last one
 * serving, and an alarm that fired before the stop proves nothing about it. Without a requested instance it takes the first by id, so the choice
 * is stable and a dry run shows what the real run will do.
 */
export function decidePreflight(situation: FleetSituation): PreflightDecision {
  if (situation.otherDrillRunning) return { decision: "refuse", reason: "another failure drill is running" };
  if (situation.instanceRefreshRunning)
    return { decision: "refuse", reason: "an instance refresh is running on the group" };
  if (situation.alarmState === "ALARM")
    return {
      decision: "refuse",
      reason:
        "the unhealthy-gateways alarm is already in ALARM: a gateway is failing now, stopping another could take the service down",
    };
  if (situation.alarmState === "MISSING")
    return {
      decision: "refuse",
      reason: "the unhealthy-gateways alarm does not exist: nothing could time it",
    };
  const healthy = situation.instances
    .filter(isHealthy)
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  if (healthy.length < MIN_HEALTHY_GATEWAYS)
    return {
      decision: "refuse",
      reason: `only ${healthy.length} healthy gateway${healthy.length === 1 ? "" : "s"}; a drill needs at least ${MIN_HEALTHY_GATEWAYS} so one keeps serving`,
    };
  const requested = situation.requestedInstanceId;
  const victim = requested ? healthy.find((i) => i.instanceId === requested) : healthy[0];
  if (!victim)
    return {
      decision: "refuse",
      reason: `${requested} is not an InService, healthy instance of the group`,
    };
  return {
    decision: "go",
    instanceId: victim.instanceId,
    instancesBefore: situation.instances.map((i) => i.instanceId),
    healthyBefore: healthy.length,
    reason: `stop the gateway on ${victim.instanceId}; ${healthy.length - 1} healthy gateway${healthy.length === 2 ? "" : "s"} keep serving`,
  };
}
