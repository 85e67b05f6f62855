import type {
  GatewayProbesFailingFleetWideDetail,
  GatewayProbesFleetWideClearedDetail,
} from "../events/index.js";
import type { FleetWideFailure } from "./monitor.js";

/**
 * An episode of gateway probes failing fleet-wide (the monitor's breaker, `fleetWideFailure`), as the monitor
 * keeps it between runs, with what it has announced of it: one `GatewayProbesFailingFleetWide` when it begins, one
 * `GatewayProbesFleetWideCleared` when it ends.
 */
export interface FleetWideEpisode {
  /** When the breaker first held back a mark (epoch ms). */
  readonly since: number;
  /** What the probes answered: the announcement's detail. */
  readonly failure: FleetWideFailure;
  /** `GatewayProbesFailingFleetWide` is out (saved so before it is published; back to false if PutEvents failed). */
  readonly announced: boolean;
  /** The run whose probes no longer failed fleet-wide (epoch ms, its counts): `GatewayProbesFleetWideCleared` is owed. */
  readonly cleared?: { readonly at: number; readonly answered: number; readonly failing: number } | undefined;
}

/** One monitor run, as the episode sees it. */
export interface FleetWideRun {
  /** This run's probes fail fleet-wide. */
  readonly failure: FleetWideFailure | undefined;
  /** The breaker held back a mark this run: an episode begins (failing probes alone mark nothing yet). */
  readonly tripped: boolean;
  /** Enough probes answered to say whether they fail fleet-wide (`FLEET_WIDE_MIN_ANSWERED`). */
  readonly judgeable: boolean;
  readonly answered: number;
  readonly failing: number;
}

/** What a run owes the channel: the episode's beginning or its end. */
export type FleetWideAnnouncement = "found" | "cleared";

/**
 * The episode after this run, and the announcement it owes (published by this run, or retried by the next one if
 * PutEvents fails). An episode begins when the breaker holds back a mark and owes its `found` until it is out; it
 * ends at the first judgeable run whose probes no longer fail fleet-wide: quietly if its `found` never went out
 * (nobody heard of it), else owing its `cleared`. Probes failing fleet-wide again before the `cleared` is out
 * continue the episode (nothing was said of its end). A run too few probes answered keeps the episode as it is.
 */
export function nextFleetWideEpisode(
  saved: FleetWideEpisode | undefined,
  run: FleetWideRun,
  now: number,
): { readonly episode: FleetWideEpisode | undefined; readonly announce?: FleetWideAnnouncement } {
  const recovered = run.failure === undefined && run.judgeable;
  if (saved === undefined) {
    if (!run.tripped || run.failure === undefined) return { episode: undefined };
    return { episode: { since: now, failure: run.failure, announced: false }, announce: "found" };
  }
  if (!saved.announced) {
    if (recovered) return { episode: undefined };
    return { episode: { ...saved, failure: run.failure ?? saved.failure }, announce: "found" };
  }
  if (run.failure !== undefined) return { episode: { ...saved, cleared: undefined } };
  if (saved.cleared) return { episode: saved, announce: "cleared" };
  if (!recovered) return { episode: saved };
  const cleared = { at: now, answered: run.answered, failing: run.failing };
  return { episode: { ...saved, cleared }, announce: "cleared" };
}

/**
 * The episode once `announcement` is out: what the monitor saves before publishing it, so a run whose later save
 * fails (or Lambda's retry of it) never publishes it twice. After the `cleared`, no episode.
 */
export function announcedEpisode(
  episode: FleetWideEpisode,
  announcement: FleetWideAnnouncement,
): FleetWideEpisode | undefined {
  return announcement === "found" ? { ...episode, announced: true } : undefined;
}

/** Where the episode happened. */
export interface FleetWideWhere {
  readonly stage: string;
  readonly asgName: string;
}

/** The `GatewayProbesFailingFleetWide` detail of an episode. */
export function fleetWideFoundDetail(
  where: FleetWideWhere,
  episode: FleetWideEpisode,
): GatewayProbesFailingFleetWideDetail {
  const { answered, failing, answers } = episode.failure;
  return {
    stage: where.stage,
    asgName: where.asgName,
    answered,
    failing,
    answers: { ...answers },
    since: new Date(episode.since).toISOString(),
  };
}

/** The `GatewayProbesFleetWideCleared` detail of an episode that owes it (`cleared` set). */
export function fleetWideClearedDetail(
  where: FleetWideWhere,
  episode: FleetWideEpisode & { readonly cleared: NonNullable<FleetWideEpisode["cleared"]> },
): GatewayProbesFleetWideClearedDetail {
  return {
    stage: where.stage,
    asgName: where.asgName,
    answered: episode.cleared.answered,
    failing: episode.cleared.failing,
    since: new Date(episode.since).toISOString(),
    clearedAt: new Date(episode.cleared.at).toISOString(),
  };
}
