import { describe, expect, it } from "vitest";
import {
  announcedEpisode,
  type FleetWideEpisode,
  type FleetWideRun,
  fleetWideClearedDetail,
  fleetWideFoundDetail,
  nextFleetWideEpisode,
} from "../../src/lifecycle/fleet-wide.js";

const T0 = Date.parse("2026-03-02T10:06:00Z");
const NOW = Date.parse("2026-03-02T10:41:00Z");
const failure = { answered: 4, failing: 4, answers: { "HTTP 404": 4 } };
const failing: FleetWideRun = { failure, tripped: true, judgeable: true, answered: 4, failing: 4 };
const failingNotDue: FleetWideRun = { ...failing, tripped: false };
const recovered: FleetWideRun = {
  failure: undefined,
  tripped: false,
  judgeable: true,
  answered: 4,
  failing: 1,
};
const unjudgeable: FleetWideRun = {
  failure: undefined,
  tripped: false,
  judgeable: false,
  answered: 1,
  failing: 1,
};
const owed: FleetWideEpisode = { since: T0, failure, announced: false };
const out: FleetWideEpisode = { since: T0, failure, announced: true };
const clearing: FleetWideEpisode = { ...out, cleared: { at: T0 + 60_000, answered: 4, failing: 0 } };

describe("Function: nextFleetWideEpisode", () => {
  it.each<
    [string, FleetWideEpisode | undefined, FleetWideRun, FleetWideEpisode | undefined, string | undefined]
  >([
    [
      "begins an episode when the breaker holds back a mark",
      undefined,
      failing,
      { ...owed, since: NOW },
      "found",
    ],
    ["begins none while no mark is due yet", undefined, failingNotDue, undefined, undefined],
    ["begins none when the probes pass", undefined, recovered, undefined, undefined],
    ["retries a found PutEvents refused", owed, failingNotDue, owed, "found"],
    ["retries a found even in a run too few probes answered", owed, unjudgeable, owed, "found"],
    ["ends an episode nobody heard of quietly", owed, recovered, undefined, undefined],
    ["says nothing more while the episode goes on", out, failing, out, undefined],
    ["keeps the episode through a run too few probes answered", out, unjudgeable, out, undefined],
    [
      "owes the cleared once the probes recover",
      out,
      recovered,
      { ...out, cleared: { at: NOW, answered: 4, failing: 1 } },
      "cleared",
    ],
    ["retries a cleared PutEvents refused", clearing, recovered, clearing, "cleared"],
    [
      "continues the episode when the probes fail again before the cleared is out",
      clearing,
      failing,
      out,
      undefined,
    ],
  ])("%s", (_case, saved, run, episode, announce) => {
    expect(nextFleetWideEpisode(saved, run, NOW)).toEqual({ episode, ...(announce ? { announce } : {}) });
  });

  it("saves the found as out, and no episode once the cleared is out", () => {
    expect(announcedEpisode(owed, "found")).toEqual(out);
    expect(announcedEpisode(clearing, "cleared")).toBeUndefined();
  });
});

describe("Function: fleetWideFoundDetail and fleetWideClearedDetail", () => {
  const where = { stage: "prod", asgName: "clawops-prod-fleet" };

  it("carries what the probes answered and since when", () => {
    expect(fleetWideFoundDetail(where, out)).toEqual({
      stage: "prod",
      asgName: "clawops-prod-fleet",
      answered: 4,
      failing: 4,
      answers: { "HTTP 404": 4 },
      since: "2026-03-02T10:06:00.000Z",
    });
  });

  it("carries the run that saw the probes recover", () => {
    expect(fleetWideClearedDetail(where, { ...clearing, cleared: clearing.cleared! })).toEqual({
      stage: "prod",
      asgName: "clawops-prod-fleet",
      answered: 4,
      failing: 0,
      since: "2026-03-02T10:06:00.000Z",
      clearedAt: "2026-03-02T10:07:00.000Z",
    });
  });
});
