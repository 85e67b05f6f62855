/**
 * The bad-input corpus of the state machines' own inputs, which no Lambda rule target sees: what `StartExecution`
 * hands the failure drill (`{ instanceId?, dryRun? }`, from `clawops drill --failure`) and the restore drill
 * (`{ keep?, fileSystemIds? }`, from `clawops drill`), and what the Drills stack's `RestoreTestingCompleted` rule
 * hands the restore drill (AWS Backup's `Restore Job State Change`). Their tasks never dead-letter (a Step
 * Functions task's failure is its execution's: `packages/core/src/handler/lambda-handler.ts`), so each bad input
 * must fail its execution with a named error and a readable cause, or be refused, and do nothing: no gateway
 * stopped, no lock left, no restore started, nothing left behind.
 */
import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import { makeClient } from "@clawops/core/aws";
import { GATEWAY_STOP_MARKER } from "@clawops/core/failure-drill";
import { lifecycleSettings } from "@clawops/core/lifecycle";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockHolder } from "../../functions/failure-drill/drill-lock.js";
import { type AlertsInstall, installAlerts } from "../../packages/sandbox/src/gameday/scenes/alerts.js";
import {
  type DrillsInstall,
  drillLeftovers,
  installDrills,
} from "../../packages/sandbox/src/gameday/scenes/drills.js";
import {
  type FailureDrillInstall,
  installFailureDrill,
} from "../../packages/sandbox/src/gameday/scenes/failure-drill.js";
import { createSandbox, type Sandbox } from "../../packages/sandbox/src/sandbox.js";
import type { ExecutionRecord } from "../../packages/sandbox/src/stepfunctions.js";
import { trackRealIo } from "../../packages/sandbox/tests/faults/real-io.js";
import { sdkRetriesOnClock } from "../../packages/sandbox/tests/faults/sdk-retries.js";
import { INJECTION, OVERSIZE } from "./corpus.js";

let box: Sandbox;
let alerts: AlertsInstall;
let failureDrill: FailureDrillInstall;
let drills: DrillsInstall;
const undo: (() => void)[] = [];

beforeAll(async () => {
  // Two gateways, so a failure drill is not refused for the fleet's size before it looks at its input.
  box = await createSandbox({ fleetSize: 2, gateways: false });
  undo.push(trackRealIo(box), sdkRetriesOnClock(box.clock));
  // Both admitted (no gate here: their launch actions completed by hand), so the preflight judges the request.
  await box.clock.runUntil(() => box.fleet.instances().every((i) => i.lifecycleState === "Pending:Wait"), {
    limitMs: 60_000,
  });
  const { launchHookName } = lifecycleSettings(box.config, box.description);
  for (const { instanceId } of box.fleet.instances())
    await makeClient(AutoScalingClient).send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: box.description.autoScalingGroupName,
        LifecycleHookName: launchHookName,
        InstanceId: instanceId,
        LifecycleActionResult: "CONTINUE",
      }),
    );
  await box.clock.runUntil(() => box.fleet.instances().every((i) => i.lifecycleState === "InService"), {
    limitMs: 10 * 60_000,
  });
  await box.clock.advance(3 * 3_600_000); // Three hours after the daily backup taken at boot.
  alerts = await installAlerts(box);
  failureDrill = await installFailureDrill(box);
  drills = await installDrills(box);
}, 120_000);

afterAll(async () => {
  for (const fn of undo.splice(0).reverse()) fn();
  drills?.uninstall();
  failureDrill?.uninstall();
  alerts?.uninstall();
  await box?.close();
});

