import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { logger } from "@clawops/core";
import { makeClient } from "@clawops/core/aws";
import {
  FailureDrillKeys,
  FailureDrillMetric,
  failureDrillRecord,
  GATEWAY_START_MARKER,
  GATEWAY_STOP_MARKER,
} from "@clawops/core/failure-drill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarmMessages } from "../../src/gameday/scenes/alerts.js";
import {
  drillMessages,
  installDrillFlows,
  type SandboxDrillRun,
  watchDrill,
} from "../../src/gameday/scenes/failure-drill.js";
import { failureDrillEvidenceProblems, installReadiness } from "../../src/gameday/scenes/readiness.js";
import { probeGateway } from "../../src/io.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

type Flows = Awaited<ReturnType<typeof installDrillFlows>>;

/** A fleet admitted by the real launch gate (real gateway processes), with lifecycle, alerts and the drill. */
async function bootedFleet(size: number): Promise<{ box: Sandbox; flows: Flows }> {
  const box = await createSandbox({ fleetSize: size });
  const flows = await installDrillFlows(box);
  await box.clock.runUntil(() => box.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"), {
    limitMs: 60_000,
  });
  await flows.lifecycle.reconcile();
  await box.clock.runUntil(
    () => box.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
    { limitMs: 15 * 60_000 },
  );
  return { box, flows };
}

const stopCommands = (box: Sandbox) =>
  box.aws.models.ssm.invocations.filter((i) => i.commands[0] === GATEWAY_STOP_MARKER);
const startCommands = (box: Sandbox) =>
  box.aws.models.ssm.invocations.filter((i) => i.commands[0] === GATEWAY_START_MARKER);
const lockItem = async (box: Sandbox) =>
  (
    await makeClient(DynamoDBClient).send(
      new GetItemCommand({
        TableName: box.dynamo.table,
        Key: { pk: { S: FailureDrillKeys.pk }, sk: { S: FailureDrillKeys.lock } },
        ConsistentRead: true,
      }),
    )
  ).Item;
const drillItems = async (box: Sandbox) =>
  (
    await makeClient(DynamoDBClient).send(
      new QueryCommand({
        TableName: box.dynamo.table,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
        ExpressionAttributeValues: { ":pk": { S: FailureDrillKeys.pk }, ":run": { S: "run#" } },
      }),
    )
  ).Items ?? [];
/** When the alarm entered `state` (its CloudWatch Alarm State Change events on the bus), epoch ms. */
const alarmEntered = (box: Sandbox, alarmName: string, state: string) =>
  box.events
    .published({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] })
    .filter((e) => e.detail.alarmName === alarmName && (e.detail.state as { value: string }).value === state)
    .map((e) => Date.parse(e.time));

