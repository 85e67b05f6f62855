import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ClawopsEnvironment } from "@clawops/core";
import {
  type DeadLettered,
  deadLetterRecordOf,
  lambdaHandler,
  sendToDeadLetterQueue,
} from "@clawops/core/handler";
import type { InvocationResult, LifecycleSettings } from "@clawops/core/lifecycle";
import {
  countVerdicts,
  decideInstanceHealth,
  FLEET_WIDE_MIN_ANSWERED,
  type FleetWideFailure,
  type FleetWideRun,
  fleetWideFailure,
  groupTransitions,
  type InstanceHealthDecision,
  type InstanceHealthHistory,
  InstanceInGracePeriod,
  limitMarks,
  MonitorMetric,
  type MonitorProbe,
  MonitorRunIncomplete,
  type MonitorSettings,
  monitorProbeFromInvocation,
  pruneHistories,
  REFUSED_PROBE,
  ssmAnsweredFleet,
} from "@clawops/core/lifecycle";
import { describeGroup, markUnhealthy } from "./auto-scaling.js";
import { collectFleetProbe, sendFleetProbe } from "./fleet-probe.js";
import { announceFleetWide } from "./fleet-wide.js";
import { loadMonitorState, type PendingProbe, saveMonitorState } from "./health-history.js";
import { settingsOf } from "./lifecycle-settings.js";

/**
 * The custom metrics the monitor publishes (namespace `Clawops`, dimensions service and Fleet): the one the
 * unhealthy-gateways alarm reads. Each is $0.30 a month (bench/cost.ts counts this list).
 */
export const MONITOR_METRICS = [MonitorMetric.UnhealthyGateways] as const;

/** A probe older than this many periods (the schedule stopped for a while) says nothing about now. */
const STALE_AFTER_PERIODS = 5;

/** What the monitor can be given besides its environment. */
export interface MonitorOptions {
  /** Epoch ms; the sandbox passes its clock. @default Date.now */
  readonly now?: () => number;
}

/** The last run's probe (its commands and the instances SSM refused), unless too old to describe the fleet now. */
function freshProbe(pending: PendingProbe | undefined, periodSeconds: number, now: number) {
  if (!pending || now - pending.sentAt > STALE_AFTER_PERIODS * periodSeconds * 1000) {
    return { commandIds: [], refused: new Set<string>() };
  }
  return { commandIds: [...pending.commandIds], refused: new Set(pending.refused ?? []) };
}

/**
 * The gateway health monitor (schedule, every minute): collect the probe the previous run sent, count healthy
 * and unhealthy gateways, after N failures in a row mark the instance Unhealthy so the group replaces it (the
 * group's health check is against the gateway, not the instance), within the run's cap on marks (`limitMarks`),
 * publish the count, then send this run's probe for the next run to collect and save the state. A call failing
 * past the SDK's retries (a mark, one batch's SendCommand) costs only itself: the run still publishes and saves,
 * then fails with MonitorRunIncomplete (dead-letter queue). Nothing waits for the bounded probe script: a run
 * lasts its few AWS calls (bench/cost.ts).
 */