/** Starts an execution with `input` and runs the clock until it ended and the bus delivered what it published. */
async function execute(stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionRecord> {
  const execution = box.stepFunctions.start(stateMachineArn, input, name);
  await box.clock.runUntil(() => execution.status !== "RUNNING", { step: 1_000, limitMs: 6 * 3_600_000 });
  await box.events.bus.idle();
  return execution;
}

const published = (type: string) => box.events.published({ source: ["clawops"], "detail-type": [type] });

/** A failure drill's input, and how it must fail. */
interface FailureDrillCase {
  readonly what: string;
  readonly input: unknown;
  readonly error: string;
  /**
   * Matches the execution's cause: the preflight's reason for a refusal; for a malformed request, one line naming
   * the field, what it expected and what it got.
   */
  readonly cause: RegExp;
}

const UNKNOWN_INSTANCE = "i-0123456789abcdef0";

const FAILURE_DRILL_CASES: readonly FailureDrillCase[] = [
  {
    what: "a string instead of the request",
    input: INJECTION,
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: \(root\): expected object, got "/,
  },
  {
    what: "an array",
    input: [{ dryRun: true }],
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: \(root\): expected object, got array$/,
  },
  {
    what: "dryRun a string",
    input: { dryRun: "yes" },
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: dryRun: expected boolean, got "yes"$/,
  },
  {
    what: "instanceId a number",
    input: { instanceId: 42 },
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: instanceId: expected string, got 42$/,
  },
  {
    what: "instanceId with a path and mrkdwn injection",
    input: { instanceId: `i-../../${INJECTION}` },
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: instanceId: expected a value matching /,
  },
  {
    what: "instanceId empty",
    input: { instanceId: "" },
    error: "PermanentError",
    cause: /^invalid input: Invalid failure drill request: instanceId: expected a value matching /,
  },
  {
    what: "an instance id of no instance of the group",
    input: { instanceId: UNKNOWN_INSTANCE },
    error: "FailureDrillRefused",
    cause: new RegExp(`^${UNKNOWN_INSTANCE} is not an InService, healthy instance of the group`),
  },
  {
    what: `an instance id of ${OVERSIZE.toLocaleString("en")} characters`,
    input: { instanceId: `i-${"a".repeat(OVERSIZE)}` },
    error: "PermanentError",
    cause:
      /^invalid input: Invalid failure drill request: instanceId: expected a value matching .*, got "i-a{55}\.\.\."$/,
  },
];

describe("Bad input: the failure drill's StartExecution input", () => {
  it.each(FAILURE_DRILL_CASES.map((c) => [c.what, c] as const))(
    "%s: the execution fails clearly and nothing is done",
    async (_what, c) => {
      const stopsBefore = box.aws.calls("SSM", "SendCommand").length;
      const execution = await execute(failureDrill.stateMachineArn, c.input);

      expect([execution.status, execution.error]).toEqual(["FAILED", c.error]);
      expect(execution.cause ?? "").toMatch(c.cause);
      // Nothing done: no command sent to any instance (the stop is one), no lock left, nothing announced.
      const sent = box.aws.calls("SSM", "SendCommand").slice(stopsBefore);
      expect(sent.filter((call) => JSON.stringify(call.input).includes(GATEWAY_STOP_MARKER))).toEqual([]);
      expect(await lockHolder(box.dynamo.table, box.clock.now())).toBeNull();
      expect(published("FailureDrillStarted")).toEqual([]);
      expect(box.deadLetters.records()).toEqual([]);
    },
  );
});

/** A restore drill's input (or a restore-testing event), and what must become of it. */
interface RestoreDrillCase {
  readonly what: string;
  readonly input: unknown;
  readonly outcome: /** The execution fails (`DrillFailed`) and the DrillFailed event gives this reason. */
    | { readonly drillFailed: RegExp }
    /** The execution fails with this error before its Plan's Catch can report it: no event, no drill record. */
    | { readonly failedUnreported: string }
    /** The execution ends without a drill and reports nothing (nothing to do for it). */
    | "ignored";
}

const RESTORE_DRILL_CASES: readonly RestoreDrillCase[] = [
  // Whatever the input, it reaches Plan as `$.request` (the Request state): a request the Plan cannot read fails
  // the drill with one line naming the field, what it expected and what it got.
  {
    what: "a string instead of the request",
    input: INJECTION,
    outcome: {
      drillFailed: /^EventValidationError: Invalid drill request: \(root\): expected object, got "/,
    },
  },
  {
    what: "an array",
    input: [{ keep: true }],
    outcome: {
      drillFailed: /^EventValidationError: Invalid drill request: \(root\): expected object, got array$/,
    },
  },
  {
    what: "keep a string",
    input: { keep: "yes" },
    outcome: {
      drillFailed: /^EventValidationError: Invalid drill request: keep: expected boolean, got "yes"$/,
    },
  },
  {
    what: "fileSystemIds a string",
    input: { fileSystemIds: "fs-0123456789abcdef0" },
    outcome: {
      drillFailed:
        /^EventValidationError: Invalid drill request: fileSystemIds: expected array, got "fs-0123456789abcdef0"$/,
    },
  },
  // Ids of no fleet file system would drill nothing: the drill fails, naming them and the fleet's own.
  {
    what: "fileSystemIds of no file system of the fleet",
    input: { fileSystemIds: ["fs-0123456789abcdef0"] },
    outcome: {
      drillFailed:
        /^PermanentError: the drill request names file systems the fleet does not have: "fs-0123456789abcdef0" \(the fleet's: fs-/,
    },
  },
  {
    what: "fileSystemIds with injection and oversize text",
    input: { fileSystemIds: [`../${INJECTION}`, "x".repeat(OVERSIZE)] },
    outcome: {
      drillFailed:
        /^PermanentError: the drill request names file systems the fleet does not have: ".*", "x{57}\.\.\."/,
    },
  },
];

/** Nothing restored, nothing new left behind, nothing dead-lettered (task handlers never dead-letter). */
async function expectNothingRestored(
  restoresBefore: number,
  leftoversBefore: readonly string[],
): Promise<void> {
  expect(box.aws.calls("Backup", "StartRestoreJob").length - restoresBefore).toBe(0);
  expect(await drillLeftovers(box)).toEqual(leftoversBefore);
  expect(box.deadLetters.records()).toEqual([]);
}

function judgeRestoreDrill(execution: ExecutionRecord, outcome: RestoreDrillCase["outcome"]): void {
  const reports = [...published("DrillFailed"), ...published("DrillCompleted")].filter(
    (e) => e.detail.drillId === execution.name,
  );
  if (outcome === "ignored") {
    expect(execution.status).toBe("SUCCEEDED");
    expect(reports).toEqual([]);
  } else if ("failedUnreported" in outcome) {
    expect([execution.status, execution.error]).toEqual(["FAILED", outcome.failedUnreported]);
    expect(reports).toEqual([]);
  } else {
    expect([execution.status, execution.error]).toEqual(["FAILED", "DrillFailed"]);
    expect(reports.map((e) => e["detail-type"])).toEqual(["DrillFailed"]);
    expect(String(reports[0]?.detail.reason)).toMatch(outcome.drillFailed);
  }
}

describe("Bad input: the restore drill's StartExecution input", () => {
  it.each(RESTORE_DRILL_CASES.map((c) => [c.what, c] as const))(
    "%s: a clear failure, or no drill, and nothing restored",
    async (_what, c) => {
      const restoresBefore = box.aws.calls("Backup", "StartRestoreJob").length;
      const leftoversBefore = await drillLeftovers(box);
      const execution = await execute(drills.stateMachineArn, c.input);

      judgeRestoreDrill(execution, c.outcome);
      await expectNothingRestored(restoresBefore, leftoversBefore);
    },
  );
});

/** The restore drill's execution started for the event `id`. */
const executionOf = (id: string) =>
  box.stepFunctions
    .list(drills.stateMachineArn)
    .find((e) => (JSON.parse(e.input) as { id?: unknown } | null)?.id === id);

/** A `Restore Job State Change` of the stage's restore testing plan, as AWS Backup sends it. */
type BackupEvent = { id: string; source: string; detail: Record<string, unknown> } & Record<string, unknown>;

describe("Bad input: the RestoreTestingCompleted rule's target (the restore drill)", () => {
  let valid: BackupEvent;
  beforeAll(async () => {
    const point = [...box.aws.models.backup.recoveryPoints.values()][0];
    if (!point) throw new Error("the sandbox has no recovery point");
    box.aws.models.backup.startRestoreTestingJob(point.arn, drills.restoreTestingPlanArn);
    const done = () =>
      box.events.published({
        source: ["aws.backup"],
        detail: { status: ["COMPLETED"], restoreTestingPlanArn: [{ exists: true }] },
      });
    await box.clock.runUntil(() => done().length > 0, { step: 1_000, limitMs: 3_600_000 });
    valid = structuredClone(done().at(-1)) as unknown as BackupEvent;
    // Its own validation runs to its end first (passed): the cases start from a copy of its event.
    const validation = () => executionOf(valid.id);
    await box.clock.runUntil(() => validation() !== undefined && validation()?.status !== "RUNNING", {
      step: 1_000,
      limitMs: 6 * 3_600_000,
    });
    await box.events.bus.idle();
    expect(validation()?.status).toBe("SUCCEEDED");
  }, 300_000);

  // The rule delivers only COMPLETED jobs of the stage's plan; the Plan task validates an aws.backup event as one
  // (parseEvent's one-line reason) and asks AWS Backup about its job.
  const CASES: readonly (Omit<RestoreDrillCase, "input"> & {
    readonly make: (event: BackupEvent) => unknown;
  })[] = [
    {
      what: "restoreJobId a number",
      make: (e) => ({ ...e, detail: { ...e.detail, restoreJobId: 42 } }),
      outcome: { drillFailed: /^EventValidationError: .*: detail\.restoreJobId: expected string, got 42$/ },
    },
    {
      what: "restoreJobId missing",
      make: (e) => ({ ...e, detail: { ...e.detail, restoreJobId: undefined } }),
      outcome: {
        drillFailed: /^EventValidationError: .*: detail\.restoreJobId: expected string, got undefined$/,
      },
    },
    {
      what: "detail a string",
      make: (e) => ({ ...e, detail: INJECTION }),
      outcome: { drillFailed: /^EventValidationError: .*: detail: expected object, got "<!channel>/ },
    },
    {
      what: "a restore job AWS Backup does not know, with injection text",
      make: (e) => ({ ...e, detail: { ...e.detail, restoreJobId: `../../${INJECTION}` } }),
      outcome: {
        drillFailed: /^ResourceNotFoundException: Restore job \.\.\/\.\.\/<!channel> .* not found$/,
      },
    },
    {
      what: `a status message of ${OVERSIZE.toLocaleString("en")} characters on an unknown job`,
      make: (e) => ({
        ...e,
        detail: {
          ...e.detail,
          restoreJobId: "00000000-0000-0000-0000-000000000000",
          statusMessage: "x".repeat(OVERSIZE),
        },
      }),
      outcome: {
        drillFailed: /^ResourceNotFoundException: Restore job 0{8}-0{4}-0{4}-0{4}-0{12} not found$/,
      },
    },
    {
      what: "a status the rule does not deliver (FAILED), handed anyway",
      make: (e) => ({ ...e, detail: { ...e.detail, status: "FAILED" } }),
      outcome: "ignored",
    },
  ];

  it.each(CASES.map((c) => [c.what, c] as const))(
    "%s: a clear failure (DrillFailed with the reason) or ignored, and nothing restored",
    async (_what, c) => {
      const restoresBefore = box.aws.calls("Backup", "StartRestoreJob").length;
      const leftoversBefore = await drillLeftovers(box);
      const id = `corpus-${c.what.replace(/\W+/g, "-")}`;
      const event = c.make({ ...structuredClone(valid), id });
      box.events.bus.invoke("clawops-drills-RestoreTestingCompleted", event);
      await box.clock.runUntil(() => executionOf(id) !== undefined && executionOf(id)?.status !== "RUNNING", {
        step: 1_000,
        limitMs: 6 * 3_600_000,
      });
      await box.events.bus.idle();
      const execution = executionOf(id);
      if (!execution) throw new Error("the rule's target started no execution");

      judgeRestoreDrill(execution, c.outcome);
      // A validation is written once per job, and only for a job of this plan: none here.
      expect(
        box.aws
          .calls("Backup", "PutRestoreValidationResult")
          .filter((call) => call.input.RestoreJobId !== valid.detail.restoreJobId),
      ).toEqual([]);
      await expectNothingRestored(restoresBefore, leftoversBefore);
    },
  );
});
