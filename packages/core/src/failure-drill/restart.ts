/**
 * What became of the stopped gateway after an abort or an error. `restarted`: `systemctl start` succeeded;
 * `instance-gone`: the instance left the group (terminating or terminated), there is nothing to restart;
 * `start-queued`: the unit was not up yet when the start script stopped waiting, its start job queued behind
 * the stop job systemd still runs (a stop that gave up): the gateway comes back once the stop ends, `reason`
 * says what the script saw; `failed`: the gateway stays stopped, `reason` says why.
 */
export interface GatewayRestart {
  readonly outcome: "restarted" | "instance-gone" | "start-queued" | "failed";
  readonly reason: string | null;
}

/** A failed restart, with why. */
export function restartFailed(reason: string): GatewayRestart {
  return { outcome: "failed", reason };
}

/** The restart a result or an event detail carries, or null when it carries none (older records too). */
export function gatewayRestartOf(value: unknown): GatewayRestart | null {
  const r = value as Partial<GatewayRestart> | null | undefined;
  if (!r || !["restarted", "instance-gone", "start-queued", "failed"].includes(r.outcome ?? "")) return null;
  return {
    outcome: r.outcome as GatewayRestart["outcome"],
    reason: typeof r.reason === "string" ? r.reason : null,
  };
}

/** One sentence on the restart for people (Slack, the CLI, the execution's cause); empty when none was tried. */
export function restartSentence(instanceId: string, restart: GatewayRestart | null): string {
  if (!restart) return "";
  if (restart.outcome === "restarted") return `the gateway on ${instanceId} was restarted`;
  if (restart.outcome === "instance-gone")
    return `${instanceId} left the group, so there was no gateway to restart`;
  if (restart.outcome === "start-queued")
    return `the gateway on ${instanceId} is not back yet: its systemctl start is queued behind systemd's stop of the unit and starts it once that stop ends (${restart.reason ?? "unknown"})`;
  return `the gateway on ${instanceId} could not be restarted (${restart.reason ?? "unknown"}): it stays stopped until someone starts it or the group replaces the instance`;
}