export function createMonitorHandler(options: MonitorOptions = {}) {
  const clock = options.now ?? Date.now;
  return lambdaHandler({
    kind: "event",
    parse: (event) => event,
    handler: async (event, { env, logger, metrics, lambda }) => {
      const settings = settingsOf(env);
      const asg = settings.autoScalingGroupName;
      const group = await describeGroup(asg);
      const inService = group.instances
        .filter((i) => i.lifecycleState === "InService")
        .map((i) => i.instanceId);
      const inGroup = group.instances.filter((i) => isInGroup(i.lifecycleState)).length;
      const transitions = groupTransitions(group.instances.map((i) => i.lifecycleState));
      const state = await loadMonitorState(env, asg);
      const histories = pruneHistories(state.histories, inService);
      const last = freshProbe(state.pending, settings.monitor.periodSeconds, clock());
      const results = await collectFleetProbe(last.commandIds);
      const decisionSettings = { ...settings.monitor, gracePeriodSeconds: group.gracePeriodSeconds };
      const judged: JudgedInstance[] = [];
      const fleet = decideFleet(
        inService,
        { inGroup, ...transitions },
        histories,
        results,
        last.refused,
        settings,
        decisionSettings,
      );
      for (const decision of fleet.decisions) {
        const done = await carryOut(decision, Date.now());
        histories[done.instanceId] = done.history;
        judged.push(done);
        if (done.log)
          logger.warn(done.log, {
            instanceId: done.instanceId,
            failures: done.history.failures,
            reason: done.probe.reason,
            heldBack: done.heldBack,
            error: done.error,
          });
      }
      const verdicts = judged.map((j) => j.verdict);
      const counts = countVerdicts(judged);
      // Counted before anything else can fail: a run without its datapoint reads as OK to the alarm (missing data
      // is not breaching) while a gateway is dead.
      metrics.addDimension("Fleet", settings.fleetName);
      // Per-instance health and the healthy count ride in the EMF line as properties: searchable in Logs Insights
      // without a custom metric each ($0.30 a month); the alarm needs only the unhealthy count.
      metrics.addMetadata("gatewayHealth", JSON.stringify(gatewayHealthOf(judged)));
      metrics.addMetadata("healthyGateways", String(counts.healthy));
      metrics.addMetric(MonitorMetric.UnhealthyGateways, MetricUnit.Count, counts.unhealthy);
      const sentAt = clock();
      const { commandIds, refused, failed } = await sendFleetProbe(inService, settings.gateway);
      if (refused.length > 0)
        logger.warn("SSM refused the probe (InvalidInstanceId): counted as failed next run", { refused });
      for (const { instanceIds, error } of failed)
        logger.error("SendCommand failed: these instances are not probed next run", { instanceIds, error });
      const fleetWide = await announceFleetWide(
        env,
        asg,
        state.fleetWide,
        { ...fleet.breaker, tripped: fleet.breaker.failure !== undefined && verdicts.includes("held-back") },
        sentAt,
      );
      if (fleet.fleetWide)
        logger.error("gateway probes fail fleet-wide: no instance marked (a probe or config problem?)", {
          ...fleet.fleetWide,
        });
      const failedCalls = [
        ...failed.map((f) => `SendCommand to ${f.instanceIds.length} instance(s): ${errorText(f.error)}`),
        ...judged
          .filter((j) => j.error)
          .map((j) => `SetInstanceHealth ${j.instanceId}: ${errorText(j.error)}`),
        ...fleetWide.failed.map((f) => `${f.call}: ${errorText(f.error)}`),
      ];
      // The first incomplete run of a streak goes to the dead-letter queue, the next ones only log, so an SSM
      // outage leaves one record, not one a minute. The streak is saved as begun only once its record is sent:
      // should SQS refuse it, the next run reports it again.
      const report =
        failedCalls.length > 0 && state.incompleteSince === undefined
          ? await reportIncomplete(failedCalls, event, env, lambda.functionName)
          : undefined;
      const incompleteSince =
        failedCalls.length > 0 && !report?.sendError ? (state.incompleteSince ?? sentAt) : undefined;
      await saveMonitorState(
        env,
        asg,
        {
          histories,
          pending: { commandIds, refused, sentAt },
          incompleteSince,
          fleetWide: fleetWide.episode,
        },
        clock(),
      );
      logger.info("gateway health monitor run", { asg, inService: inService.length, ...counts });
      if (report?.sendError) {
        // Not thrown: Lambda's retry would count the fleet twice. The next run reports the streak instead.
        logger.error(
          "monitor run incomplete, and SQS refused its dead-letter record: the next run reports it",
          {
            failedCalls,
            error: report.sendError,
          },
        );
      } else if (report) {
        logger.error("monitor run incomplete (reported in the dead-letter queue)", { failedCalls });
        return { deadLettered: true, reason: report.reason } satisfies DeadLettered;
      }
      if (state.incompleteSince !== undefined && failedCalls.length > 0) {
        logger.error("monitor run incomplete again (reported in the dead-letter queue when it began)", {
          incompleteSince: new Date(state.incompleteSince).toISOString(),
          failedCalls,
        });
      }
      return {
        inService: inService.length,
        ...counts,
        marked: verdicts.filter((v) => v === "mark-unhealthy").length,
        heldBack: verdicts.filter((v) => v === "held-back").length,
        ...(fleet.fleetWide ? { fleetWide: fleet.fleetWide } : {}),
        ...(failedCalls.length > 0 ? { incomplete: failedCalls } : {}),
      };
    },
  });
}

/**
 * Sends an incomplete run's record to the dead-letter queue (what lambdaHandler would send for its
 * MonitorRunIncomplete). Its `sendError` is SQS's refusal, if any.
 */
async function reportIncomplete(
  failedCalls: readonly string[],
  event: unknown,
  env: ClawopsEnvironment,
  functionName: string,
): Promise<{ readonly reason: string; readonly sendError?: unknown }> {
  const record = deadLetterRecordOf(new MonitorRunIncomplete(failedCalls), functionName, event);
  try {
    await sendToDeadLetterQueue(record, env);
    return { reason: record.reason };
  } catch (sendError) {
    return { reason: record.reason, sendError };
  }
}

/** One instance's decision this run; `log` says what an operator should read about it, if anything. */
interface JudgedInstance extends InstanceHealthDecision {
  readonly instanceId: string;
  /** Why a due mark was held back (`limitMarks`, or SetInstanceHealth failing). */
  readonly heldBack?: string | undefined;
  /** The error SetInstanceHealth failed with, the mark held back until the next run. */
  readonly error?: unknown;
  readonly log?: string | undefined;
}

