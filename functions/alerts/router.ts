import { type ClawopsEnvironment, logger, RetryableError, readEnvironment } from "@clawops/core";
import {
  AlertDeliveryError,
  type AlertEvent,
  type AlertReplayRequest,
  isAlarmEvent,
  isAlertReplayRequest,
  isSupersededReplay,
  parseAlertRouterSettings,
  parseRouterInput,
  routeAlert,
  SlackTokenMissingError,
  toAlert,
} from "@clawops/core/alerts";
import { lambdaHandler } from "@clawops/core/handler";
import type { Context } from "aws-lambda";
import { closeThreadOfUndeliveredOk, type DeliveryOutcome, deliverAlert } from "./deliver.js";
import { announceDeliveryFailure, reportDeliveryFailure } from "./failure.js";
import { fetchAlarmTags, fetchMetricGraph } from "./graph.js";
import { type ReplayOutcome, repostAlert } from "./repost.js";
import { type RouterDeps, routerDeps, slackSecretMiddleware } from "./router-deps.js";
import { slackClient } from "./slack.js";
import type { EventClaim } from "./state.js";

/** Time kept back from Slack retries for the DLQ and the state writes. */
const SAFETY_MARGIN_MS = 5_000;

/** First and longest wait between tries for an alarm's lock. */
const LOCK_WAIT_FIRST_MS = 100;
const LOCK_WAIT_MAX_MS = 1_000;

/** The router's result per event. */
export type RouterResult =
  | DeliveryOutcome
  | ReplayOutcome
  | { readonly status: "duplicate" | "dead-lettered"; readonly reason?: string };

function slackToken(lambda: Context): string {
  const secret = (lambda as Context & { slack?: unknown }).slack;
  const token =
    typeof secret === "string" ? secret : (secret as { botToken?: unknown } | undefined)?.botToken;
  if (typeof token !== "string" || token.length === 0) {
    throw new SlackTokenMissingError('the Slack secret has no "botToken" (see docs/alerts.md)');
  }
  return token;
}

/**
 * Runs `work` holding the alarm's delivery lock. EventBridge may hand two transitions of one alarm to two
 * concurrent invocations (an operator's `set-alarm-state` is undone by the next evaluation within seconds):
 * unlocked, the OK would find no thread yet, post on its own, and leave the ALARM message open for ever.
 * Waits with backoff while another invocation holds the lock; out of time, hands the event back to Lambda.
 */
async function withAlarmLock<T>(
  alarmName: string,
  owner: string,
  deps: RouterDeps,
  deadline: number,
  work: () => Promise<T>,
): Promise<T> {
  const { state, clock } = deps;
  let wait = LOCK_WAIT_FIRST_MS;
  while (!(await state.lockAlarm(alarmName, owner, deadline - clock.now() + SAFETY_MARGIN_MS))) {
    if (clock.now() + wait >= deadline) {
      throw new RetryableError(`alarm ${alarmName} is being delivered by another invocation; retrying later`);
    }
    await clock.sleep(wait);
    wait = Math.min(wait * 2, LOCK_WAIT_MAX_MS);
  }
  try {
    return await work();
  } finally {
    await state.unlockAlarm(alarmName, owner);
  }
}

/**
 * Parse, claim (dedup), route, deliver, record; an undeliverable alert is dead-lettered and announced. A
 * failure hands the event back to Lambda with its claim released; what Slack already accepted stays noted
 * on the claim, so the retry does not post it again.
 */
async function routeEvent(
  event: AlertEvent,
  lambda: Context,
  deps: RouterDeps,
  env: ClawopsEnvironment,
): Promise<RouterResult> {
  const { state, clock } = deps;
  const deadline = clock.now() + (lambda.getRemainingTimeInMillis?.() ?? 30_000) - SAFETY_MARGIN_MS;
  const claim = await state.claimEvent(event.id, deadline - clock.now() + SAFETY_MARGIN_MS);
  if (!claim) return { status: "duplicate" };
  try {
    if (event.source !== "aws.cloudwatch")
      return await deliverEvent(event, claim, lambda, deps, env, deadline);
    return await withAlarmLock(event.detail.alarmName, event.id, deps, deadline, () =>
      deliverEvent(event, claim, lambda, deps, env, deadline),
    );
  } catch (error) {
    await state.releaseEvent(event.id);
    throw error;
  }
}

