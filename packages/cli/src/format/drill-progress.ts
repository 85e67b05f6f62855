import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { formatDuration } from "@clawops/core/drills";

/** What the restore-drill workflow's branch input says about one file system (stacks/workflows/restore-drill.asl.json). */
interface BranchView {
  readonly fileSystem?: { readonly fileSystemId?: string; readonly kind?: string };
  readonly point?: { readonly rpoSeconds?: number };
  readonly restore?: { readonly percentDone?: number | null };
  readonly expectations?: {
    readonly manifest?: { readonly files?: Record<string, unknown> };
    readonly runtime?: { readonly files?: number };
  };
}

/** What one file system's branch is doing, by the state it last entered. */
function phase(state: string, branch: BranchView): string {
  const rpo =
    branch.point?.rpoSeconds === undefined ? "" : ` (RPO ${formatDuration(branch.point.rpoSeconds)})`;
  switch (state) {
    case "Route":
    case "ChooseRecoveryPoint":
      return "choosing the recovery point";
    case "StartRestore":
      return `recovery point chosen${rpo}, starting the restore`;
    case "WaitForRestore":
    case "PollRestore":
    case "RestoreDone": {
      const percent = branch.restore?.percentDone;
      return `restoring${percent === null || percent === undefined ? "" : ` ${percent}%`}${rpo}`;
    }
    case "PrepareWhileRestoring": {
      const percent = branch.restore?.percentDone;
      return `restoring${percent === null || percent === undefined ? "" : ` ${percent}%`}${rpo}, mounting the new file system for the verifier meanwhile`;
    }
    case "PrepareVerification":
    case "MountReady":
    case "WaitForMount":
      return "mounting the restored file system for the verifier";
    case "Verify": {
      const soul = Object.keys(branch.expectations?.manifest?.files ?? {}).length;
      const files = soul + (branch.expectations?.runtime?.files ?? 0);
      return files > 0 ? `verifying ${files} files` : "verifying";
    }
    case "StartCleanup":
    case "StartCleanupAfterError":
      return "cleaning up";
    default:
      return state;
  }
}

/** Top-level states that speak for the whole drill, not for one file system. */
const DRILL_PHASES: Readonly<Record<string, string>> = {
  Plan: "planning: finding the fleet's file systems",
  ReportWhileCleaningUp: "reporting, removing the restored file systems",
  Report: "reporting, removing the restored file systems",
  FinishCleanup: "reporting, removing the restored file systems",
  ReportFailure: "reporting the failure",
  ReportTheReportError: "reporting the failure",
  CleanupDrill: "cleaning up after a failure",
};

const parse = (text: string | undefined): unknown => {
  try {
    return JSON.parse(text ?? "null");
  } catch {
    return null;
  }
};

/** One step of a drill as its history shows it: when (epoch ms) and what. */
export interface DrillMilestone {
  readonly at: number;
  readonly line: string;
}

/** Each state a history entered, with the file system its branch is about (none for the drill's own states). */
function* enteredStates(events: readonly HistoryEvent[]) {
  for (const event of events) {
    const entered = event.stateEnteredEventDetails;
    if (!entered?.name) continue;
    const input = (parse(entered.input) as BranchView | null) ?? {};
    const drill = DRILL_PHASES[entered.name];
    const fileSystemId = drill ? undefined : input.fileSystem?.fileSystemId;
    yield {
      at: event.timestamp?.getTime() ?? 0,
      state: entered.name,
      input,
      drill,
      fileSystemId,
      what: fileSystemId ? phase(entered.name, input) : undefined,
    };
  }
}

/** The milestone of a branch that starts preparing the verifier's mount while its restore still runs. */
const MOUNTING_MEANWHILE = "mounting the new file system for the verifier while the restore runs";

/**
 * Every change of phase in a restore drill's execution history (oldest first), so a log shows each step even
 * when it began and ended between two polls: "fs-0abc: restoring 45% (RPO 3h 02m)", "fs-0abc: verifying 14
 * files", or the drill's own phase while it plans or reports. Each loop of a restore polls it, then prepares the
 * mount meanwhile (PollRestore, PrepareWhileRestoring): the restore's progress is a milestone when it changes,
 * the preparation one milestone of its own, the first time only.
 */
export function drillMilestones(events: readonly HistoryEvent[]): DrillMilestone[] {
  const milestones: DrillMilestone[] = [];
  const branches = new Map<string, string>();
  const mounting = new Set<string>();
  let last: string | undefined;
  const log = (at: number, line: string) => {
    if (line !== last) milestones.push({ at, line });
    last = line;
  };
  for (const { at, state, input, drill, fileSystemId } of enteredStates(events)) {
    if (drill) log(at, drill);
    if (!fileSystemId) continue;
    const meanwhile = state === "PrepareWhileRestoring";
    const what = phase(meanwhile ? "PollRestore" : state, input);
    if (branches.get(fileSystemId) !== what) {
      branches.set(fileSystemId, what);
      log(at, `${fileSystemId}: ${what}`);
    }
    if (meanwhile && !mounting.has(fileSystemId)) {
      mounting.add(fileSystemId);
      log(at, `${fileSystemId}: ${MOUNTING_MEANWHILE}`);
    }
  }
  return milestones;
}

/** The drill's current phase, one line for the spinner: every file system's phase, or the drill's own. */
export function drillProgress(events: readonly HistoryEvent[]): string | undefined {
  const branches = new Map<string, string>();
  let drillPhase: string | undefined;
  for (const { drill, fileSystemId, what } of enteredStates(events)) {
    if (drill) drillPhase = drill;
    else if (fileSystemId && what) {
      branches.set(fileSystemId, what);
      drillPhase = undefined;
    }
  }
  if (drillPhase) return drillPhase;
  if (branches.size === 0) return undefined;
  return [...branches].map(([id, what]) => `${id}: ${what}`).join("; ");
}

/** The cleanup task's report in a state's output (stacks/workflows/restore-drill.asl.json, functions/drills/cleanup.ts). */
interface CleanupView {
  readonly kept?: unknown;
  readonly howToRemove?: unknown;
}

/** States that end with a cleanup report: a branch's (its output) and the drill's after a failure (`cleanup.result`). */
const CLEANUP_STATES = new Set(["StartCleanup", "StartCleanupAfterError", "FinishCleanup", "CleanupDrill"]);

/**
 * The restored file systems the drill's cleanups left in place (`--keep`), each with the command the cleanup
 * task gave to remove it, from the execution history (the output of a failed execution is empty).
 */
export function keptFileSystems(
  events: readonly HistoryEvent[],
): { readonly fileSystemId: string; readonly howToRemove?: string }[] {
  const kept = new Map<string, string | undefined>();
  for (const event of events) {
    const exited = event.stateExitedEventDetails;
    if (!exited?.name || !CLEANUP_STATES.has(exited.name)) continue;
    const output = parse(exited.output) as {
      cleanup?: CleanupView & { result?: { cleanup?: CleanupView } };
    } | null;
    const cleanup = output?.cleanup?.result?.cleanup ?? output?.cleanup;
    const ids = Array.isArray(cleanup?.kept) ? cleanup.kept : [];
    const commands = Array.isArray(cleanup?.howToRemove) ? cleanup.howToRemove : [];
    ids.forEach((id, i) => {
      if (typeof id !== "string") return;
      const command = commands[i];
      kept.set(id, typeof command === "string" ? command : kept.get(id));
    });
  }
  return [...kept].map(([fileSystemId, howToRemove]) =>
    howToRemove ? { fileSystemId, howToRemove } : { fileSystemId },
  );
}
