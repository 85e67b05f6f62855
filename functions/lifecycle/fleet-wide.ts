import type { ClawopsEnvironment } from "@clawops/core";
import { ClawopsDetailType } from "@clawops/core/events";
import {
  announcedEpisode,
  type FleetWideAnnouncement,
  type FleetWideEpisode,
  type FleetWideRun,
  fleetWideClearedDetail,
  fleetWideFoundDetail,
  nextFleetWideEpisode,
} from "@clawops/core/lifecycle";
import { putClawopsEvent } from "../clawops-event.js";
import { saveFleetWideEpisode } from "./health-history.js";

/** What announcing did: the episode to save with the run's state, and the call that failed, if any. */
export interface FleetWideReport {
  readonly episode: FleetWideEpisode | undefined;
  /** The calls that failed (the announcement is tried again next run), with their errors. */
  readonly failed: readonly { readonly call: string; readonly error: unknown }[];
}

/**
 * Publishes what the run owes of the fleet-wide episode (`nextFleetWideEpisode`): one `GatewayProbesFailingFleetWide`
 * when the breaker first holds back a mark, one `GatewayProbesFleetWideCleared` once the probes no longer fail
 * fleet-wide; the alerts path posts them. Once an episode, even when saves fail: the episode is saved as announced
 * (`saveFleetWideEpisode`, conditional on what this run loaded) before PutEvents, so neither a failed save of the
 * run's state nor Lambda's retry publishes it twice, and a run that finds it changed by another run leaves the
 * publishing to that run. The claim failing publishes nothing (next run tries again); PutEvents failing restores
 * the episode as owed (here, and in the run's state) so the next run tries again. Should both PutEvents and every
 * save after it fail, that announcement is lost (the unhealthy-gateways alarm still pages) rather than doubled.
 */
export async function announceFleetWide(
  env: ClawopsEnvironment,
  asgName: string,
  saved: FleetWideEpisode | undefined,
  run: FleetWideRun,
  now: number,
): Promise<FleetWideReport> {
  const { episode, announce } = nextFleetWideEpisode(saved, run, now);
  if (!episode || !announce) return { episode, failed: [] };
  const claimed = announcedEpisode(episode, announce);
  try {
    if (!(await saveFleetWideEpisode(env, asgName, saved, claimed, now)))
      return { episode: claimed, failed: [] };
  } catch (error) {
    return {
      episode,
      failed: [{ call: `UpdateItem (fleet-wide episode before ${announcementType(announce)})`, error }],
    };
  }
  try {
    await publish(env, asgName, episode, announce);
    return { episode: claimed, failed: [] };
  } catch (error) {
    const failed = [{ call: `PutEvents (${announcementType(announce)})`, error }];
    // Restored at once: the run's own save carries it too, but a PutItem of the whole item may fail where this
    // one-attribute UpdateItem does not.
    try {
      await saveFleetWideEpisode(env, asgName, claimed, episode, now);
    } catch (restoreError) {
      failed.push({ call: "UpdateItem (fleet-wide episode restored as owed)", error: restoreError });
    }
    return { episode, failed };
  }
}

function announcementType(announce: FleetWideAnnouncement) {
  return announce === "found"
    ? ClawopsDetailType.GatewayProbesFailingFleetWide
    : ClawopsDetailType.GatewayProbesFleetWideCleared;
}

async function publish(
  env: ClawopsEnvironment,
  asgName: string,
  episode: FleetWideEpisode,
  announce: FleetWideAnnouncement,
): Promise<void> {
  const where = { stage: env.stage, asgName };
  const detail =
    announce === "cleared" && episode.cleared
      ? fleetWideClearedDetail(where, { ...episode, cleared: episode.cleared })
      : fleetWideFoundDetail(where, episode);
  await putClawopsEvent(env, announcementType(announce), detail);
}
