/**
 * State transitions (and Lambda task invocations) of one launch gate, one restore drill and one failure drill,
 * counted on the real ASL files (stacks/workflows) along the path an execution takes: the path is checked state
 * by state against the definition (each step must be a `Next`, a `Default` or a Choice's target), so a renamed or
 * rewired state fails loudly instead of leaving a stale count. Step Functions bills every state entered, retries included.
 */
import { readFileSync } from "node:fs";
import { prepareWaitSeconds, restorePollDelaySeconds } from "@clawops/core/drills";

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly End?: boolean;
  readonly Choices?: ReadonlyArray<{ readonly Next: string }>;
  readonly Branches?: readonly Asl[];
  readonly ItemProcessor?: Asl;
  readonly Iterator?: Asl;
}
interface Asl {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** What one path through a workflow costs. */
export interface WorkflowRun {
  readonly transitions: number;
  /** Lambda invocations of its Task states. */
  readonly tasks: number;
}

const add = (a: WorkflowRun, b: WorkflowRun): WorkflowRun => ({
  transitions: a.transitions + b.transitions,
  tasks: a.tasks + b.tasks,
});
const times = (n: number, run: WorkflowRun): WorkflowRun => ({
  transitions: n * run.transitions,
  tasks: n * run.tasks,
});

function readAsl(file: string): Asl {
  return JSON.parse(readFileSync(new URL(`../stacks/workflows/${file}`, import.meta.url), "utf8")) as Asl;
}

/**
 * The states `path` enters in `asl`, checked against it; `nested` prices what a Map or Parallel state runs inside
 * (its own entry is counted here).
 */
function walk(
  asl: Asl,
  path: readonly string[],
  nested: (state: string, definition: AslState) => WorkflowRun = () => ({ transitions: 0, tasks: 0 }),
): WorkflowRun {
  if (path[0] !== asl.StartAt) throw new Error(`a path must start at ${asl.StartAt}, not ${path[0]}`);
  let run: WorkflowRun = { transitions: 0, tasks: 0 };
  path.forEach((name, i) => {
    const state = asl.States[name];
    if (!state) throw new Error(`the workflow has no state ${name}`);
    const next = path[i + 1];
    const targets = [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)];
    if (next === undefined) {
      if (!(state.End || state.Type === "Succeed" || state.Type === "Fail"))
        throw new Error(`${name} does not end the workflow`);
    } else if (!targets.includes(next)) throw new Error(`${name} does not lead to ${next}`);
    run = add(run, { transitions: 1, tasks: state.Type === "Task" ? 1 : 0 });
    if (state.Type === "Map" || state.Type === "Parallel") run = add(run, nested(name, state));
  });
  return run;
}

/**
 * A launch gate that admits its instance after `probes` probes: each probe a Probe that sends, a 2 s wait and a
 * Probe that reads (NextStep after each), a wait for the next probe between two of them, then Continue. The
 * lifecycle benchmark measures the probes (`ssmCallsPerGate`: a SendCommand and a GetCommandInvocation each).
 */
export function launchGateRun(probes: number): WorkflowRun {
  const probe = (last: boolean) => [
    "Probe",
    "NextStep",
    "WaitForProbeOutput",
    "Probe",
    "NextStep",
    ...(last ? [] : ["WaitBeforeProbe"]),
  ];
  const path = [
    "StartGate",
    ...Array.from({ length: probes }, (_, i) => probe(i === probes - 1)).flat(),
    "Continue",
    "Admitted",
  ];
  return walk(readAsl("launch-gate.asl.json"), path);
}

/** What a drill's duration depends on: AWS's times, none of which AWS publishes (assumptions, in seconds). */
export interface DrillTimings {
  /** The restore job's run time (both file systems restore at once). */
  readonly restoreSeconds: number;
  /** From the restored file system appearing to the verifier's mount being ready (mount targets, then Lambda). */
  readonly prepareSeconds: number;
  /** EFS deleting the mount targets before the restored file system can go (FinishCleanup retries every 10 s). */
  readonly mountTargetsDeleteSeconds: number;
}

/** Polls `delay(attempt)` apart until `seconds` have passed: how many. */
function pollsWithin(seconds: number, delay: (attempt: number) => number): number {
  let polls = 0;
  for (let waited = 0; waited < seconds; polls++) waited += delay(polls);
  return Math.max(polls, 1);
}

