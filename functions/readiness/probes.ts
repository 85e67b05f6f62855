import { RUNTIME_MOUNT, WORKSPACE_MOUNT } from "@clawops/core/fleet";
import {
  batchInstanceIds,
  InstanceNotRegistered,
  type InvocationResult,
  isInvocationInFlight,
  runShellScript,
} from "@clawops/core/lifecycle";
import {
  PLUGIN_OUTPUT_LIMIT,
  type ProbeOutcome,
  parseReadinessProbe,
  type ReadinessSettings,
  readinessProbeCommands,
  tuning,
} from "@clawops/core/readiness";
import { listInvocations, sendCommand } from "../lifecycle/run-command.js";

/** Waits real time in Lambda; tests, the sandbox and benchmarks pass their own. */
export type Sleep = (ms: number) => Promise<void>;

/** The whole probe script's bound (its steps are bounded below it: the scan at 20 s, curl at a few). */
export const PROBE_EXECUTION_TIMEOUT_SECONDS = 45;

/** First look at the results: the egress probe alone waits its 5 s timeout, plus SSM's delivery. */
export const PROBE_FIRST_LOOK_SECONDS = 10;
/** Then every few seconds, until every invocation ended or the script's bound (+ 2 s) has passed. */
export const PROBE_LOOK_EVERY_SECONDS = 5;

/**
 * Runs the readiness probe on every InService instance: one SendCommand per batch of 50, then ONE
 * ListCommandInvocations per batch at the first look and again, for a batch still running, every few seconds
 * up to the bounded script's timeout: the run waits as long as the slowest instance, not always the bound
 * (Lambda bills the wait). An instance without a usable result gets an `ok: false` outcome with the reason (its
 * checks report `unknown`), never a pass.
 */
export async function probeInstances(
  instanceIds: readonly string[],
  settings: ReadinessSettings,
  sleep: Sleep,
): Promise<Record<string, ProbeOutcome>> {
  const t = tuning(settings);
  const commands = readinessProbeCommands({
    workspacePath: settings.fleet.workspace.mountPath || WORKSPACE_MOUNT,
    runtimePath: settings.fleet.runtime.mountPath || RUNTIME_MOUNT,
    homePaths: ["/home", "/root"],
    egressHost: t.egressProbeHost,
    egressPort: t.egressProbePort,
    egressTimeoutSeconds: t.egressProbeTimeoutSeconds,
  });
  const batches = batchInstanceIds(instanceIds);
  const outcomes: Record<string, ProbeOutcome> = {};
  const commandIds = await Promise.all(
    batches.map((batch) =>
      sendCommand(
        runShellScript(batch, commands, {
          comment: "clawops readiness probe",
          executionTimeoutSeconds: PROBE_EXECUTION_TIMEOUT_SECONDS,
        }),
      ).catch((error: unknown) => {
        if (!(error instanceof InstanceNotRegistered)) throw error;
        for (const id of batch)
          outcomes[id] = { ok: false, reason: "SSM agent not registered (InvalidInstanceId)" };
        return undefined;
      }),
    ),
  );
  const listed = await collectResults(commandIds, batches, sleep);
  batches.forEach((batch, index) => {
    const results = listed[index];
    if (!results) return;
    for (const id of batch) {
      const result = results.get(id);
      if (!result)
        outcomes[id] = { ok: false, reason: "no invocation listed (agent offline or SSM still delivering)" };
      else if (isInvocationInFlight(result))
        outcomes[id] = {
          ok: false,
          reason: `still ${result.status} after ${PROBE_EXECUTION_TIMEOUT_SECONDS} s`,
        };
      else if (result.status === "TimedOut")
        outcomes[id] = { ok: false, reason: "the probe timed out on the instance" };
      else outcomes[id] = parse(result.stdout);
    }
  });
  return outcomes;
}

/** The probe's outcome; an output cut at SSM's limit says so (its checks are `unknown`, never a pass). */
function parse(stdout: string): ProbeOutcome {
  const outcome = parseReadinessProbe(stdout);
  if (outcome.ok || stdout.length < PLUGIN_OUTPUT_LIMIT) return outcome;
  return {
    ok: false,
    reason: `probe output cut at SSM's ${PLUGIN_OUTPUT_LIMIT.toLocaleString("en-US")} characters (${outcome.reason})`,
  };
}

/**
 * One list per sent batch, looked at again while an invocation of it is still running or not listed yet,
 * within the bound.
 */
async function collectResults(
  commandIds: readonly (string | undefined)[],
  batches: readonly (readonly string[])[],
  sleep: Sleep,
): Promise<(Map<string, InvocationResult> | undefined)[]> {
  const listed: (Map<string, InvocationResult> | undefined)[] = commandIds.map(() => undefined);
  const running = (index: number) => {
    const results = listed[index];
    return (batches[index] ?? []).some((id) => {
      const result = results?.get(id);
      return !result || isInvocationInFlight(result);
    });
  };
  const bound = (PROBE_EXECUTION_TIMEOUT_SECONDS + 2) * 1000;
  let waited = 0;
  let next = PROBE_FIRST_LOOK_SECONDS * 1000;
  let pending = commandIds.flatMap((id, index) => (id ? [index] : []));
  while (pending.length > 0) {
    await sleep(next);
    waited += next;
    await Promise.all(
      pending.map(async (index) => {
        listed[index] = await listInvocations(commandIds[index] as string);
      }),
    );
    pending = pending.filter(running);
    next = Math.min(PROBE_LOOK_EVERY_SECONDS * 1000, bound - waited);
    if (next <= 0) break;
  }
  return listed;
}
