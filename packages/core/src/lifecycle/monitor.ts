import type { GatewayEndpoint } from "../fleet/description.js";
import { judgeGatewayHealth, ProbeOutputError, parseGatewayProbe } from "./probe.js";
import { type InvocationResult, isExecutionTimedOut, isInvocationInFlight } from "./run-command.js";

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
  /**
   * Consecutive runs its probe said nothing (unknown) while SSM answered for the fleet (`ssmAnsweredFleet`);
   * a run where SSM answered too few instances leaves it as it is. Absent when 0.
   */
  readonly silentRuns?: number | undefined;
}

/**
 * One instance's probe in a monitor run: healthy, unhealthy, or unknown (no result this run, or a command SSM
 * did not run to the end: that says nothing about the gateway).
 */
export interface MonitorProbe {
  readonly healthy: boolean | undefined;
  readonly reason: string;
  /**
   * True when the last run's commands hold no invocation for the instance: it was not probed (InService since
   * that run, or no probe to collect). Its silence says nothing, unlike a probe SSM holds that said nothing.
   */
  readonly notProbed?: true | undefined;
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
  /** The probe as counted: an unknown one becomes a failed one once the instance has been silent too long. */
  readonly probe: MonitorProbe;
}

/**
 * The silent run (its probe unknown while SSM answered for the fleet) from which an instance's silence counts:
 * that run and each further silent one count as a failed probe. A run that did not probe the instance (a new
 * instance's first run: no probe was sent to it yet) is not silent. Three tolerate an SSM agent restarting or
 * updating itself (a minute or two), yet a host too hung for its agent to take or report a command is counted
 * unhealthy (and alarmed on) from its third silent run and marked at its fifth with `unhealthyAfter` 3.
 */
export const SILENT_RUNS_BEFORE_FAILING = 3;

/**
 * The monitor's decision for one instance. A probe with no result (SSM lag) changes nothing: only answered
 * probes count, with one exception: an instance whose probe says nothing for `SILENT_RUNS_BEFORE_FAILING` runs in
 * a row (a run that did not probe it, `notProbed`, is not silent) while SSM answers for the rest of the fleet
 * (`ssmAnswered`, see `ssmAnsweredFleet`) counts that run and each further silent one as a failed probe. SSM reports a command that expired on a silent agent as it reports
 * one it never delivered (`DeliveryTimedOut`), so one invocation cannot tell a hung host from an SSM outage; the
 * rest of the fleet answering can. N failures in a row → `mark-unhealthy`, unless the instance is younger than
 * the grace period (`in-grace`) or was already marked. A healthy answer resets the count.
 */
export function decideInstanceHealth(
  history: InstanceHealthHistory | undefined,
  probe: MonitorProbe,
  settings: MonitorSettings,
  now: number,
  ssmAnswered = false,
): InstanceHealthDecision {
  const seen: InstanceHealthHistory = history ?? { failures: 0, firstSeenAt: now, runs: 0 };
  const age = Math.max(now - seen.firstSeenAt, (seen.runs ?? 0) * settings.periodSeconds * 1000);
  const silent = probe.healthy === undefined && !probe.notProbed && ssmAnswered;
  const silentRuns = probe.healthy === undefined ? (seen.silentRuns ?? 0) + (silent ? 1 : 0) : 0;
  const known: InstanceHealthHistory = {
    ...seen,
    runs: (seen.runs ?? 0) + 1,
    silentRuns: silentRuns > 0 ? silentRuns : undefined,
  };
  const counted = silent && silentRuns >= SILENT_RUNS_BEFORE_FAILING ? silentProbe(probe, silentRuns) : probe;
  if (counted.healthy === undefined) return { verdict: "unknown", history: known, probe: counted };
  if (counted.healthy) {
    return {
      verdict: "healthy",
      history: { failures: 0, firstSeenAt: known.firstSeenAt, runs: known.runs },
      probe: counted,
    };
  }
  const next: InstanceHealthHistory = { ...known, failures: known.failures + 1, lastReason: counted.reason };
  const decided = (verdict: InstanceVerdict) => ({ verdict, history: next, probe: counted });
  if (next.failures < settings.unhealthyAfter || known.markedUnhealthyAt !== undefined) {
    return decided("failing");
  }
  if (age < settings.gracePeriodSeconds * 1000) return decided("in-grace");
  return decided("mark-unhealthy");
}

