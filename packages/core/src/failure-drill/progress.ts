import { GATEWAY_STOP_SETTLE_SECONDS, type GatewayCommandOutcome, stopMayStillFinish } from "./commands.js";
import type { DrillWindows } from "./settings.js";

/**
 * The stop command: sent, its invocation ended with Success, it failed (the gateway was not stopped), or it
 * gave up on a unit systemd is still stopping (`unfinished`: the gateway is started again).
 */
export type StopState = "sent" | "stopped" | "failed" | "unfinished";

/** What the drill has seen so far (epoch milliseconds; `null` = not yet). */
export interface DrillProgress {
  /** When the stop command was sent: every time is measured from here, except the alert's. */
  readonly stoppedAt: number;
  readonly alarmAt: number | null;
  readonly alertDeliveredAt: number | null;
  readonly replacedAt: number | null;
  readonly replacementInstanceId: string | null;
  readonly okAt: number | null;
  readonly observations: number;
  /** Whether the stop command's invocation confirmed the stop (`systemctl stop` exited 0). */
  readonly stop: StopState;
  /**
   * When the drill read the confirmed stop: no step aborts before one whole window has passed since (a stop
   * that took minutes leaves the alarm its window). Absent in progress written before it existed.
   */
  readonly stopConfirmedAt?: number | null;
}

/** One alarm state transition (DescribeAlarms' StateValue and when it last changed). */
export interface AlarmTransition {
  readonly at: number;
  readonly state: string;
}

/** The alert router's delivery record of the alarm (`pk=alert#delivery`, `sk=<alarm name>`). */
export interface DeliverySeen {
  readonly state: string;
  readonly stateChangedAt: number;
  readonly deliveredAt: number;
}

/** A new instance of the group that is InService: it passed the launch gate (the hook held it until then). */
export interface ReplacementSeen {
  readonly instanceId: string;
  readonly inServiceAt: number;
}

/** One observation: what CloudWatch, the router's record and Auto Scaling say right now. */
export interface DrillObservation {
  readonly alarmTransitions: readonly AlarmTransition[];
  /** The alarm's current state (DescribeAlarms), which history may not show yet. */
  readonly alarmState: string;
  readonly delivery: DeliverySeen | null;
  readonly replacement: ReplacementSeen | null;
  /** The stop command's invocation while the stop is unconfirmed; `null` once it was (not read again). */
  readonly stop: GatewayCommandOutcome | null;
}

/**
 * What the state machine does next: wait and observe again, record the result, abort and restore, or record
 * a stop that failed (the gateway was not stopped by the drill: nothing to restore).
 */
export type ObserveNext = "observe" | "record" | "abort" | "stop-failed";

export interface ObserveDecision {
  readonly progress: DrillProgress;
  readonly next: ObserveNext;
  readonly reason: string;
}

/** A fresh progress for a gateway stopped at `stoppedAt`. */
export function startProgress(stoppedAt: number): DrillProgress {
  return {
    stoppedAt,
    alarmAt: null,
    alertDeliveredAt: null,
    replacedAt: null,
    replacementInstanceId: null,
    okAt: null,
    observations: 0,
    stop: "sent",
    stopConfirmedAt: null,
  };
}

function firstTransition(list: readonly AlarmTransition[], state: string, after: number): number | null {
  const found = list.filter((t) => t.state === state && t.at >= after).sort((a, b) => a.at - b.at)[0];
  return found ? found.at : null;
}

function merge(progress: DrillProgress, seen: DrillObservation, now: number): DrillProgress {
  const alarmAt =
    progress.alarmAt ??
    firstTransition(seen.alarmTransitions, "ALARM", progress.stoppedAt) ??
    // Without a transition time the current state is all there is, timed now. With one, an ALARM that
    // began before the stop is another failure's, never this drill's.
    (seen.alarmState === "ALARM" && seen.alarmTransitions.length === 0 ? now : null);
  const okAt =
    progress.okAt ??
    (alarmAt === null
      ? null
      : (firstTransition(seen.alarmTransitions, "OK", alarmAt + 1) ??
        (seen.alarmState === "OK" && progress.alarmAt !== null ? now : null)));
  // The record holds the alarm's last delivered transition: an ALARM that changed after the stop is ours.
  // (If the OK delivery already overwrote it before we looked, the ALARM's delivery time is lost: unknown.)
  const delivery = seen.delivery;
  const alertDeliveredAt =
    progress.alertDeliveredAt ??
    (alarmAt !== null &&
    delivery &&
    delivery.state === "ALARM" &&
    delivery.stateChangedAt >= progress.stoppedAt
      ? Math.max(delivery.deliveredAt, alarmAt)
      : null);
  const replacement =
    progress.replacedAt === null && seen.replacement && seen.replacement.inServiceAt >= progress.stoppedAt
      ? seen.replacement
      : null;
  const stop =
    progress.stop !== "sent" || !seen.stop || seen.stop.state === "running"
      ? progress.stop
      : seen.stop.state === "succeeded"
        ? "stopped"
        : "failed";
  return {
    ...progress,
    stop,
    stopConfirmedAt:
      progress.stop === "sent" && stop === "stopped" ? now : (progress.stopConfirmedAt ?? null),
    alarmAt,
    okAt,
    alertDeliveredAt,
    replacedAt: progress.replacedAt ?? replacement?.inServiceAt ?? null,
    replacementInstanceId: progress.replacementInstanceId ?? replacement?.instanceId ?? null,
    observations: progress.observations + 1,
  };
}

