import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drillTasks } from "../../../../functions/drills/tasks.js";
import type { ServiceModel } from "../../src/aws/simulator.js";
import { type DrillsInstall, drillLeftovers, installDrills } from "../../src/gameday/scenes/drills.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const tasks = drillTasks as unknown as Record<string, Handler>;
const realVerifier = tasks.VerifierFunctionArn as Handler;

/** What Lambda reports to Step Functions when a function runs out of time. */
class LambdaTimeout extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = "Sandbox.Timedout";
  }
}

let box: Sandbox;
let flow: DrillsInstall;
/** Set by a test: the verifier Lambda runs out of time instead of verifying. */
let verifierTimesOut = false;
/** Set by a test: AWS Backup reports every restore job as RUNNING at this percentage, for ever. */
let restoresHang = false;

// One sandbox for the file, as in the drills end-to-end test: the drill handlers, like Lambda containers, read
// their environment once, at the first invocation.
beforeAll(async () => {
  // The verifier as the stack deploys it, unless the test makes it time out (after its 900 s, on the clock).
  tasks.VerifierFunctionArn = async (event, context) => {
    if (!verifierTimesOut) return realVerifier(event, context);
    await box.clock.sleep(900_000);
    throw new LambdaTimeout(900);
  };
  // Drills need no gateway processes. A failed asynchronous invocation is retried as Lambda retries it (after
  // about a minute, then two), not within seconds: the ended-execution cleanup waits out mount targets that way.
  box = await createSandbox({ fleetSize: 1, gateways: false, bus: { retryDelayMs: 60_000 } });
  await box.clock.advance(3 * 3_600_000); // Three hours after the daily backup taken at boot.
  const backup = box.aws.models.backup;
  const describeRestoreJob = backup.commands.DescribeRestoreJob;
  if (!describeRestoreJob) throw new Error("the Backup model answers no DescribeRestoreJob");
  const hanging: ServiceModel = {
    service: "Backup",
    commands: {
      ...backup.commands,
      async DescribeRestoreJob(input, call) {
        const job = await describeRestoreJob(input, call);
        if (!restoresHang) return job;
        return { ...job, Status: "RUNNING", PercentDone: "99.00", CompletionDate: undefined };
      },
    },
  };
  box.aws.models.simulator.register(hanging);
  flow = await installDrills(box);
});
afterAll(async () => {
  tasks.VerifierFunctionArn = realVerifier;
  flow?.uninstall();
  await box?.close();
});

const published = (type: string) => box.events.published({ source: ["clawops"], "detail-type": [type] });
const stamp = () => new Date(box.clock.now()).toISOString().replace(/\D/g, "").slice(0, 14);