/** Route and deliver one claimed event, and record what was done. */
async function deliverEvent(
  event: AlertEvent,
  claim: EventClaim,
  lambda: Context,
  deps: RouterDeps,
  env: ClawopsEnvironment,
  deadline: number,
): Promise<RouterResult> {
  const { settings, state, clock } = deps;
  const alert = toAlert(event, event.source === "aws.cloudwatch" ? await deps.tags(event.resources[0]) : {});
  const decision = routeAlert(alert, settings);
  if (decision.action === "skip") {
    await state.completeEvent(event.id, "skipped");
    return { status: "skipped", reason: decision.reason };
  }
  const slack = {
    client: slackClient(slackToken(lambda), settings.slack.apiUrl, deps.slackTimeoutMs),
    clock,
    remainingMs: () => deadline - clock.now(),
  };
  try {
    const outcome = await deliverAlert(alert, decision, {
      settings,
      state,
      slack,
      graph: deps.graph,
      warn: deps.warn,
      ...(claim.posted ? { posted: claim.posted } : {}),
      notePosted: (posted) => state.notePosted(event.id, posted),
      ...(claim.joined ? { joined: claim.joined } : {}),
      noteJoined: (joined) => state.noteJoined(event.id, joined),
    });
    if (alert.kind === "alarm" && outcome.status !== "skipped") {
      const stateChangedAt = Date.parse(alert.event.time);
      await state.recordDelivery(alert.event.detail.alarmName, {
        eventId: event.id,
        state: alert.event.detail.state.value,
        stateChangedAt,
        deliveredAt: clock.now(),
        channel: outcome.channel ?? decision.channel,
        ...(outcome.ts ? { ts: outcome.ts } : {}),
      });
    }
    // A retry of an event an earlier try dead-lettered (its announcement or completion failed after the
    // record was sent) that now has nothing to post (an OK finds the thread its first try closed: stale)
    // stays dead-lettered: replay still owes it to Slack, and the announcement is published now.
    if (claim.deadLettered && outcome.status === "skipped") {
      await announceDeliveryFailure(alert, claim.deadLettered, env);
      await state.completeEvent(event.id, "dead-lettered");
      return { status: "dead-lettered", reason: `AlertDeliveryError: ${claim.deadLettered.reason}` };
    }
    await state.completeEvent(event.id, outcome.status);
    return outcome;
  } catch (error) {
    if (!(error instanceof AlertDeliveryError)) throw error;
    // An OK that would have resolved the thread closes it once its record is safe in the queue (before the
    // announcement, which PutEvents may refuse): closed earlier, Lambda's retry of an event whose record
    // was never sent would skip it as stale, and it would be lost. The retry of one whose record was sent
    // skips it as stale, and announces it (above).
    const closeThread = async () => {
      if (alert.kind === "alarm") await closeThreadOfUndeliveredOk(alert.event, state);
    };
    if (claim.deadLettered) await closeThread(); // An earlier try sent the record but did not get this far.
    const record = await reportDeliveryFailure(alert, error, lambda.functionName, env, {
      ...(claim.deadLettered ? { deadLettered: true } : {}),
      noteDeadLettered: async (failure) => {
        await state.noteDeadLettered(event.id, failure);
        await closeThread();
      },
    });
    await state.completeEvent(event.id, "dead-lettered");
    return { status: "dead-lettered", reason: record.reason };
  }
}

/**
 * `clawops alerts replay`: posts a dead-lettered alert again with the router's token (which only this role
 * may read). No thread or storm message: the record is re-sent as a message of its own, marked as a
 * replay, and its event is then marked handled (`replayed`); an OK closes its alarm's thread if a try left
 * it open. Not posted (superseded): an event that reached Slack already (its dedup record says delivered,
 * or a try of it got its message in before a later write failed, or another record of it was replayed),
 * and an alarm transition older than the latest its thread handled.
 */