/**
 * Folds one observation into the drill's progress and decides: `stop-failed` when the stop command's
 * invocation failed (systemctl could not stop the unit: the drill measures nothing and restarts nothing), or
 * `abort` when it gave up on a unit systemd is still stopping (nothing measured, the gateway started again);
 * `record` once the alarm fired, the alert was
 * delivered, a replacement is InService and the alarm is OK again; `abort` as soon as any pending step has
 * taken more than twice its window (the gateway is then restarted if its instance still exists);
 * `observe` otherwise. The alarm's return to OK gets the alarm window, counted from the replacement.
 *
 * The alarm and replacement windows count from the stop being sent, but neither aborts before one whole window
 * has passed since the stop was confirmed (a slow stop is not blamed on the alarm), and no window aborts while
 * the stop script may still be waiting on systemd (`GATEWAY_STOP_SETTLE_SECONDS`): the restart never races the
 * stop job.
 */
export function advanceDrill(
  previous: DrillProgress,
  seen: DrillObservation,
  now: number,
  windows: DrillWindows,
): ObserveDecision {
  const progress = merge(previous, seen, now);
  const over = (since: number, windowSeconds: number) => now - since > 2 * windowSeconds * 1000;
  const abort = (reason: string): ObserveDecision => ({ progress, next: "abort", reason });
  const stopSettled =
    progress.stop !== "sent" || now - progress.stoppedAt > GATEWAY_STOP_SETTLE_SECONDS * 1000;
  const overSinceStop = (windowSeconds: number) =>
    stopSettled &&
    over(progress.stoppedAt, windowSeconds) &&
    now - (progress.stopConfirmedAt ?? progress.stoppedAt) > windowSeconds * 1000;
  // Whatever else was seen is not the drill's doing: nothing is credited.
  if (previous.stop === "sent" && seen.stop?.state === "failed" && stopMayStillFinish(seen.stop))
    return {
      progress: {
        ...startProgress(previous.stoppedAt),
        observations: progress.observations,
        stop: "unfinished",
      },
      next: "abort",
      reason: `the gateway stop did not finish, so nothing was measured; systemd may still stop it, so it is started again: ${seen.stop.reason}`,
    };
  if (previous.stop === "sent" && seen.stop?.state === "failed")
    return {
      progress: { ...startProgress(previous.stoppedAt), observations: progress.observations, stop: "failed" },
      next: "stop-failed",
      reason: `the gateway was not stopped, so nothing was measured: ${seen.stop.reason}`,
    };
  if (progress.alarmAt === null && overSinceStop(windows.alarmSeconds))
    return abort(`the alarm did not fire within twice its window (${2 * windows.alarmSeconds} s)`);
  if (
    stopSettled &&
    progress.alarmAt !== null &&
    progress.alertDeliveredAt === null &&
    over(progress.alarmAt, windows.alertSeconds)
  )
    return abort(`the alert was not delivered within twice its window (${2 * windows.alertSeconds} s)`);
  if (progress.replacedAt === null && overSinceStop(windows.replacementSeconds))
    return abort(
      `no replacement was InService within twice its window (${2 * windows.replacementSeconds} s)`,
    );
  if (
    stopSettled &&
    progress.replacedAt !== null &&
    progress.okAt === null &&
    over(progress.replacedAt, windows.alarmSeconds)
  )
    return abort(`the alarm did not return to OK within ${2 * windows.alarmSeconds} s of the replacement`);
  const done =
    progress.stop === "stopped" &&
    progress.alarmAt !== null &&
    progress.alertDeliveredAt !== null &&
    progress.replacedAt !== null &&
    progress.okAt !== null;
  if (done) return { progress, next: "record", reason: "alarm, alert, replacement and recovery observed" };
  return { progress, next: "observe", reason: pending(progress) };
}

function pending(p: DrillProgress): string {
  if (p.stop === "sent" && p.alarmAt === null) return "waiting for the gateway stop to finish";
  if (p.alarmAt === null) return "waiting for the alarm";
  if (p.alertDeliveredAt === null) return "waiting for the alert delivery";
  if (p.replacedAt === null) return "waiting for the replacement";
  return "waiting for the alarm to return to OK";
}