/** A run's decisions, and whether its probes fail fleet-wide. */
interface DecidedFleet {
  readonly decisions: JudgedInstance[];
  readonly fleetWide: FleetWideFailure | undefined;
  /** The breaker's view of the run: whether its probes fail fleet-wide, and whether enough answered to say. */
  readonly breaker: Omit<FleetWideRun, "tripped">;
}

/**
 * Decides every instance from its probe (an instance SSM refused counts as a failed probe, and so does one silent
 * for runs while SSM answered the fleet), then holds back the marks over the run's cap (`limitMarks`): they stay
 * unhealthy in the count and are tried again next run.
 */
function decideFleet(
  inService: readonly string[],
  group: { readonly inGroup: number; readonly pending: number; readonly terminating: number },
  histories: Readonly<Record<string, InstanceHealthHistory>>,
  results: ReadonlyMap<string, InvocationResult>,
  refused: ReadonlySet<string>,
  settings: LifecycleSettings,
  decisionSettings: MonitorSettings,
): DecidedFleet {
  const now = Date.now();
  const probes = inService.map((instanceId): [string, MonitorProbe] => [
    instanceId,
    refused.has(instanceId)
      ? REFUSED_PROBE
      : monitorProbeFromInvocation(results.get(instanceId), settings.gateway),
  ]);
  // The instances SSM ran the probe to an answer on: the evidence that SSM itself works this run.
  const answeredProbes = probes.filter(([id, probe]) => probe.healthy !== undefined && !refused.has(id));
  const answered = answeredProbes.length;
  const fleetWide = fleetWideFailure(answeredProbes.map(([, probe]) => probe));
  const ssmAnswered = ssmAnsweredFleet({ answered, inService: inService.length });
  const decided = probes.map(([instanceId, probe]) => ({
    instanceId,
    ...decideInstanceHealth(histories[instanceId], probe, decisionSettings, now, ssmAnswered),
  }));
  const { heldBack } = limitMarks(
    decided.filter((d) => d.verdict === "mark-unhealthy").map((d) => d.instanceId),
    {
      inService: inService.length,
      inGroup: group.inGroup,
      alreadyMarked: decided.filter((d) => d.history.markedUnhealthyAt !== undefined).length,
      pending: group.pending,
      terminating: group.terminating,
      probed: answered,
      fleetWide,
    },
  );
  const reasons = new Map(heldBack.map((h) => [h.instanceId, h.reason]));
  const decisions = decided.map(
    (d): JudgedInstance =>
      reasons.has(d.instanceId)
        ? {
            ...d,
            verdict: "held-back",
            heldBack: reasons.get(d.instanceId),
            log: "gateway unhealthy: marking held back",
          }
        : d,
  );
  const breaker = {
    failure: fleetWide,
    judgeable: answered >= FLEET_WIDE_MIN_ANSWERED,
    answered,
    failing: answeredProbes.filter(([, probe]) => probe.healthy === false).length,
  };
  return { decisions, fleetWide, breaker };
}

/**
 * Whether an instance in DescribeAutoScalingGroups counts in the group's size for `limitMarks`: every state but
 * Terminated (and the warm pool's Warmed:*, which serves nothing and is not the group's capacity).
 */
function isInGroup(lifecycleState: string): boolean {
  return lifecycleState !== "Terminated" && !lifecycleState.startsWith("Warmed");
}

/**
 * Marks an instance due for it; AWS refusing inside the grace period makes it `in-grace`. Any other failure
 * (throttled past the SDK's retries) holds the mark back: still counted unhealthy, tried again next run, and the
 * run reports the failure once it has published and saved.
 */
async function carryOut(decision: JudgedInstance, now: number): Promise<JudgedInstance> {
  if (decision.verdict !== "mark-unhealthy") return decision;
  try {
    await markUnhealthy(decision.instanceId);
    return {
      ...decision,
      history: { ...decision.history, markedUnhealthyAt: now },
      log: "gateway unhealthy: instance marked Unhealthy",
    };
  } catch (error) {
    if (error instanceof InstanceInGracePeriod)
      return { ...decision, verdict: "in-grace", log: "gateway unhealthy inside the grace period" };
    return {
      ...decision,
      verdict: "held-back",
      heldBack: "SetInstanceHealth failed: marked next run",
      error,
      log: "gateway unhealthy: marking failed",
    };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Per-instance health of the probes that counted: 1 healthy, 0 not (a host hung or silent too long included). */
function gatewayHealthOf(judged: readonly JudgedInstance[]): Record<string, 0 | 1> {
  const health: Record<string, 0 | 1> = {};
  for (const { instanceId, probe } of judged)
    if (probe.healthy !== undefined) health[instanceId] = probe.healthy ? 1 : 0;
  return health;
}

/** The deployed monitor. */
export const handler = createMonitorHandler();