describe("Sandbox end to end: a failure drill on real gateway processes", () => {
  const lines: string[] = [];
  let box: Sandbox;
  let flows: Flows;
  let run: SandboxDrillRun;
  let before: string[];
  const log = () => [...lines, ...(run?.printed ?? [])].join("\n");

  beforeAll(async () => {
    logger.setLogLevel("SILENT"); // The in-process functions' JSON logs would bury the test report.
    ({ box, flows } = await bootedFleet(2));
    before = box.fleet.instances().map((i) => i.instanceId);
    const stop = watchDrill(box, flows.alerts.alarmName, { log: (line) => void lines.push(line) });
    run = await flows.drill.run();
    stop();
  }, 300_000);

  afterAll(async () => {
    flows?.uninstall();
    await box?.close();
  });

  it("passes, each time measured on the sandbox clock and checked against its window", () => {
    expect(run, log()).toMatchObject({ passed: true, status: "SUCCEEDED" });
    const result = run.result;
    const [stop] = stopCommands(box);
    const stoppedAt = stop?.requestedAt ?? Number.NaN;
    const alarmAt = alarmEntered(box, flows.alerts.alarmName, "ALARM").find((t) => t >= stoppedAt - 1_000);
    const okAt = alarmEntered(box, flows.alerts.alarmName, "OK").find((t) => t > (alarmAt ?? 0));
    const replacement = box.aws.models.autoScaling.memberOf(result?.replacementInstanceId ?? "");
    const inServiceAt = replacement?.member.inServiceAt ?? Number.NaN;
    // CloudWatch's event time has whole seconds; the drill observes every 15 s, so it sees InService late by < 15 s.
    expect(Math.abs((result?.seconds.alarm ?? 0) - ((alarmAt ?? 0) - stoppedAt) / 1000)).toBeLessThanOrEqual(
      1,
    );
    expect(Math.abs((result?.seconds.recovered ?? 0) - ((okAt ?? 0) - stoppedAt) / 1000)).toBeLessThanOrEqual(
      1,
    );
    const replacementSeconds = (inServiceAt - stoppedAt) / 1000;
    expect(result?.seconds.replacement).toBeGreaterThanOrEqual(Math.floor(replacementSeconds));
    expect(result?.seconds.replacement).toBeLessThanOrEqual(replacementSeconds + 16);
    expect(result?.seconds.alertDelivered).toBeGreaterThanOrEqual(0);
    expect(result).toMatchObject({
      windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 },
      verdicts: { alarm: "pass", alert: "pass", replacement: "pass" },
      abortedBecause: null,
    });
    expect(run.printed).toContain(
      `alarm in ALARM: ${result?.seconds.alarm} s after the stop (window 300 s): pass`,
    );
  });

  it("really stopped one gateway process, and the group replaced its instance through the launch gate", async () => {
    const victim = run.result?.instanceId ?? "";
    const replacement = run.result?.replacementInstanceId ?? "";
    expect(before).toContain(victim);
    expect(stopCommands(box).map((i) => [i.instanceId, i.status])).toEqual([[victim, "Success"]]);
    expect(startCommands(box)).toEqual([]);
    // Stopped gracefully (systemctl stop: SIGTERM, exit 0) and not started again.
    expect(box.fleet.gateways?.statusOf(victim)).toMatchObject({ running: false, exitCode: 0 });
    expect(box.fleet.instances().map((i) => i.instanceId)).not.toContain(victim);
    expect(before).not.toContain(replacement);
    expect(flows.lifecycle.executionOf(replacement, "launch-gate")?.status).toBe("SUCCEEDED");
    const port = box.fleet.gatewayPort(replacement) ?? 0;
    expect((await probeGateway(port, "/health", 2_000)).status).toBe(200);
    expect(box.aws.models.cloudWatch.alarms.get(flows.alerts.alarmName)?.StateValue).toBe("OK");
  });

  it("announces itself in Slack before the stop and posts its result after the alarm", () => {
    const drillId = run.result?.drillId ?? "";
    const [started, ended, ...others] = drillMessages(box, drillId);
    expect(others).toEqual([]);
    expect(started?.text).toBe(`Failure drill starting: ${drillId} (info)`);
    expect(JSON.stringify(started?.blocks)).toContain(run.result?.instanceId);
    expect(ended?.text).toBe(`Failure drill passed: ${drillId} (info)`);
    const alarm = alarmMessages(box, flows.alerts)[0];
    expect(Number(started?.ts)).toBeLessThan(Number(alarm?.ts));
    expect(Number(alarm?.ts)).toBeLessThan(Number(ended?.ts));
    expect(JSON.stringify(ended?.blocks)).toContain(
      `*Alarm* ${run.result?.seconds.alarm} s (window 300 s) · pass`,
    );
  });

  it("stores the record readiness reads, publishes its metrics and gives the lock back", async () => {
    const result = run.result;
    if (!result) throw new Error(log());
    expect(await flows.drill.lastRecord()).toEqual(failureDrillRecord(result));
    const items = await drillItems(box);
    expect(items.map((i) => JSON.parse(i.result?.S ?? "{}"))).toEqual([result]);
    expect(await lockItem(box)).toBeUndefined();
    const store = box.aws.models.cloudWatch.store;
    const passed = store.metrics().find((m) => m.name === FailureDrillMetric.Passed);
    if (!passed) throw new Error(`no ${FailureDrillMetric.Passed} metric in CloudWatch`);
    expect(passed.dimensions).toContainEqual({ Name: "Fleet", Value: box.description.name });
    expect(store.samples(passed, 0, Number.MAX_SAFE_INTEGER).map((s) => s.max)).toEqual([1]);
  });

  it("is the evidence of the four failure-drill readiness checks, with its date and times", async () => {
    const readiness = await installReadiness(box);
    try {
      const report = await readiness.run();
      const record = await readiness.lastFailureDrill();
      expect(record?.drillId).toBe(run.result?.drillId);
      if (!record) throw new Error("readiness found no failure drill record");
      expect(failureDrillEvidenceProblems(report, record)).toEqual([]);
      const alarm = report.checks.find((c) => c.id === "monitoring.failure-drill-alarm");
      expect(alarm?.explanation).toBe(
        `In the failure drill ${record.drillId} (${record.at}), the alarm firing took ${record.alarmSeconds} s (window 300 s).`,
      );
    } finally {
      readiness.uninstall();
    }
  });

  it("refuses while an instance refresh runs on the group, and describes the plan once it has ended", async () => {
    const group = box.aws.models.autoScaling.group(box.description.autoScalingGroupName);
    const refresh = {
      instanceRefreshId: "0a1b2c3d-refresh",
      status: "InProgress" as const,
      startTime: box.clock.now(),
      percentageComplete: 0,
      instancesToUpdate: 2,
    };
    group.instanceRefreshes.push(refresh);
    const refused = await flows.drill.run({ dryRun: true });
    expect(refused).toMatchObject({
      passed: false,
      error: "FailureDrillRefused: an instance refresh is running on the group",
    });
    Object.assign(refresh, { status: "Successful", endTime: box.clock.now(), percentageComplete: 100 });
    const dry = await flows.drill.run({ dryRun: true });
    expect(dry).toMatchObject({ passed: true, status: "SUCCEEDED" });
    expect(dry.printed.filter((l) => l.startsWith("would "))).toHaveLength(5);
    expect(stopCommands(box)).toHaveLength(1);
  });
});

