import type { GatewayEndpoint } from "../fleet/description.js";
import { judgeGatewayHealth, ProbeOutputError, parseGatewayProbe } from "./probe.js";
import { type InvocationResult, isInvocationInFlight } from "./run-command.js";

/** What the monitor remembers about one instance between runs (kept in the state table). */
export interface InstanceHealthHistory {
  /** Consecutive failed probes. */
  readonly failures: number;
  /** When the monitor first saw the instance InService (epoch ms). */
  readonly firstSeenAt: number;
  /** Monitor runs since then: with the schedule's period, an age that does not depend on the wall clock. */
  readonly runs?: number | undefined;
  /** Set once SetInstanceHealth Unhealthy succeeded, so it is not repeated every minute. */
  readonly markedUnhealthyAt?: number | undefined;
  readonly lastReason?: string | undefined;
}

/** One instance's probe in a monitor run: healthy, unhealthy, or unknown (no result this run). */
export interface MonitorProbe {
  readonly healthy: boolean | undefined;
  readonly reason: string;
}

export interface MonitorSettings {
  /** Consecutive failures before SetInstanceHealth Unhealthy. */
  readonly unhealthyAfter: number;
  /** The group's HealthCheckGracePeriod. */
  readonly gracePeriodSeconds: number;
  /** Seconds between two monitor runs (its schedule). */
  readonly periodSeconds: number;
}

export type InstanceVerdict = "healthy" | "failing" | "mark-unhealthy" | "in-grace" | "unknown";

export interface InstanceHealthDecision {
  readonly verdict: InstanceVerdict;
  readonly history: InstanceHealthHistory;
}

/**
 * The monitor's decision for one instance. A probe with no result (SSM lag) changes nothing: only answered
 * probes count. N failures in a row → `mark-unhealthy`, unless the instance is younger than the grace period
 * (`in-grace`) or was already marked. A healthy answer resets the count.
 */
export function decideInstanceHealth(
  history: InstanceHealthHistory | undefined,
  probe: MonitorProbe,
  settings: MonitorSettings,
  now: number,
): InstanceHealthDecision {
  const seen: InstanceHealthHistory = history ?? { failures: 0, firstSeenAt: now, runs: 0 };
  const age = Math.max(now - seen.firstSeenAt, (seen.runs ?? 0) * settings.periodSeconds * 1000);
  const known: InstanceHealthHistory = { ...seen, runs: (seen.runs ?? 0) + 1 };
  if (probe.healthy === undefined) return { verdict: "unknown", history: known };
  if (probe.healthy) {
    return { verdict: "healthy", history: { failures: 0, firstSeenAt: known.firstSeenAt, runs: known.runs } };
  }
  const next: InstanceHealthHistory = { ...known, failures: known.failures + 1, lastReason: probe.reason };
  if (next.failures < settings.unhealthyAfter || known.markedUnhealthyAt !== undefined) {
    return { verdict: "failing", history: next };
  }
  if (age < settings.gracePeriodSeconds * 1000) return { verdict: "in-grace", history: next };
  return { verdict: "mark-unhealthy", history: next };
}

/** One instance's probe from a ListCommandInvocations entry (or its absence: unknown). */
export function monitorProbeFromInvocation(
  result: InvocationResult | undefined,
  endpoint: GatewayEndpoint,
): MonitorProbe {
  if (!result) return { healthy: undefined, reason: "no invocation yet" };
  if (isInvocationInFlight(result)) return { healthy: undefined, reason: `probe ${result.status}` };
  if (result.status !== "Success") return { healthy: false, reason: `probe command ${result.status}` };
  try {
    const health = judgeGatewayHealth(parseGatewayProbe(result.stdout), endpoint);
    return { healthy: health.healthy, reason: health.reason };
  } catch (error) {
    if (!(error instanceof ProbeOutputError)) throw error;
    return { healthy: false, reason: error.message };
  }
}

/** Histories of the instances still InService; the rest are dropped (the group replaced them). */
export function pruneHistories(
  histories: Readonly<Record<string, InstanceHealthHistory>>,
  inService: readonly string[],
): Record<string, InstanceHealthHistory> {
  const kept: Record<string, InstanceHealthHistory> = {};
  for (const id of inService) {
    const history = histories[id];
    if (history) kept[id] = history;
  }
  return kept;
}

/** Healthy and unhealthy counts of one run; unknown probes count as neither. */
export function countVerdicts(verdicts: readonly InstanceVerdict[]): { healthy: number; unhealthy: number } {
  let healthy = 0;
  let unhealthy = 0;
  for (const verdict of verdicts) {
    if (verdict === "healthy") healthy += 1;
    else if (verdict !== "unknown") unhealthy += 1;
  }
  return { healthy, unhealthy };
}

/** The monitor function's Powertools service name: every metric it emits carries it as the `service` dimension. */
export const MONITOR_SERVICE_NAME = "lifecycle-monitor";

/** Metric names of the health monitor (namespace `Clawops`, dimension `Fleet`; per instance also `InstanceId`). */
export const MonitorMetric = {
  HealthyGateways: "HealthyGateways",
  UnhealthyGateways: "UnhealthyGateways",
  GatewayHealthy: "GatewayHealthy",
} as const;
