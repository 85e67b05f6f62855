import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { makeClient } from "@clawops/core/aws";
import type { DeadLetterRecord } from "@clawops/core/handler";
import type { Sandbox } from "@clawops/sandbox";
import { describe, expect, it } from "vitest";
import { testAlarmEvent } from "../../../functions/alerts/replay.js";
import { run } from "../src/program.js";
import { argv, captureStreams } from "./capture.js";

/** Each run boots its own one-instance sandbox (seconds each): one test per command and exit path. */
const sandbox = { fleetSize: 1 };

const promptfoo = {
  evalId: "eval-1",
  results: {
    timestamp: "2026-11-27T10:00:00.000Z",
    results: [
      { success: true, description: "normal: drafts a reply", vars: { skill: "email" } },
      { success: true, description: "decline: refuses to send to 500 people", vars: { skill: "email" } },
      { success: false, description: "edge: empty inbox", vars: { skill: "email" } },
    ],
  },
};

/** Puts records in the sandbox's dead-letter queue through the real SQS client, as a failing function would. */
async function deadLetter(box: Sandbox, ...records: DeadLetterRecord[]): Promise<void> {
  const sqs = makeClient(SQSClient);
  for (const record of records)
    await sqs.send(
      new SendMessageCommand({ QueueUrl: box.deadLetters.url, MessageBody: JSON.stringify(record) }),
    );
}

const record = (functionName: string, event: unknown): DeadLetterRecord => ({
  reason: "SlackApiError: An API error occurred: invalid_auth",
  errorName: "SlackApiError",
  functionName,
  failedAt: "2026-11-27T09:00:00.000Z",
  event,
});

