import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { type AwsCall, makeClient } from "@clawops/core/aws";
import { FailureDrillKeys, GATEWAY_STOP_MARKER } from "@clawops/core/failure-drill";
import { MonitorMetric } from "@clawops/core/lifecycle";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { awsError } from "../../src/aws/simulator.js";
import type { HistoryEvent } from "../../src/execution-history.js";
import { type AlertsInstall, installAlerts } from "../../src/gameday/scenes/alerts.js";
import { type DrillsInstall, drillLeftovers, installDrills } from "../../src/gameday/scenes/drills.js";
import { drillMessages, installDrillFlows } from "../../src/gameday/scenes/failure-drill.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";
import { shortHooksConfig } from "../short-hooks.js";
import { bootedFleet } from "./booted-fleet.js";
import { runUntilSettled, trackRealIo } from "./real-io.js";
import { sdkRetriesOnClock } from "./sdk-retries.js";
import { stageAlarm } from "./stage-alarm.js";

/** A string attribute of a DynamoDB call's (marshalled) input item or key. */
const attribute = (value: unknown, name: string): string | undefined =>
  (value as Record<string, { S?: string } | undefined> | undefined)?.[name]?.S;

/**
 * Makes DynamoDB answer the calls `match` selects with AWS error `name`, `times` times: a conflict or a throttle
 * on one item (`AwsSimulator.inject` faults every call of an operation). The answer goes through the simulator's
 * `forwarded`, so each is recorded with the error as its outcome. Returns the undo.
 */
function failDynamoDb(
  box: Sandbox,
  match: (call: AwsCall) => boolean,
  name: string,
  times: number,
): () => void {
  const simulator = box.aws.models.simulator;
  const forwarded = simulator.forwarded.bind(simulator);
  let left = times;
  simulator.forwarded = <T>(call: AwsCall, send: () => Promise<T>) =>
    forwarded(call, async () => {
      if (left > 0 && call.service === "DynamoDB" && match(call)) {
        left -= 1;
        throw awsError(name, `injected: ${name}`);
      }
      return send();
    });
  return () => {
    simulator.forwarded = forwarded;
  };
}

/** Recorded DynamoDB calls that ended with `outcome`. */
const dynamoCalls = (box: Sandbox, command: string, outcome: string) =>
  box.aws.calls("DynamoDB", command).filter((c) => c.outcome === outcome);

/**
 * A booted two-instance fleet with the gateway health monitor, its SDK retries on the sandbox's clock, and what
 * the monitor tests read: `saves`, the monitor's state writes that ended with an outcome (the victim's failures
 * in a row and whether it is marked, per write); `marked`, the SetInstanceHealth calls AWS took; `runs`, the
 * monitor's scheduled runs. The sandbox's close is the caller's (`undo` gets the rest).
 */
async function monitorWorld(undo: (() => void)[]) {
  const sandbox = await createSandbox({ config: shortHooksConfig, fleetSize: 2 });
  undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
  const flow = await bootedFleet(sandbox);
  undo.push(() => flow.uninstall());
  const [victim, other] = sandbox.fleet.instances().map((i) => i.instanceId) as [string, string];
  const asg = sandbox.description.autoScalingGroupName;
  const saves = (outcome: string) =>
    dynamoCalls(sandbox, "PutItem", outcome)
      .filter(
        (c) => attribute(c.input.Item, "pk") === "lifecycle#monitor" && attribute(c.input.Item, "sk") === asg,
      )
      .map((c) => {
        const histories = JSON.parse(attribute(c.input.Item, "histories") ?? "{}");
        const history = histories[victim] as { failures?: number; markedUnhealthyAt?: number } | undefined;
        return {
          at: c.at,
          failures: history?.failures ?? 0,
          marked: history?.markedUnhealthyAt !== undefined,
        };
      });
  const marked = () =>
    sandbox.aws.calls("AutoScaling", "SetInstanceHealth").filter((c) => c.outcome === "ok");
  const runs = () => sandbox.schedules.fired.filter((f) => f.name === "clawops-lifecycle-monitor");
  return { sandbox, victim, other, saves, marked, runs };
}