describe("Sandbox end to end: a failure drill that must not or cannot complete", () => {
  let box: Sandbox | undefined;
  let flows: Flows | undefined;

  afterAll(async () => {
    flows?.uninstall();
    await box?.close();
  });

  it("refuses with one healthy gateway and stops nothing", async () => {
    ({ box, flows } = await bootedFleet(1));
    const [only] = box.fleet.instances();
    const run = await flows.drill.run();
    expect(run).toMatchObject({
      passed: false,
      status: "FAILED",
      error: expect.stringMatching(/^FailureDrillRefused: only 1 healthy gateway; a drill needs at least 2/),
    });
    expect(stopCommands(box)).toEqual([]);
    expect(box.fleet.gateways?.statusOf(only?.instanceId ?? "")?.running).toBe(true);
    const slack = (box.slack.server?.channels() ?? []).flatMap((c) => c.messages);
    expect(slack.filter((m) => m.text.startsWith("Failure drill"))).toEqual([]);
    expect(await drillItems(box)).toEqual([]);
    expect(await lockItem(box)).toBeUndefined();
    flows.uninstall();
    await box.close();
    box = undefined;
    flows = undefined;
  }, 120_000);

  it("aborts when no alarm fires and starts the stopped gateway process again", async () => {
    ({ box, flows } = await bootedFleet(2));
    // Without the health monitor nothing publishes the metric: the alarm stays OK and nothing is replaced.
    flows.lifecycle.uninstall();
    const run = await flows.drill.run();
    const victim = run.result?.instanceId ?? "";
    expect(run).toMatchObject({
      passed: false,
      status: "FAILED",
      error: "FailureDrillFailed: the alarm did not fire within twice its window (600 s)",
      result: { verdicts: { alarm: "missed", alert: "missed", replacement: "missed" } },
    });
    expect(stopCommands(box).map((i) => i.instanceId)).toEqual([victim]);
    expect(startCommands(box).map((i) => [i.instanceId, i.status])).toEqual([[victim, "Success"]]);
    expect(box.fleet.gateways?.statusOf(victim)?.running).toBe(true);
    const port = box.fleet.gatewayPort(victim) ?? 0;
    expect((await probeGateway(port, "/health", 2_000)).status).toBe(200);
    const ended = drillMessages(box, run.result?.drillId ?? "").at(-1);
    expect(ended?.text).toMatch(/^Failure drill failed: fd-/);
    expect(await flows.drill.lastRecord()).toMatchObject({ alarmSeconds: null, replacementSeconds: null });
    expect(await lockItem(box)).toBeUndefined();
  }, 300_000);
});