/** The failed probe an instance silent for `silentRuns` runs while SSM answered the fleet counts as. */
function silentProbe(probe: MonitorProbe, silentRuns: number): MonitorProbe {
  return {
    healthy: false,
    reason: `no probe answer for ${silentRuns} runs in a row while SSM answered the fleet (last: ${probe.reason})`,
  };
}

/**
 * The share of InService instances whose probe SSM must have run to an answer (healthy or not) in a run for an
 * instance's silence in that run to count against it. Below it, the silence is SSM's (an outage, IAM, a
 * region-wide delivery problem): nothing counts and nothing is marked. Half, not a majority, so a group of two
 * notices its hung instance; the price is that an availability zone that loses its route to SSM in a two-zone
 * fleet reads as hung hosts, marked one at a time within `limitMarks` (never the last) and alarmed on.
 */
export const MIN_ANSWERED_SHARE = 0.5;

/**
 * Whether SSM ran this run's probe to an answer on enough of the fleet (`MIN_ANSWERED_SHARE` of the InService
 * instances, at least one) that an instance it did not answer for is silent on its own account.
 */
export function ssmAnsweredFleet(
  run: { readonly answered: number; readonly inService: number },
  minShare: number = MIN_ANSWERED_SHARE,
): boolean {
  return run.answered > 0 && run.answered >= minShare * run.inService;
}

/**
 * One instance's probe from a ListCommandInvocations entry, or its absence: `NOT_PROBED` (SendCommand lists an
 * invocation for every instance it targets, so none means the last run did not target it). A probe the gateway
 * answered counts, and so does one that ran on the instance and did not finish (`ExecutionTimedOut`): the script
 * is bounded (curl's `--max-time`, always exit 0 with its contract, executionTimeout 5 s longer), so only a hung
 * host (CPU starved, disk I/O or an EFS mount stuck, out of memory) outlives it, and the agent on that host said
 * so. A command SSM could not deliver or finish (`TimedOut` with DeliveryTimedOut, `Failed`, `Cancelled`, ...)
 * or whose output does not follow the contract is unknown: one SSM outage must not read as a fleet of dead
 * gateways (an instance silent for long while SSM answers the others is `decideInstanceHealth`'s concern).
 */
export function monitorProbeFromInvocation(
  result: InvocationResult | undefined,
  endpoint: GatewayEndpoint,
): MonitorProbe {
  if (!result) return NOT_PROBED;
  if (isExecutionTimedOut(result)) return EXECUTION_TIMED_OUT_PROBE;
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

/** The probe of an instance the last run's commands did not target (no invocation): unknown, and not silence. */
export const NOT_PROBED: MonitorProbe = {
  healthy: undefined,
  reason: "not probed yet: no invocation for it in the last run's commands",
  notProbed: true,
};

/** The probe that ran on the instance and did not finish within its executionTimeout: a failed probe. */
export const EXECUTION_TIMED_OUT_PROBE: MonitorProbe = {
  healthy: false,
  reason:
    "the probe ran on the instance and did not finish within its executionTimeout (ExecutionTimedOut): host hung",
};

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
  /**
   * InService instances clawops marked Unhealthy in an earlier run: the group has not acted on them yet, or it
   * launches before terminating (an instance maintenance policy) and their replacements wait Pending*.
   */
  readonly alreadyMarked: number;
  /**
   * The group's Pending* instances (replacements or additions on their way in, the launch gate included) and its
   * Terminating* instances (on their way out, draining included): with `alreadyMarked`, the replacements in flight
   * (`replacementsInFlight`). They still use the run's cap, or a fault every gateway shares (whose replacements
   * fail the same probe at the gate) would be marked one more instance a run until one is left.
   */
  readonly pending: number;
  readonly terminating: number;
  /**
   * InService instances whose probe SSM ran to an answer this run (healthy, not, or timed out on the instance),
   * not counting an instance that is only counted failed for its silence.
   */
  readonly probed: number;
  /** This run's probes fail fleet-wide (`fleetWideFailure`): nothing is marked. */
  readonly fleetWide?: FleetWideFailure | undefined;
}