describe("Fault matrix: DynamoDB throttles the gateway health monitor's state write", () => {
  let box: Sandbox | undefined;
  const undo: (() => void)[] = [];

  afterEach(async () => {
    for (const fn of undo.splice(0).reverse()) fn();
    await box?.close();
    box = undefined;
  });

  it("publishes the datapoint of every run, counts each failure once and marks a dead gateway two runs later when two saves fail", async () => {
    const { sandbox, victim, other, saves, marked, runs } = await monitorWorld(undo);
    box = sandbox;

    // The victim's gateway dies; once a run has saved its first failed probe, DynamoDB throttles the state
    // write past the SDK's five attempts in two runs (ten throttled calls).
    await sandbox.fleet.kill(victim);
    await sandbox.clock.runUntil(() => saves("ok").some((s) => s.failures === 1), {
      step: 1_000,
      limitMs: 10 * 60_000,
    });
    const first = saves("ok").find((s) => s.failures === 1);
    if (!first) throw new Error("no monitor run counted the dead gateway");
    const throttled = "ProvisionedThroughputExceededException";
    sandbox.aws.inject("DynamoDB.PutItem", {
      error: {
        name: throttled,
        message: "The level of configured provisioned throughput was exceeded",
        times: 10,
      },
    });
    await sandbox.clock.runUntil(() => marked().length > 0, { step: 1_000, limitMs: 15 * 60_000 });

    // The fault was hit: ten throttled writes of the monitor's item, the whole of two runs' saves.
    const failedSaves = saves(throttled);
    expect(failedSaves).toHaveLength(10);
    expect(dynamoCalls(sandbox, "PutItem", throttled)).toHaveLength(10);
    const failedRuns = runs().filter((r) => r.error?.name === throttled);
    expect(failedRuns).toHaveLength(2);
    // Each failed run counted from the stored state: both tried to save 2 (not 2, then 3).
    expect(failedSaves.map((s) => s.failures)).toEqual(Array(10).fill(2));
    // Nothing lost or counted twice: the saved count went 1, 2, 3 (marked), one step per saved run.
    const after = saves("ok").filter((s) => s.at >= first.at);
    const untilMarked = after.slice(0, after.findIndex((s) => s.marked) + 1);
    expect(untilMarked.map((s) => [s.failures, s.marked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    // Marked by the run the threshold was reached in, two runs (the failed ones) later than without the fault.
    const { unhealthyAfter } = sandbox.config.settings.monitor;
    const markedAt = marked()[0]?.at ?? Number.NaN;
    const runsToMark = runs().filter((r) => r.at > first.at && r.at <= markedAt);
    expect(runsToMark).toHaveLength(unhealthyAfter - 1 + failedRuns.length);
    expect(marked().map((c) => c.input.InstanceId)).toEqual([victim]);
    // The alarm's datapoint was published by every run, the failed ones included (1 unhealthy gateway).
    const store = sandbox.aws.models.cloudWatch.store;
    const metric = store.metrics().find((m) => m.name === MonitorMetric.UnhealthyGateways);
    if (!metric) throw new Error("the monitor published no UnhealthyGateways");
    for (const run of failedRuns) {
      const samples = store.samples(metric, run.at, run.at + 60_000);
      expect(samples.map((s) => s.max)).toEqual([1]);
    }

    // Recovery: the group replaces the victim; the other gateway is never marked.
    const recovered = () => {
      const live = sandbox.fleet.instances();
      return (
        !live.some((i) => i.instanceId === victim) &&
        live.filter((i) => i.lifecycleState === "InService").length === 2
      );
    };
    expect(await runUntilSettled(sandbox, recovered, 30 * 60_000)).toBe(true);
    expect(marked().map((c) => c.input.InstanceId)).toEqual([victim]);
    expect(marked().map((c) => c.input.InstanceId)).not.toContain(other);
    expect(runs().filter((r) => r.at > markedAt && r.error)).toEqual([]);
    expect(sandbox.deadLetters.records()).toEqual([]);
  });

  it("replaces the dead gateway once when the marking run cannot save that it marked, and marks nothing else", async () => {
    const { sandbox, victim, other, saves, marked, runs } = await monitorWorld(undo);
    box = sandbox;
    const { unhealthyAfter } = sandbox.config.settings.monitor;

    // The victim's gateway dies; once the run before the marking one has saved, DynamoDB throttles the next
    // run's state write past the SDK's five attempts: the run marks the victim and cannot save that it did.
    await sandbox.fleet.kill(victim);
    await sandbox.clock.runUntil(() => saves("ok").some((s) => s.failures === unhealthyAfter - 1), {
      step: 1_000,
      limitMs: 10 * 60_000,
    });
    const throttled = "ProvisionedThroughputExceededException";
    sandbox.aws.inject("DynamoDB.PutItem", {
      error: {
        name: throttled,
        message: "The level of configured provisioned throughput was exceeded",
        times: 5,
      },
    });
    await sandbox.clock.runUntil(() => runs().some((r) => r.error?.name === throttled), {
      step: 1_000,
      limitMs: 10 * 60_000,
    });

    // The fault was hit in the marking run: its five writes, each saying it marked the victim, all throttled.
    const failedSaves = saves(throttled);
    expect(failedSaves.map((s) => [s.failures, s.marked])).toEqual(Array(5).fill([unhealthyAfter, true]));
    expect(runs().filter((r) => r.error?.name === throttled)).toHaveLength(1);

    // Recovery: the group replaces the victim once; the other gateway is never marked; nothing dead-lettered.
    const recovered = () => {
      const live = sandbox.fleet.instances();
      return (
        !live.some((i) => i.instanceId === victim) &&
        live.filter((i) => i.lifecycleState === "InService" && i.gatewayPort).length === 2
      );
    };
    expect(await runUntilSettled(sandbox, recovered, 30 * 60_000)).toBe(true);
    const live = sandbox.fleet.instances().map((i) => i.instanceId);
    expect(live).toContain(other);
    expect(live).toHaveLength(2);
    // Marked once: the group took the victim out of service, so no later run probed it or counted it again.
    expect(marked().map((c) => c.input.InstanceId)).toEqual([victim]);
    expect(sandbox.deadLetters.records()).toEqual([]);
    // No run after the marking one failed.
    const markedAt = marked()[0]?.at ?? Number.NaN;
    expect(runs().filter((r) => r.at > markedAt && r.error)).toEqual([]);
  });
});

describe("Fault matrix: DynamoDB throttles the alert router's dedup claim and state writes", () => {
  let box: Sandbox | undefined;
  let router: AlertsInstall | undefined;
  const undo: (() => void)[] = [];

  afterEach(async () => {
    for (const fn of undo.splice(0).reverse()) fn();
    router?.uninstall();
    await box?.close();
    box = undefined;
    router = undefined;
  });

  /** The router installed, an alarm of clawops' own that keeps the state it is set to, and its channel. */
  async function alertsWorld() {
    const sandbox = await createSandbox({ fleetSize: 1, gateways: false });
    box = sandbox;
    router = await installAlerts(sandbox);
    undo.push(trackRealIo(sandbox), sdkRetriesOnClock(sandbox.clock));
    const { name, channel, set } = await stageAlarm(sandbox, router);
    const posts = () =>
      sandbox.slack.channel(channel).messages.filter((m) => JSON.stringify(m).includes(name));
    const deliveries = () => {
      const ids = new Set(
        sandbox.events.published({ detail: { alarmName: [name] } }).map((event) => event.id),
      );
      return sandbox.events.bus.deliveries().filter((d) => ids.has(d.eventId));
    };
    return { box: sandbox, name, channel, set, posts, deliveries };
  }

  const isDedup = (call: AwsCall) =>
    attribute(call.input.Key ?? call.input.Item, "sk") === "dedup" &&
    attribute(call.input.Key ?? call.input.Item, "pk")?.startsWith("alert#event#") === true;
  const isThread = (call: AwsCall) => attribute(call.input.Item, "sk") === "thread";
  const cases: [string, string, (call: AwsCall) => boolean][] = [
    [
      "the dedup claim (before anything is posted)",
      "UpdateItem",
      (call) => isDedup(call) && String(call.input.UpdateExpression).includes("#status = :processing"),
    ],
    ["the thread write (after the post)", "PutItem", isThread],
    [
      "the completion of the event (after the post and the thread)",
      "PutItem",
      (call) => isDedup(call) && attribute(call.input.Item, "status") === "done",
    ],
  ];

  it.each(cases)(
    "posts once when %s is throttled past the SDK's retries: Lambda's retry finishes it",
    async (_write, command, match) => {
      const world = await alertsWorld();
      undo.push(failDynamoDb(world.box, match, "ThrottlingException", 5));

      await world.set("ALARM");
      expect(await runUntilSettled(world.box, () => world.posts().length > 0)).toBe(true);
      // Lambda's retry of the event, ended.
      expect(
        await runUntilSettled(world.box, () =>
          world.deliveries().some((d) => d.attempt > 1 && d.outcome !== "pending"),
        ),
      ).toBe(true);

      // The fault was hit: five throttled calls (the SDK's five attempts), one failed invocation, then Lambda's retry.
      expect(dynamoCalls(world.box, command, "ThrottlingException")).toHaveLength(5);
      expect(world.deliveries().map((d) => [d.attempt, d.outcome])).toEqual([
        [1, "error"],
        [2, "ok"],
      ]);
      // Nothing lost, nothing twice: one message, one graph in its thread, the event done, nothing dead-lettered.
      const [post, ...more] = world.posts();
      expect(more).toEqual([]);
      expect(post?.text).toMatch(/^ALARM: /);
      const thread = world.box.slack.channel(world.channel).thread(post?.ts ?? "");
      expect(thread.flatMap((m) => m.files)).toHaveLength(1);
      expect(world.box.slack.server?.calls("chat.postMessage").filter((c) => c.status === 200)).toHaveLength(
        1,
      );
      expect(world.box.deadLetters.records()).toEqual([]);

      // Recovered: the next transition (OK) resolves the same thread.
      await world.set("OK");
      const resolved = () =>
        thread.length < world.box.slack.channel(world.channel).thread(post?.ts ?? "").length;
      expect(await runUntilSettled(world.box, resolved)).toBe(true);
      expect(world.posts()).toHaveLength(1);
    },
  );
});

describe("Fault matrix: a conditional-write conflict on the failure drill's lock", () => {
  let box: Sandbox;
  let flows: Awaited<ReturnType<typeof installDrillFlows>>;
  const undo: (() => void)[] = [];

  beforeAll(async () => {
    box = await createSandbox({ fleetSize: 2 });
    flows = await installDrillFlows(box);
    await box.clock.runUntil(() => box.fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"), {
      limitMs: 60_000,
    });
    await flows.lifecycle.reconcile();
    await box.clock.runUntil(
      () => box.fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort),
      { limitMs: 15 * 60_000 },
    );
  }, 300_000);
  afterEach(() => {
    for (const fn of undo.splice(0).reverse()) fn();
  });
  afterAll(async () => {
    flows?.uninstall();
    await box?.close();
  });

  const isLock = (call: AwsCall) =>
    attribute(call.input.Item, "pk") === FailureDrillKeys.pk &&
    attribute(call.input.Item, "sk") === FailureDrillKeys.lock;
  const lockItem = async () =>
    (
      await makeClient(DynamoDBClient).send(
        new GetItemCommand({
          TableName: box.dynamo.table,
          Key: { pk: { S: FailureDrillKeys.pk }, sk: { S: FailureDrillKeys.lock } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const stops = () => box.aws.models.ssm.invocations.filter((i) => i.commands[0] === GATEWAY_STOP_MARKER);
  const announced = () =>
    (box.slack.server?.channels() ?? [])
      .flatMap((c) => c.messages)
      .filter((m) => m.text.startsWith("Failure drill"));

  it("refuses clearly when another drill holds the lock (ConditionalCheckFailedException): nothing stopped, nothing locked", async () => {
    undo.push(failDynamoDb(box, isLock, "ConditionalCheckFailedException", 1));
    const before = dynamoCalls(box, "PutItem", "ConditionalCheckFailedException").length;

    const run = await flows.drill.run();

    expect(dynamoCalls(box, "PutItem", "ConditionalCheckFailedException").length - before).toBe(1);
    expect(run).toMatchObject({
      passed: false,
      status: "FAILED",
      error: expect.stringMatching(/^FailureDrillRefused: another failure drill is running$/),
    });
    expect(stops()).toEqual([]);
    expect(announced()).toEqual([]);
    expect(await lockItem()).toBeUndefined();
    expect(box.fleet.instances().every((i) => box.fleet.gateways?.statusOf(i.instanceId)?.running)).toBe(
      true,
    );
  });

  it("retries taking the lock while another tool's transaction holds it (TransactionConflictException), and passes", async () => {
    undo.push(failDynamoDb(box, isLock, "TransactionConflictException", 1));
    const before = dynamoCalls(box, "PutItem", "TransactionConflictException").length;
    const stopsBefore = stops().length;

    const run = await flows.drill.run();

    expect(dynamoCalls(box, "PutItem", "TransactionConflictException").length - before).toBe(1);
    expect(run, run.printed.join("\n")).toMatchObject({ passed: true, status: "SUCCEEDED" });
    expect(stops().length - stopsBefore).toBe(1);
    expect(await lockItem()).toBeUndefined();
  });

  const isLockKey = (call: AwsCall) =>
    attribute(call.input.Key, "pk") === FailureDrillKeys.pk &&
    attribute(call.input.Key, "sk") === FailureDrillKeys.lock;

  it.each([
    ["taking the lock", "PutItem", isLock],
    [
      "giving the lock back",
      "DeleteItem",
      (call: AwsCall) => call.command === "DeleteItem" && isLockKey(call),
    ],
  ] as const)(
    "retries %s when DynamoDB throttles it past the SDK's retries, and passes without leaving the lock",
    async (_what, command, match) => {
      undo.push(sdkRetriesOnClock(box.clock));
      undo.push(failDynamoDb(box, match, "ProvisionedThroughputExceededException", 5));
      const before = dynamoCalls(box, command, "ProvisionedThroughputExceededException").length;
      const stopsBefore = stops().length;

      const run = await flows.drill.run();

      expect(dynamoCalls(box, command, "ProvisionedThroughputExceededException").length - before).toBe(5);
      expect(run, run.printed.join("\n")).toMatchObject({ passed: true, status: "SUCCEEDED" });
      expect(stops().length - stopsBefore).toBe(1);
      expect(await lockItem()).toBeUndefined();
    },
  );

  it("recovers: the next drill takes the lock, passes and gives the lock back", async () => {
    const stopsBefore = stops().length;
    const run = await flows.drill.run();

    expect(run, run.printed.join("\n")).toMatchObject({ passed: true, status: "SUCCEEDED" });
    expect(stops().length - stopsBefore).toBe(1);
    expect(drillMessages(box, run.result?.drillId ?? "").map((m) => m.text)).toEqual([
      `Failure drill starting: ${run.result?.drillId} (info)`,
      `Failure drill passed: ${run.result?.drillId} (info)`,
    ]);
    expect(await lockItem()).toBeUndefined();
  });
});

describe("Fault matrix: a conditional-write conflict on the restore drill's verifier lock", () => {
  let box: Sandbox;
  let flow: DrillsInstall;
  const undo: (() => void)[] = [];
  const stamp = () => new Date(box.clock.now()).toISOString().replace(/\D/g, "").slice(0, 14);

  beforeAll(async () => {
    box = await createSandbox({ fleetSize: 1, gateways: false, bus: { retryDelayMs: 60_000 } });
    await box.clock.advance(3 * 3_600_000); // Three hours after the daily backup taken at boot.
    flow = await installDrills(box);
  });
  afterEach(() => {
    for (const fn of undo.splice(0).reverse()) fn();
  });
  afterAll(async () => {
    flow?.uninstall();
    await box?.close();
  });

  const isVerifierLock = (call: AwsCall) => attribute(call.input.Item, "pk") === "drill#verifier";
  const verifierLocks = async () =>
    (
      await makeClient(DynamoDBClient).send(
        new QueryCommand({
          TableName: box.dynamo.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: "drill#verifier" } },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  const published = (type: string, drillId: string) =>
    box.events
      .published({ source: ["clawops"], "detail-type": [type] })
      .filter((e) => e.detail.drillId === drillId);
  /** The task failures the state machine saw, by error name. */
  const taskErrors = (history: readonly HistoryEvent[]) =>
    history
      .filter((e) => e.type === "TaskFailed")
      .map((e) => (e.taskFailedEventDetails as { error?: string } | undefined)?.error);

  it("waits for a verifier it finds taken (ConditionalCheckFailedException) and passes: the Retry takes it", async () => {
    const name = `fault-verifier-busy-${stamp()}`;
    const execution = () => box.stepFunctions.list(flow.stateMachineArn).find((e) => e.name === name);
    const busy = () => taskErrors(execution()?.history ?? []).includes("VerifierBusyError");
    // Another holder keeps the verifiers (every take is refused) until the state machine has seen one busy: the
    // takes while the restore runs are let go, the one after it has completed fails the task for its Retry.
    undo.push(
      failDynamoDb(box, (call) => isVerifierLock(call) && !busy(), "ConditionalCheckFailedException", 100),
    );
    const before = dynamoCalls(box, "PutItem", "ConditionalCheckFailedException").length;

    const { execution: ended, verdict } = await flow.runDrill(name);

    expect(dynamoCalls(box, "PutItem", "ConditionalCheckFailedException").length - before).toBeGreaterThan(0);
    // Each branch whose take failed after its restore (one, or both at once) was retried by the state machine.
    expect(taskErrors(ended.history).filter((e) => e === "VerifierBusyError").length).toBeGreaterThan(0);
    expect(ended.status).toBe("SUCCEEDED");
    expect(verdict).toMatchObject({ passed: true, failed: false });
    expect(verdict?.fileSystems.map((fs) => fs.passed)).toEqual([true, true]);
    expect(published("DrillCompleted", name)).toHaveLength(1);
    expect(await verifierLocks()).toEqual([]);
    expect(await drillLeftovers(box)).toEqual([]);
  });

  it("retries taking a verifier while another tool's transaction holds it (TransactionConflictException), and passes", async () => {
    const name = `fault-verifier-conflict-${stamp()}`;
    undo.push(failDynamoDb(box, isVerifierLock, "TransactionConflictException", 1));
    const before = dynamoCalls(box, "PutItem", "TransactionConflictException").length;

    const { execution, verdict } = await flow.runDrill(name);

    expect(dynamoCalls(box, "PutItem", "TransactionConflictException").length - before).toBe(1);
    expect(taskErrors(execution.history)).toContain("RetryableError");
    expect(execution.status).toBe("SUCCEEDED");
    expect(verdict).toMatchObject({ passed: true, failed: false });
    expect(published("DrillCompleted", name)).toHaveLength(1);
    expect(published("DrillFailed", name)).toEqual([]);
    expect(await verifierLocks()).toEqual([]);
    expect(await drillLeftovers(box)).toEqual([]);
  });

  it.each([
    ["taking a verifier", "PutItem", isVerifierLock],
    [
      "giving a verifier back",
      "DeleteItem",
      (call: AwsCall) =>
        call.command === "DeleteItem" && attribute(call.input.Key, "pk") === "drill#verifier",
    ],
  ] as const)(
    "retries %s when DynamoDB throttles it past the SDK's retries, and passes leaving nothing",
    async (_what, command, match) => {
      const name = `fault-verifier-throttle-${command.toLowerCase()}-${stamp()}`;
      undo.push(sdkRetriesOnClock(box.clock));
      undo.push(failDynamoDb(box, match, "ProvisionedThroughputExceededException", 10));
      const before = dynamoCalls(box, command, "ProvisionedThroughputExceededException").length;

      const { execution, verdict } = await flow.runDrill(name);

      expect(dynamoCalls(box, command, "ProvisionedThroughputExceededException").length - before).toBe(10);
      expect(taskErrors(execution.history)).toContain("RetryableError");
      expect(execution.status).toBe("SUCCEEDED");
      expect(verdict).toMatchObject({ passed: true, failed: false });
      expect(published("DrillCompleted", name)).toHaveLength(1);
      expect(await verifierLocks()).toEqual([]);
      expect(await drillLeftovers(box)).toEqual([]);
    },
  );

  it("recovers: the next drill passes, takes and gives back the verifiers, and leaves nothing", async () => {
    const name = `after-lock-faults-${stamp()}`;
    const { execution, verdict } = await flow.runDrill(name);

    expect(execution.status).toBe("SUCCEEDED");
    expect(verdict).toMatchObject({ passed: true, failed: false });
    expect(published("DrillCompleted", name)).toHaveLength(1);
    expect(await verifierLocks()).toEqual([]);
    expect(await drillLeftovers(box)).toEqual([]);
  });
});
