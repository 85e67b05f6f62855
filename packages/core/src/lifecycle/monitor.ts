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

/**
 * One instance's probe in a monitor run: healthy, unhealthy, or unknown (no result this run, or a command SSM
 * did not run to the end: that says nothing about the gateway).
 */
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

/** `held-back`: due to be marked, but over the run's cap on marks (`limitMarks`); still counted unhealthy. */
export type InstanceVerdict = "healthy" | "failing" | "mark-unhealthy" | "held-back" | "in-grace" | "unknown";

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

/**
 * One instance's probe from a ListCommandInvocations entry (or its absence: unknown). Only a probe the gateway
 * answered counts: a command SSM could not deliver or finish (`TimedOut` with DeliveryTimedOut, `Failed`,
 * `Cancelled`, ...) or whose output does not follow the contract is unknown. The script always exits 0 and
 * prints its contract, so anything else is SSM's or the instance's trouble, and one SSM outage must not read as
 * a fleet of dead gateways.
 */
export function monitorProbeFromInvocation(
  result: InvocationResult | undefined,
  endpoint: GatewayEndpoint,
): MonitorProbe {
  if (!result) return { healthy: undefined, reason: "no invocation yet" };
  if (isInvocationInFlight(result)) return { healthy: undefined, reason: `probe ${result.status}` };
  if (result.status !== "Success") {
    return { healthy: undefined, reason: `probe command ${result.status}: SSM did not run it to the end` };
  }
  try {
    const health = judgeGatewayHealth(parseGatewayProbe(result.stdout), endpoint);
    return { healthy: health.healthy, reason: health.reason };
  } catch (error) {
    if (!(error instanceof ProbeOutputError)) throw error;
    return { healthy: undefined, reason: error.message };
  }
}

/**
 * The probe of an instance SSM refused to send it to (`InvalidInstanceId`: its agent stopped or lost its
 * registration). Such an instance cannot be probed, nor its gateway reached by anything clawops runs: it counts
 * as a failed probe, so N refusals in a row mark it like N failed probes (within `limitMarks`).
 */
export const REFUSED_PROBE: MonitorProbe = {
  healthy: false,
  reason: "SSM refused to send the probe (InvalidInstanceId: agent stopped or not registered)",
};

/** The share of InService instances one monitor run may mark Unhealthy (at least one instance). */
export const MAX_MARKED_SHARE = 0.1;

/** The fleet a run's marks are limited against. */
export interface MarkLimitFleet {
  /** InService instances. */
  readonly inService: number;
  /**
   * Instances in the group in any state but Terminated (InService, Pending*, Terminating*, Standby...): the
   * group's size whatever it is doing with them. An instance clawops marked leaves InService (Terminating:Wait)
   * before its replacement enters it (Pending:Wait), and still counts here.
   */
  readonly inGroup: number;
  /** InService instances clawops marked Unhealthy in an earlier run (the group has not replaced them yet). */
  readonly alreadyMarked: number;
  /** InService instances whose probe SSM ran this run (answered healthy or not by the gateway). */
  readonly probed: number;
}

/** A candidate the run does not mark, and why. */
export interface HeldBackMark {
  readonly instanceId: string;
  readonly reason: string;
}

/**
 * Which of a run's `mark-unhealthy` candidates are marked (in order) and which are held back. A run marks at
 * most max(1, floor(`maxShare` × InService)); never the last InService instance clawops has not marked, even
 * while the instances it marked before are Terminating and their replacements Pending (a group of one instance in
 * any state excepted: its one gateway is down and serves nothing until replaced); and nothing when SSM ran the
 * probe on no instance (it refused or could not deliver to every one: an SSM or IAM outage, not dead gateways).
 * Held-back instances stay unhealthy in the run's count, so the unhealthy-gateways alarm still fires; the next
 * run tries again.
 */
export function limitMarks(
  candidates: readonly string[],
  fleet: MarkLimitFleet,
  maxShare: number = MAX_MARKED_SHARE,
): { mark: string[]; heldBack: HeldBackMark[] } {
  const cap = Math.max(1, Math.floor(maxShare * fleet.inService));
  const unmarked = fleet.inService - fleet.alreadyMarked;
  // A group of one is one instance in the group, not one InService: an instance clawops marked earlier leaves
  // InService before its replacement enters it, and the InService count alone would let the next run mark the last.
  const keepOne = fleet.inGroup > 1 ? unmarked - 1 : unmarked;
  const budget = fleet.probed === 0 ? 0 : Math.max(0, Math.min(cap, keepOne));
  const why =
    fleet.probed === 0
      ? "SSM ran the probe on no instance this run: an SSM or IAM problem is not a fleet of dead gateways"
      : budget < cap
        ? `marking it would leave no InService instance clawops has not marked (${unmarked} of ${fleet.inService} unmarked)`
        : `over this run's cap of ${cap} mark(s) (${Math.round(maxShare * 100)}% of ${fleet.inService} InService)`;
  return {
    mark: candidates.slice(0, budget),
    heldBack: candidates.slice(budget).map((instanceId) => ({ instanceId, reason: why })),
  };
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
