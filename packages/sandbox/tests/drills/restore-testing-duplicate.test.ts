import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DrillsInstall, drillLeftovers, installDrills } from "../../src/gameday/scenes/drills.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

let box: Sandbox;
let flow: DrillsInstall;

beforeAll(async () => {
  box = await createSandbox({ fleetSize: 1, gateways: false, bus: { retryDelayMs: 60_000 } });
  await box.clock.advance(3 * 3_600_000); // Three hours after the daily backup taken at boot.
  flow = await installDrills(box);
});
afterAll(async () => {
  flow?.uninstall();
  await box?.close();
});

describe("Sandbox: a restore-testing job's COMPLETED event delivered twice (EventBridge: at least once)", () => {
  it("validates the job once: one passing validation, the duplicate ends quietly, nothing left behind", async () => {
    const point = [...box.aws.models.backup.recoveryPoints.values()][0];
    if (!point) throw new Error("the sandbox has no recovery point");
    const job = box.aws.models.backup.startRestoreTestingJob(point.arn, flow.restoreTestingPlanArn);
    const completed = () =>
      box.events.published({
        source: ["aws.backup"],
        detail: { status: ["COMPLETED"], restoreJobId: [job.restoreJobId] },
      });
    await box.clock.runUntil(() => completed().length > 0, { limitMs: 3_600_000 });
    // The same event again, as EventBridge may deliver it a second time.
    box.events.bus.publish(structuredClone(completed()[0]) as never);
    await box.events.bus.idle();
    const executions = () =>
      box.stepFunctions
        .list(flow.stateMachineArn)
        .filter((e) => JSON.parse(e.input).detail?.restoreJobId === job.restoreJobId);
    await box.clock.runUntil(
      () => executions().length === 2 && executions().every((e) => e.status !== "RUNNING"),
      { limitMs: 6 * 3_600_000 },
    );

    expect(executions().map((e) => e.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const names = executions().map((e) => e.name);
    const about = (type: string) =>
      box.events
        .published({ source: ["clawops"], "detail-type": [type] })
        .filter((e) => names.includes(String(e.detail.drillId)));
    expect(about("DrillFailed")).toEqual([]);
    expect(about("DrillCompleted").map((e) => e.detail.passed)).toEqual([true]);
    expect(job.validationStatus).toBe("SUCCESSFUL");
    // Only the restored file system itself is left: AWS Backup deletes it after its validation window.
    expect(await drillLeftovers(box)).toEqual([`file system ${job.createdFileSystemId}`]);
  });
});