describe("Fault matrix: restore drills (Lambda timeout, a restore that never ends, a stopped execution)", () => {
  it("cleans up after the verifier Lambda times out mid-drill: the drill fails, reports why, and leaves nothing", async () => {
    verifierTimesOut = true;
    const name = `fault-timeout-${stamp()}`;
    const { execution, verdict } = await flow.runDrill(name);
    verifierTimesOut = false;

    expect(execution.status).toBe("FAILED");
    expect(verdict).toMatchObject({ passed: false });
    expect(verdict?.reason).toMatch(/Sandbox\.Timedout|timed out/);
    const [event] = published("DrillFailed").filter((e) => e.detail.drillId === name);
    expect(event?.detail.reason).toMatch(/Sandbox\.Timedout|timed out/);
    // The verifier had its mount, the restored file systems their mount targets and access points: all gone.
    expect(box.aws.calls("Lambda", "UpdateFunctionConfiguration").length).toBeGreaterThanOrEqual(2);
    expect(await drillLeftovers(box)).toEqual([]);
  });

  it("fails a drill whose restore job never completes at its deadline, reports it, and leaves nothing", async () => {
    restoresHang = true;
    const name = `fault-hang-${stamp()}`;
    const startedAt = box.clock.now();
    const { execution, verdict } = await flow.runDrill(name);
    restoresHang = false;

    expect(execution.status).toBe("FAILED");
    expect(box.clock.now() - startedAt).toBeGreaterThanOrEqual(flow.settings.timeoutMinutes * 60_000);
    expect(verdict?.passed).toBe(false);
    expect(verdict?.reason).toMatch(/still RUNNING at the drill's deadline/);
    const [event] = published("DrillFailed").filter((e) => e.detail.drillId === name);
    expect(event?.detail.reason).toMatch(/still RUNNING at the drill's deadline/);
    // The restore made its file system (AWS does, whatever it reports): the drill found it by its token.
    expect(await drillLeftovers(box)).toEqual([]);
  });

  it("recovers: the next drill after the verifier timeout and the never-ending restore passes and leaves nothing", async () => {
    const name = `after-faults-${stamp()}`;
    const { execution, verdict } = await flow.runDrill(name);

    expect(execution.status).toBe("SUCCEEDED");
    expect(verdict).toMatchObject({ passed: true, failed: false });
    expect(verdict?.fileSystems.map((fs) => fs.passed)).toEqual([true, true]);
    expect(published("DrillCompleted").filter((e) => e.detail.drillId === name)).toHaveLength(1);
    expect(await drillLeftovers(box)).toEqual([]);
  });

  it.each([
    [
      "once its restored file system exists: the DrillExecutionEnded rule's handler deletes it",
      60_000,
      "handler",
    ],
    ["before its restored file system exists: the sweeper deletes it once it is old enough", 0, "sweeper"],
  ] as const)("cleans up a drill execution stopped mid-restore %s", async (_when, stopAfterMs, cleaner) => {
    const name = `fault-stopped-${stamp()}`;
    const jobsBefore = box.aws.models.backup.restoreJobs.size;
    const execution = box.stepFunctions.start(flow.stateMachineArn, { keep: false }, name);
    // Stopped (an operator, or the execution's own timeout) once the restores are under way.
    await box.clock.runUntil(() => box.aws.models.backup.restoreJobs.size > jobsBefore, {
      limitMs: 60 * 60_000,
    });
    await box.clock.advance(stopAfterMs);
    box.stepFunctions.stop(execution.executionArn, "States.Timeout", "the drill ran past its time");
    // The sandbox's Step Functions publishes the execution's end (ABORTED) as AWS does; the Drills stack
    // routes it to the cleanup.
    const published = box.events.published({
      source: ["aws.states"],
      detail: { executionArn: [execution.executionArn], status: ["ABORTED"] },
    });
    expect(published).toHaveLength(1);
    const ended = () => box.events.bus.deliveries("clawops-drills-DrillExecutionEnded");
    // Mount targets made while the restore ran take a while to go: the handler asks to be retried until then.
    await box.clock.runUntil(
      () => ended().some((d) => d.outcome === "ok" || (d.outcome === "error" && d.attempt >= 3)),
      { limitMs: 10 * 60_000 },
    );
    expect(
      ended().map((d) => d.outcome),
      JSON.stringify(ended()),
    ).toContain("ok");

    // What the handler could not see or finish (a restore still running, mount targets still deleting), the
    // hourly sweeper removes once it is older than drills.sweeperMaxAgeHours.
    await box.clock.advance(15 * 60_000); // the restore job runs on (AWS finishes what it started)
    const stoppedAt = box.clock.now();
    let left = await drillLeftovers(box);
    expect({ left, empty: left.length === 0 }).toMatchObject({ empty: cleaner === "handler" });
    const limit = box.clock.now() + (flow.settings.sweeperMaxAgeHours + 2) * 3_600_000;
    while (left.length > 0 && box.clock.now() < limit) {
      await box.clock.advance(15 * 60_000);
      left = await drillLeftovers(box);
    }
    expect(left).toEqual([]);
    if (cleaner === "sweeper")
      expect(box.clock.now() - stoppedAt).toBeGreaterThanOrEqual(
        (flow.settings.sweeperMaxAgeHours - 1) * 3_600_000,
      );
    // The restore's own file system (tagged once a poll finds it, else found by its token) was deleted.
    const job = [...box.aws.models.backup.restoreJobs.values()][jobsBefore];
    expect(job?.createdFileSystemId).toBeDefined();
    expect(box.aws.models.efs.deleted).toContain(job?.createdFileSystemId);
    expect(box.aws.models.efs.fileSystems.size).toBe(2); // the fleet's two, untouched
  });

  it("fails a malformed restore-testing event instead of drilling the whole fleet", async () => {
    const point = [...box.aws.models.backup.recoveryPoints.values()][0];
    if (!point) throw new Error("the sandbox has no recovery point");
    box.aws.models.backup.startRestoreTestingJob(point.arn, flow.restoreTestingPlanArn);
    const done = () =>
      box.events.published({
        source: ["aws.backup"],
        detail: { status: ["COMPLETED"], restoreTestingPlanArn: [{ exists: true }] },
      });
    await box.clock.runUntil(() => done().length > 0, { limitMs: 3_600_000 });
    const bad = structuredClone(done().at(-1)) as unknown as { id: string; detail: Record<string, unknown> };
    bad.id = "malformed";
    bad.detail.restoreJobId = 42;
    const executions = () => box.stepFunctions.list(flow.stateMachineArn);
    const mine = () => executions().find((e) => JSON.parse(e.input).detail?.restoreJobId === 42);
    const starts = box.aws.calls("Backup", "StartRestoreJob").length;
    box.events.bus.publish(bad as never);
    await box.events.bus.idle();
    await box.clock.runUntil(
      () => mine() !== undefined && executions().every((e) => e.status !== "RUNNING"),
      {
        limitMs: 6 * 3_600_000,
      },
    );
    expect(mine()?.status).toBe("FAILED");
    expect(box.aws.calls("Backup", "StartRestoreJob").length - starts).toBe(0);
    // The failed execution is the record (a Step Functions task never dead-letters), and DrillFailed says why.
    const drillId = mine()?.name;
    const [failed, ...more] = published("DrillFailed").filter((e) => e.detail.drillId === drillId);
    expect(more).toEqual([]);
    expect(failed?.detail.reason).toMatch(/detail\.restoreJobId: expected string, got 42/);
    expect(box.deadLetters.records()).toEqual([]);
  });
});