/** FinishCleanup's retry interval on NotReadyError (restore-drill.asl.json). */
const FINISH_CLEANUP_RETRY_SECONDS = 10;

/**
 * One passing restore drill of `fileSystems` file systems (each its own branch of the Map, restoring at once),
 * polled as the drill polls (`restorePollDelaySeconds`, `prepareWaitSeconds`: the same functions the tasks use).
 * While the restore runs, each poll also prepares the verification until the mount is ready. A validation of a
 * restore testing job (`validation`) starts at the job's status, already restored: one poll, then the whole
 * preparation is waited for.
 */
export function restoreDrillRun(fileSystems: number, timings: DrillTimings, validation = false): WorkflowRun {
  const asl = readAsl("restore-drill.asl.json");
  if (validation) timings = { ...timings, restoreSeconds: 0 };
  const polls = validation ? 1 : pollsWithin(timings.restoreSeconds, restorePollDelaySeconds);
  const preparingPolls = Math.min(polls - 1, pollsWithin(timings.prepareSeconds, restorePollDelaySeconds));
  const poll = (i: number) => [
    "WaitForRestore",
    "PollRestore",
    "RestoreDone",
    ...(i < polls - 1 && i < preparingPolls ? ["PrepareWhileRestoring"] : []),
  ];
  // Once the restore has completed, preparation is done (it ran during the restore) unless the restore was the
  // shorter: then PrepareVerification waits the rest.
  const mountWaits =
    timings.prepareSeconds > timings.restoreSeconds
      ? pollsWithin(timings.prepareSeconds - timings.restoreSeconds, (a) =>
          prepareWaitSeconds("mount-targets", a),
        )
      : 0;
  const branch = [
    "Route",
    ...(validation
      ? ["PollRestore", "RestoreDone"]
      : ["ChooseRecoveryPoint", "StartRestore", ...Array.from({ length: polls }, (_, i) => poll(i)).flat()]),
    "PrepareVerification",
    "MountReady",
    ...Array.from({ length: mountWaits }, () => ["WaitForMount", "PrepareVerification", "MountReady"]).flat(),
    "Verify",
    "StartCleanup",
  ];
  const cleanupRetries = Math.ceil(timings.mountTargetsDeleteSeconds / FINISH_CLEANUP_RETRY_SECONDS);
  const inside = (state: string, definition: AslState): WorkflowRun => {
    const processor = definition.ItemProcessor ?? definition.Iterator;
    if (state === "DrillEachFileSystem" && processor) return times(fileSystems, walk(processor, branch));
    const [report, cleanups] = definition.Branches ?? [];
    if (state === "ReportWhileCleaningUp" && report && cleanups)
      return add(
        walk(report, ["Report"]),
        walk(cleanups, ["FinishCleanups"], (_, map) => {
          const each = map.ItemProcessor ?? map.Iterator;
          if (!each) throw new Error("FinishCleanups is not a Map");
          const retried = { transitions: cleanupRetries, tasks: cleanupRetries };
          return times(fileSystems, add(walk(each, ["FinishCleanup"]), retried));
        }),
      );
    throw new Error(`the restore drill's ${state} is not priced (bench/cost-workflows.ts)`);
  };
  return walk(
    asl,
    ["Request", "Plan", "DrillEachFileSystem", "ReportWhileCleaningUp", "Passed", "DrillPassed"],
    inside,
  );
}

/**
 * One passing failure drill that observes `observations` times (every `OBSERVE_INTERVAL_SECONDS`, until the
 * alarm, the alert, the replacement and the alarm's recovery are seen): preflight, announce, stop the gateway,
 * each observation's wait, Observe and choice, then record and announce the result.
 */
export function failureDrillRun(observations: number): WorkflowRun {
  const path = [
    "Preflight",
    "Allowed",
    "AnnounceStart",
    "StopGateway",
    ...Array.from({ length: Math.max(observations, 1) }, () => [
      "WaitToObserve",
      "Observe",
      "NextStep",
    ]).flat(),
    "Record",
    "AnnounceEnd",
    "Passed",
    "Done",
  ];
  return walk(readAsl("failure-drill.asl.json"), path);
}
