import { RUNTIME_MOUNT, WORKSPACE_MOUNT } from "@clawops/core/fleet";
import {
  batchInstanceIds,
  InstanceNotRegistered,
  isInvocationInFlight,
  runShellScript,
} from "@clawops/core/lifecycle";
import {
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

/**
 * Runs the readiness probe on every InService instance: one SendCommand per batch of 50, one wait for the
 * bounded script, then ONE ListCommandInvocations per batch. An instance without a usable result gets an
 * `ok: false` outcome with the reason (its checks report `unknown`), never a pass.
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
  if (commandIds.some((id) => id !== undefined)) await sleep((PROBE_EXECUTION_TIMEOUT_SECONDS + 2) * 1000);
  const listed = await Promise.all(commandIds.map((id) => (id ? listInvocations(id) : undefined)));
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
      else outcomes[id] = parseReadinessProbe(result.stdout);
    }
  });
  return outcomes;
}