/** A candidate the run does not mark, and why. */
export interface HeldBackMark {
  readonly instanceId: string;
  readonly reason: string;
}

/**
 * Which of a run's `mark-unhealthy` candidates are marked (in order) and which are held back. A run marks at
 * most max(1, floor(`maxShare` × InService)) less the replacements still in flight (`replacementsInFlight`: each
 * counted once, whichever order the group replaces in), so the share of the fleet being replaced never passes the cap
 * whatever the runs; never the last InService instance clawops has not marked, even while the instances it marked
 * before are Terminating and their replacements Pending (a group of one instance in any state excepted: its one
 * gateway is down and serves nothing until replaced); nothing when SSM ran the probe on no instance (it refused or
 * could not deliver to every one: an SSM or IAM outage, not dead gateways); and nothing when the probes fail
 * fleet-wide (`fleetWide`: a probe or configuration problem, not dead instances). Held-back instances stay
 * unhealthy in the run's count, so the unhealthy-gateways alarm still fires; the next run tries again.
 */
export function limitMarks(
  candidates: readonly string[],
  fleet: MarkLimitFleet,
  maxShare: number = MAX_MARKED_SHARE,
): { mark: string[]; heldBack: HeldBackMark[] } {
  const cap = Math.max(1, Math.floor(maxShare * fleet.inService));
  const inFlight = replacementsInFlight(fleet);
  const unmarked = fleet.inService - fleet.alreadyMarked;
  // A group of one is one instance in the group, not one InService: an instance clawops marked earlier leaves
  // InService before its replacement enters it, and the InService count alone would let the next run mark the last.
  const keepOne = fleet.inGroup > 1 ? unmarked - 1 : unmarked;
  const blocked = fleet.probed === 0 || fleet.fleetWide !== undefined;
  const budget = blocked ? 0 : Math.max(0, Math.min(cap - inFlight, keepOne));
  const why =
    fleet.probed === 0
      ? "SSM ran the probe on no instance this run: an SSM or IAM problem is not a fleet of dead gateways"
      : fleet.fleetWide
        ? `the probes fail fleet-wide (${describeFleetWideFailure(fleet.fleetWide)}): a probe or configuration problem, not dead instances`
        : keepOne <= cap - inFlight && keepOne < cap
          ? `marking it would leave no InService instance clawops has not marked (${unmarked} of ${fleet.inService} unmarked)`
          : inFlight > 0
            ? `${inFlight} instance(s) marked earlier or being replaced still use this run's cap of ${cap} mark(s) (${Math.round(maxShare * 100)}% of ${fleet.inService} InService)`
            : `over this run's cap of ${cap} mark(s) (${Math.round(maxShare * 100)}% of ${fleet.inService} InService)`;
  return {
    mark: candidates.slice(0, budget),
    heldBack: candidates.slice(budget).map((instanceId) => ({ instanceId, reason: why })),
  };
}

/**
 * The replacements a group has in flight, each counted once whichever order the group replaces in. An instance
 * clawops marked is one replacement from its mark until its replacement is in service: InService (Unhealthy) until
 * the group acts, then Terminating* while (terminate before launching, the default) or after (an instance
 * maintenance policy that launches before terminating) its replacement waits Pending*. So every marked instance
 * still InService and every Terminating* instance is one, and a Pending* instance adds one only beyond those: it
 * is the replacement of one of them, or of an instance already gone. Summing Pending* with the others would
 * charge a replacement twice; the larger of them alone would miss a marked instance the group has not acted on
 * while it terminates another.
 */
export function replacementsInFlight(
  group: Pick<MarkLimitFleet, "alreadyMarked" | "pending" | "terminating">,
): number {
  return Math.max(group.alreadyMarked + group.terminating, group.pending);
}

