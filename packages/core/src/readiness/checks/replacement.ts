import type { FailureDrillRecord, ScalingActivity } from "../evidence.js";

/**
 * One observed replacement: when the unhealthy instance was taken out, and how long until its successor served;
 * `null` seconds when a failure drill waited past its window and no successor came.
 */
export interface ObservedReplacement {
  readonly at: string;
  readonly seconds: number | null;
  readonly source: "failure drill" | "scaling activity";
}

const HEALTH_CAUSE = /health[- ]?check|unhealthy/i;

/**
 * The last replacement seen in the group's scaling activities: a termination caused by a health check, paired
 * with the first successful launch that started after it. A launch activity ends when the instance is InService
 * (after the launch hook), which is exactly "a new InService instance".
 */
export function lastReplacementFromActivities(
  activities: readonly ScalingActivity[],
): ObservedReplacement | undefined {
  const sorted = [...activities].sort((a, b) => a.startTime.localeCompare(b.startTime));
  let found: ObservedReplacement | undefined;
  sorted.forEach((activity, index) => {
    if (!/^Terminating EC2 instance/i.test(activity.description) || !HEALTH_CAUSE.test(activity.cause))
      return;
    const launch = sorted
      .slice(index + 1)
      .find(
        (a) =>
          /^Launching a new EC2 instance/i.test(a.description) && a.statusCode === "Successful" && a.endTime,
      );
    if (!launch?.endTime) return;
    found = {
      at: activity.startTime,
      seconds: Math.round((Date.parse(launch.endTime) - Date.parse(activity.startTime)) / 1000),
      source: "scaling activity",
    };
  });
  return found;
}

/**
 * The latest of the failure drill's result and the last replacement seen in scaling activities. A drill that saw
 * no replacement is a result too: an older replacement in the activities does not outweigh it.
 */
export function lastObservedReplacement(
  drill: FailureDrillRecord | null,
  activities: readonly ScalingActivity[],
): ObservedReplacement | undefined {
  const fromDrill: ObservedReplacement | undefined = drill
    ? { at: drill.at, seconds: drill.replacementSeconds, source: "failure drill" }
    : undefined;
  const fromActivities = lastReplacementFromActivities(activities);
  if (!fromDrill) return fromActivities;
  if (!fromActivities) return fromDrill;
  return fromActivities.at > fromDrill.at ? fromActivities : fromDrill;
}