async function replayEvent(
  request: AlertReplayRequest,
  lambda: Context,
  deps: RouterDeps,
): Promise<ReplayOutcome> {
  const { event, reason, failedAt } = request.replay;
  logger.info("replaying a dead-lettered alert", { eventId: event.id, reason });
  if (await deps.state.eventDelivered(event.id)) {
    return { status: "superseded", reason: "the event reached Slack already" };
  }
  if (isAlarmEvent(event) && isSupersededReplay(event, await deps.state.getThread(event.detail.alarmName))) {
    return {
      status: "superseded",
      reason: "the alarm has changed state since: a newer transition was delivered",
    };
  }
  // The alarm's newest known state is this OK: its thread, if a try left it open, is closed before the OK
  // is posted on its own, so the alarm's next ALARM opens a new thread (and pages) instead of replying in it.
  if (isAlarmEvent(event)) await closeThreadOfUndeliveredOk(event, deps.state);
  const tags = isAlarmEvent(event) ? await deps.tags(event.resources[0]) : {};
  const deadline = deps.clock.now() + (lambda.getRemainingTimeInMillis?.() ?? 30_000) - SAFETY_MARGIN_MS;
  const slack = {
    client: slackClient(slackToken(lambda), deps.settings.slack.apiUrl, deps.slackTimeoutMs),
    clock: deps.clock,
    remainingMs: () => deadline - deps.clock.now(),
  };
  const outcome = await repostAlert(event, deps.settings, slack, tags, failedAt);
  // Another record of the same event (Lambda's own, after its retries) is then not posted a second time.
  if (outcome.status === "replayed") {
    try {
      await deps.state.completeEvent(event.id, "replayed");
    } catch (error) {
      deps.warn("replayed event not marked handled", { error, eventId: event.id });
    }
  }
  return outcome;
}

/**
 * A replay is invoked synchronously by the CLI for a message that is still in the dead-letter queue: its
 * failure (the secret unreadable, say) is answered to the CLI, not dead-lettered a second time. Used last,
 * so middy runs it first among the error handlers, and its answer ends the chain.
 */
const answerFailedReplay = {
  onError: async (request: { event: unknown; error: Error | null }): Promise<ReplayOutcome | undefined> => {
    if (!request.error || !isAlertReplayRequest(request.event)) return undefined;
    logger.error("replay failed", { error: request.error });
    return { status: "failed", reason: `${request.error.name}: ${request.error.message}` };
  },
};

/** Options of `makeAlertRouter`; production uses the defaults. */
export type AlertRouterOptions = Partial<Omit<RouterDeps, "settings">> & {
  readonly env?: ClawopsEnvironment;
  readonly secretsCacheKey?: string;
};

/** The alert router Lambda handler (middy + Powertools + the Slack secret from Secrets Manager, cached). */
export function makeAlertRouter(options: AlertRouterOptions = {}) {
  const env = options.env ?? readEnvironment();
  const deps = routerDeps(parseAlertRouterSettings(env.settings), env, {
    tags: fetchAlarmTags,
    graph: fetchMetricGraph,
    ...options,
  });
  return lambdaHandler<AlertEvent | AlertReplayRequest, RouterResult>({
    parse: parseRouterInput,
    env,
    handler: (input, ctx) =>
      isAlertReplayRequest(input)
        ? replayEvent(input, ctx.lambda, deps)
        : routeEvent(input, ctx.lambda, deps, env),
  })
    .use(slackSecretMiddleware(deps.settings.slackSecretArn, options.secretsCacheKey))
    .use(answerFailedReplay);
}

let made: ReturnType<typeof makeAlertRouter> | undefined;

/** The deployed entry point; built on the first invocation, so importing this module does no work. */
export const handler = (event: unknown, context: Context) => {
  made ??= makeAlertRouter();
  return made(event, context as never);
};