/**
 * The group's instances on their way in (Pending*) and out (Terminating*), from their lifecycle states. Warm-pool
 * instances (`Warmed:*`) are not the group's capacity and do not count.
 */
export function groupTransitions(lifecycleStates: readonly string[]): {
  pending: number;
  terminating: number;
} {
  return {
    pending: lifecycleStates.filter((s) => s.startsWith("Pending")).length,
    terminating: lifecycleStates.filter((s) => s.startsWith("Terminating")).length,
  };
}

/**
 * The breaker: more than this share of the probes answered in one run failing reads as one cause the whole fleet
 * shares (a wrong gateway.port or path, requireJsonOk against a build without "ok", a moved health route, a
 * fleet-wide slowdown), not that many instances died at once. Replacing instances cannot fix such a cause, and the
 * replacements fail the same probe at the launch gate. More than half, because independent deaths of most of a
 * fleet within the few minutes `unhealthyAfter` spans are far rarer than one shared cause; the price is that a
 * group of three whose two gateways die together is not repaired by the monitor, but it pages (the run still
 * counts them unhealthy) and says why nothing was marked.
 */
export const FLEET_WIDE_FAILURE_SHARE = 0.5;

/**
 * The fewest answered probes the breaker judges: one instance failing alone is just that instance (a group of one
 * is repaired by replacing it, whatever the cause).
 */
export const FLEET_WIDE_MIN_ANSWERED = 2;

/** A run whose probes fail fleet-wide: how many answered, how many failed, and what they answered. */
export interface FleetWideFailure {
  readonly answered: number;
  readonly failing: number;
  /** Each failed probe's reason ("HTTP 404", "connection refused: ..."), with how many probes gave it. */
  readonly answers: Readonly<Record<string, number>>;
}

/**
 * Whether this run's answered probes (healthy or not; an unknown one says nothing) fail fleet-wide: at least
 * `FLEET_WIDE_MIN_ANSWERED` answered and more than `FLEET_WIDE_FAILURE_SHARE` of them failed.
 */
export function fleetWideFailure(probes: readonly MonitorProbe[]): FleetWideFailure | undefined {
  const answered = probes.filter((p) => p.healthy !== undefined);
  const failed = answered.filter((p) => p.healthy === false);
  if (
    answered.length < FLEET_WIDE_MIN_ANSWERED ||
    failed.length <= FLEET_WIDE_FAILURE_SHARE * answered.length
  )
    return undefined;
  const answers: Record<string, number> = {};
  for (const { reason } of failed) answers[reason] = (answers[reason] ?? 0) + 1;
  return { answered: answered.length, failing: failed.length, answers };
}

/** "10 of 10 answered probes failed: HTTP 404 ×10", most frequent answer first. */
export function describeFleetWideFailure(failure: FleetWideFailure): string {
  const answers = Object.entries(failure.answers)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ×${count}`)
    .join(", ");
  return `${failure.failing} of ${failure.answered} answered probes failed: ${answers}`;
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

/**
 * Breaching runs in a row the unhealthy-gateways alarm needs (its evaluation periods and datapoints to alarm,
 * stacks/Lifecycle.ts): one failed probe, a gateway restarting, never pages.
 */
export const UNHEALTHY_ALARM_DATAPOINTS = 2;

/**
 * Healthy and unhealthy counts of one run. An unknown probe (not probed: the probe could not be sent; in
 * flight; an SSM outage) counts as neither, except for an instance whose last `UNHEALTHY_ALARM_DATAPOINTS`
 * probes failed: the alarm already counts it, and it stays unhealthy until a probe says otherwise, so the
 * alarm never resolves over a gateway still dead only because nothing could look at it (and a single failed
 * probe followed by a run that could not look never pages).
 */
export function countVerdicts(decisions: readonly Pick<InstanceHealthDecision, "verdict" | "history">[]): {
  healthy: number;
  unhealthy: number;
} {
  let healthy = 0;
  let unhealthy = 0;
  for (const { verdict, history } of decisions) {
    if (verdict === "healthy") healthy += 1;
    else if (verdict !== "unknown" || history.failures >= UNHEALTHY_ALARM_DATAPOINTS) unhealthy += 1;
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