describe("Function: run --sandbox", () => {
  it("shows the booted fleet and the monitor's last run as JSON", async () => {
    const io = captureStreams();
    const code = await run(argv("status", "--sandbox", "--json"), { streams: io, sandbox });
    expect(code).toBe(0);
    const status = JSON.parse(io.stdoutText());
    expect(Object.keys(status).sort()).toEqual(
      ["autoScalingGroupName", "capacity", "controlPlane", "fleet", "instances", "stage"].sort(),
    );
    expect(status.instances).toHaveLength(1);
    expect(status.instances[0]).toMatchObject({ lifecycleState: "InService", gateway: "healthy" });
    expect(status.controlPlane.healthMonitor.lastRunAt).toMatch(/^\d{4}-/);
    expect(status.controlPlane.readiness).toBeNull();
    expect(status.controlPlane.deadLetterQueue).toEqual({ depth: 0 });
  });

  it("shows the dead-letter queue's depth and tells the user to replay it", async () => {
    const io = captureStreams();
    const prepare = (box: Sandbox) =>
      deadLetter(box, record("alert-router", { hello: 1 }), record("launch-gate", { hello: 2 }));
    const code = await run(argv("status", "--sandbox"), { streams: io, sandbox: { ...sandbox, prepare } });
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain("2 message(s): run clawops alerts replay");
  });

  it("runs readiness, writes the HTML report and exits 1 when a check fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clawops-cli-"));
    const html = join(dir, "readiness.html");
    const io = captureStreams();
    const code = await run(argv("readiness", "--sandbox", "--json", "--html", html), {
      streams: io,
      sandbox,
    });
    const report = JSON.parse(io.stdoutText());
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["runId", "at", "stage", "fleet", "areas", "checks", "passed"]),
    );
    expect(report.areas.map((a: { area: string }) => a.area)).toHaveLength(8);
    expect(report.passed).toBe(false);
    expect(report.checks.some((c: { status: string }) => c.status === "fail")).toBe(true);
    // Everything the stacks deploy is there to look at: nothing is unknown, only what an operator has not done fails.
    expect(report.checks.filter((c: { status: string }) => c.status === "unknown")).toEqual([]);
    expect(code).toBe(1);
    expect(await readFile(html, "utf8")).toContain("Production readiness: openclaw");
    expect(io.stderrText()).toContain(`HTML report written to ${html}`);
  });

  it("ingests promptfoo results through the readiness ingestion and exits 1 on a failing case", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clawops-cli-"));
    const file = join(dir, "results.json");
    await writeFile(file, JSON.stringify(promptfoo));
    const io = captureStreams();
    const code = await run(argv("evals", "report", file, "--sandbox"), { streams: io, sandbox });
    expect(io.stdoutText()).toMatch(/email\s*│ 1\s*│ 1\s*│ 1/);
    expect(io.stdoutText()).toContain("✗ email: edge: empty inbox");
    expect(code).toBe(1);
  });

  it("refuses a file that is not promptfoo output (exit 2)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clawops-cli-"));
    const file = join(dir, "results.json");
    await writeFile(file, JSON.stringify({ hello: "world" }));
    const io = captureStreams();
    const code = await run(argv("evals", "report", file, "--sandbox"), { streams: io, sandbox });
    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/results\.json: not promptfoo output: no results\.results\[\] array/);
  });

  it("sends a test alert through the real router to the sandbox's Slack", async () => {
    const io = captureStreams();
    const code = await run(argv("alerts", "test", "--sandbox", "--json"), { streams: io, sandbox });
    const result = JSON.parse(io.stdoutText() || "{}");
    expect(Object.keys(result)).toEqual(["alarm", "ok"]);
    expect(result.alarm.status).toBe("opened");
    expect(result.ok.status).toBe("resolved");
    expect(code).toBe(0);
  });

  it("replays a dead-lettered alarm to Slack, deletes it, and leaves other flows' records in the queue", async () => {
    const io = captureStreams();
    let box: Sandbox | undefined;
    const prepare = async (booted: Sandbox) => {
      box = booted;
      const where = { region: booted.config.app.region, account: booted.aws.models.world.account };
      await deadLetter(
        booted,
        record("alert-router", testAlarmEvent(booted.config.stage, where)),
        record("launch-gate", { detail: { EC2InstanceId: 42 } }),
      );
    };
    const code = await run(argv("alerts", "replay", "--sandbox", "--json"), {
      streams: io,
      sandbox: { ...sandbox, prepare },
    });
    expect(JSON.parse(io.stdoutText())).toEqual({
      replayed: 1,
      superseded: 0,
      announcements: 0,
      failed: [],
      skipped: 1,
    });
    expect(code).toBe(0);
    const left = box?.deadLetters.records() ?? [];
    expect(left.map((r) => r.functionName)).toEqual(["launch-gate"]);
    const channel = box?.config.settings.slack.defaultChannel ?? "";
    expect(box?.slack.channel(channel).messages.map((m) => m.text)).toEqual([
      expect.stringContaining("clawops-sandbox-test-alert"),
    ]);
  });

  it("runs a restore drill with progress on stderr and the summary table on stdout (exit 0)", async () => {
    const io = captureStreams();
    const code = await run(argv("drill", "--sandbox"), { streams: io, sandbox });
    const progress = io.stderrText();
    expect(progress).toMatch(/^drill cli-\S+ started/m);
    expect(progress).toMatch(/fs-\w+: restoring( \d+%)? \(RPO /);
    expect(progress).toMatch(/fs-\w+: verifying \d+ files/);
    expect(progress).toMatch(/reporting, removing the restored file systems/);
    expect(io.stdoutText()).toMatch(/passed/);
    expect(code).toBe(0);
  });

  it("refuses a --file-system that is not one of the fleet's before starting a drill (exit 2)", async () => {
    const io = captureStreams();
    const code = await run(argv("drill", "--sandbox", "--file-system", "fs-0abc"), { streams: io, sandbox });
    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/fs-0abc is not one of the fleet's file systems \(fs-\w+, fs-\w+\)/);
  });

  it("lists the drill history as JSON (empty before any drill)", async () => {
    const io = captureStreams();
    expect(await run(argv("drill", "--history", "--sandbox", "--json"), { streams: io, sandbox })).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual([]);
  });

  it("runs the failure drill: a dry run changes nothing, the real one stops a gateway and times every window (exit 0)", async () => {
    const two = { fleetSize: 2 };
    const dry = captureStreams();
    expect(
      await run(argv("drill", "--failure", "--dry-run", "--sandbox"), { streams: dry, sandbox: two }),
    ).toBe(0);
    expect(dry.stdoutText()).toMatch(/^would /m);

    const io = captureStreams();
    const code = await run(argv("drill", "--failure", "--sandbox"), { streams: io, sandbox: two });
    expect(io.stdoutText()).toMatch(/^failure drill \S+ on i-\w+: passed$/m);
    expect(io.stdoutText()).toMatch(/^alarm in ALARM: \d+ s after the stop \(window 300 s\): pass$/m);
    expect(io.stdoutText()).toMatch(/^alert delivered: \d+ s after the alarm \(window 120 s\): pass$/m);
    expect(io.stdoutText()).toMatch(
      /^replacement InService: \d+ s after the stop \(window 900 s\): pass \(i-\w+\)$/m,
    );
    expect(code).toBe(0);
  });

  it("refuses the failure drill when it would stop the last healthy gateway (exit 2: it could not start)", async () => {
    const io = captureStreams();
    const code = await run(argv("drill", "--failure", "--sandbox"), { streams: io, sandbox });
    expect(code).toBe(2);
    expect(io.stdoutText()).toContain(
      "only 1 healthy gateway; a drill needs at least 2 so one keeps serving",
    );
  });
});
