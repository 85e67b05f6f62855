import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  type CommandInvocation,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { metrics, setMetricsSink } from "@clawops/core";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { context, installEnvironment, probeOutput } from "./fixture.js";

installEnvironment();
const { createMonitorHandler, MONITOR_METRICS } = await import("../monitor.js");
const monitor = createMonitorHandler();

const autoscaling = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const events = mockClient(EventBridgeClient);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${(0x1000 + i).toString(16)}`);

/** The command ids of the probe the previous run sent (one per batch of 50), answered by `fleet`. */
let previous: string[] = [];

/**
 * A group of `n` InService instances whose gateways answer `status(id)` to the probe the previous run sent
 * (ids `prev-<k>`, one per batch) and to every probe sent now.
 */
function fleet(n: number, status: (id: string) => number, grace = 300) {
  autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        HealthCheckGracePeriod: grace,
        Instances: ids(n).map((InstanceId) => ({
          InstanceId,
          LifecycleState: "InService",
          HealthStatus: "Healthy",
        })),
      } as never,
    ],
  });
  let command = 0;
  const batches = new Map<string, string[]>();
  previous = [];
  for (let at = 0; at < n; at += 50) {
    previous.push(`prev-${at / 50}`);
    batches.set(`prev-${at / 50}`, ids(n).slice(at, at + 50));
  }
  ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
    const id = `cmd-${++command}`;
    batches.set(id, input.InstanceIds);
    return { Command: { CommandId: id } };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
    CommandInvocations: (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
      InstanceId,
      Status: "Success",
      CommandPlugins: [{ Output: probeOutput(status(InstanceId)) }],
    })),
  }));
  storedState({}, Date.now() - 60_000);
}

/** The stored monitor state: histories and the previous run's probe, sent at `sentAt`. */
function storedState(histories: Record<string, unknown>, sentAt = Date.now() - 60_000) {
  dynamo.on(GetItemCommand).resolves({
    Item: {
      histories: { S: JSON.stringify(histories) },
      pending: { S: JSON.stringify({ commandIds: previous, sentAt }) },
    },
  });
}

const savedItem = () => dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;

/** The EMF blobs Powertools prints while `work` runs (its own console, as the sandbox swaps it). */
async function emfOf(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const blobs: Record<string, unknown>[] = [];
  const sink = (line: unknown) => void blobs.push(JSON.parse(String(line)) as Record<string, unknown>);
  const emf = metrics as unknown as { console: unknown };
  const previous = emf.console;
  emf.console = { log: sink, info: sink, warn: sink, error: sink, debug: sink };
  try {
    await work();
  } finally {
    emf.console = previous;
  }
  return blobs.filter((b) => "_aws" in b);
}

beforeEach(() => {
  autoscaling.reset();
  ssm.reset();
  dynamo.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  autoscaling.on(SetInstanceHealthCommand).resolves({});
});

describe("Function: monitor (gateway health monitor)", () => {
  it.each([
    [10, 1],
    [50, 1],
    [51, 2],
    [120, 3],
  ])(
    "collects the last run's probe of %i instances and sends the next with %i SendCommand and as many ListCommandInvocations",
    async (n, batches) => {
      fleet(n, () => 200);
      const result = await monitor({}, context);
      expect(result).toMatchObject({ inService: n, healthy: n, unhealthy: 0 });
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(batches);
      expect(ssm.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input.CommandId)).toEqual(
        previous,
      );
      expect(
        ssm.commandCalls(SendCommandCommand).every((c) => (c.args[0].input.InstanceIds?.length ?? 0) <= 50),
      ).toBe(true);
      expect(ssm.commandCalls(ListCommandInvocationsCommand)[0]!.args[0].input).toMatchObject({
        Details: true,
      });
      expect(JSON.parse(savedItem().pending!.S!)).toMatchObject({
        commandIds: Array.from({ length: batches }, (_, i) => `cmd-${i + 1}`),
      });
    },
  );

  it("counts nothing on its first run (no probe sent before) and sends the probe the next run collects", async () => {
    fleet(3, () => 0);
    dynamo.on(GetItemCommand).resolves({});
    await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 0, unhealthy: 0, marked: 0 });
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(0);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
  });

  it("ignores a probe sent more than five periods ago (the schedule was stopped)", async () => {
    fleet(2, () => 0);
    storedState({}, Date.now() - 6 * 60_000);
    await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 0, unhealthy: 0 });
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(0);
  });

  it("counts a failure and does not mark before the threshold", async () => {
    fleet(2, (id) => (id === "i-1000" ? 503 : 200));
    await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 1, unhealthy: 1, marked: 0 });
    const saved = JSON.parse(savedItem().histories!.S!);
    expect(saved["i-1000"].failures).toBe(1);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it("marks the instance Unhealthy at the third failure in a row, respecting the grace period", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200));
    storedState({ "i-1000": { failures: 2, firstSeenAt: Date.now() - 3_600_000 } });
    await expect(monitor({}, context)).resolves.toMatchObject({ marked: 1 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)[0]!.args[0].input).toEqual({
      InstanceId: "i-1000",
      HealthStatus: "Unhealthy",
      ShouldRespectGracePeriod: true,
    });
    const saved = JSON.parse(savedItem().histories!.S!);
    expect(saved["i-1000"].markedUnhealthyAt).toEqual(expect.any(Number));
  });

  it("does not mark an instance inside the grace period AWS enforces", async () => {
    fleet(1, () => 0);
    storedState({ "i-1000": { failures: 2, firstSeenAt: Date.now() - 3_600_000 } });
    autoscaling.on(SetInstanceHealthCommand).rejects(
      new ServiceException({
        name: "ValidationError",
        message: "Instance i-1000 is still within its health check grace period",
        $fault: "client",
        $metadata: {},
      }),
    );
    await expect(monitor({}, context)).resolves.toMatchObject({ unhealthy: 1, marked: 0 });
  });

  it("forgets instances that left the group", async () => {
    fleet(1, () => 200);
    storedState({ "i-dead": { failures: 2, firstSeenAt: 0 } });
    await monitor({}, context);
    const saved = JSON.parse(savedItem().histories!.S!);
    expect(Object.keys(saved)).toEqual(["i-1000"]);
  });

  it("publishes exactly the metrics the cost model counts; healthy counts and per-instance health are properties", async () => {
    fleet(3, (id) => (id === "i-1000" ? 503 : 200));
    const blobs = await emfOf(() => monitor({}, context));
    const emf = blobs[0] as {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
      healthyGateways: string;
      gatewayHealth: string;
    };
    expect(emf._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name))).toEqual([
      ...MONITOR_METRICS,
    ]);
    expect(emf.healthyGateways).toBe("2");
    expect(JSON.parse(emf.gatewayHealth)).toEqual({ "i-1000": 0, "i-1001": 1, "i-1002": 1 });
  });

  it("makes the same number of calls for 1,000 instances as ceil(1000/50) batches allow", async () => {
    fleet(1000, () => 200);
    await monitor({}, context);
    expect(ssm.calls()).toHaveLength(40); // 20 ListCommandInvocations of the last probe, 20 SendCommand
    expect(autoscaling.calls()).toHaveLength(1);
    expect(dynamo.calls()).toHaveLength(2);
  });

  it.each<[string, CommandInvocation]>([
    ["not delivered in time", { Status: "TimedOut", StatusDetails: "DeliveryTimedOut" }],
    ["failed", { Status: "Failed", StatusDetails: "Failed" }],
    ["cancelled", { Status: "Cancelled", StatusDetails: "Cancelled" }],
    ["answered with output that is not the probe's", { Status: "Success", CommandPlugins: [{ Output: "" }] }],
  ])(
    "marks no instance when SSM's probe was %s for the whole fleet, and still counts those that were failing",
    async (_case, invocation) => {
      fleet(4, () => 200);
      storedState(Object.fromEntries(ids(4).map((id) => [id, { failures: 2, firstSeenAt: 0, runs: 60 }])));
      ssm.on(ListCommandInvocationsCommand).resolves({
        CommandInvocations: ids(4).map((InstanceId) => ({ InstanceId, ...invocation })),
      });
      // Two failures in a row each before SSM stopped answering: unknown since, so neither marked nor
      // counted healthy: the alarm keeps the last thing the monitor knew.
      await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 0, unhealthy: 4, marked: 0 });
      expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
      const saved = JSON.parse(savedItem().histories!.S!);
      expect(saved["i-1000"].failures).toBe(2);
    },
  );

  it.each([
    [1, 1, 1],
    [10, 3, 1],
    [30, 12, 3],
    [100, 40, 10],
  ])(
    "marks at most 10%% of a group of %i whose %i gateways fail in one run (%i), holding the others back but counting them unhealthy",
    async (n, failing, marked) => {
      const failed = new Set(ids(n).slice(0, failing));
      fleet(n, (id) => (failed.has(id) ? 503 : 200));
      storedState(
        Object.fromEntries([...failed].map((id) => [id, { failures: 2, firstSeenAt: 0, runs: 60 }])),
      );
      const blobs = await emfOf(async () =>
        expect(monitor({}, context)).resolves.toMatchObject({
          unhealthy: failing,
          marked,
          heldBack: failing - marked,
        }),
      );
      expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(marked);
      expect(blobs[0]).toMatchObject({ UnhealthyGateways: failing });
      const saved = JSON.parse(savedItem().histories!.S!);
      const heldBack = [...failed].slice(marked);
      expect(heldBack.map((id) => saved[id].failures)).toEqual(heldBack.map(() => 3));
      expect(heldBack.filter((id) => saved[id].markedUnhealthyAt !== undefined)).toEqual([]);
    },
  );

  it("does not mark the last instance it has not marked yet (the group would have no healthy instance)", async () => {
    fleet(2, () => 503);
    storedState({
      "i-1000": { failures: 5, firstSeenAt: 0, runs: 60, markedUnhealthyAt: Date.now() - 60_000 },
      "i-1001": { failures: 2, firstSeenAt: 0, runs: 60 },
    });
    await expect(monitor({}, context)).resolves.toMatchObject({ unhealthy: 2, marked: 0, heldBack: 1 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  /** The group in `states` (instance id → lifecycle state), i-1001 InService; the previous probe answered `status`. */
  function groupIn(states: Record<string, string>, status: number) {
    fleet(1, () => status);
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          HealthCheckGracePeriod: 300,
          Instances: Object.entries(states).map(([InstanceId, LifecycleState]) => ({
            InstanceId,
            LifecycleState,
            HealthStatus: "Healthy",
          })),
        } as never,
      ],
    });
    ssm.on(ListCommandInvocationsCommand).resolves({
      CommandInvocations: [
        { InstanceId: "i-1001", Status: "Success", CommandPlugins: [{ Output: probeOutput(status) }] },
      ],
    });
  }

  it("does not mark the last InService gateway while the one it marked is Terminating and its replacement Pending", async () => {
    // Desired 2, both gateways down: last run marked i-1000; the group moved it to Terminating:Wait (drain) and
    // its replacement i-1002 waits in Pending:Wait. i-1001 is the only InService gateway.
    groupIn({ "i-1000": "Terminating:Wait", "i-1001": "InService", "i-1002": "Pending:Wait" }, 503);
    storedState({
      "i-1000": { failures: 3, firstSeenAt: 0, runs: 60, markedUnhealthyAt: Date.now() - 60_000 },
      "i-1001": { failures: 2, firstSeenAt: 0, runs: 60 },
    });
    await expect(monitor({}, context)).resolves.toMatchObject({
      inService: 1,
      unhealthy: 1,
      marked: 0,
      heldBack: 1,
    });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it("charges a replacement launched before its marked instance terminates once: a second dead gateway of twenty is marked", async () => {
    // An instance maintenance policy "launch before terminating": i-1000, marked last run, stays InService
    // (Unhealthy) while its replacement waits in the launch gate. One replacement is in flight; the cap is 2.
    fleet(20, (id) => (id === "i-1000" || id === "i-1001" ? 503 : 200));
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          HealthCheckGracePeriod: 300,
          Instances: [
            ...ids(20).map((InstanceId) => ({
              InstanceId,
              LifecycleState: "InService",
              HealthStatus: InstanceId === "i-1000" ? "Unhealthy" : "Healthy",
            })),
            { InstanceId: "i-replacement", LifecycleState: "Pending:Wait", HealthStatus: "Healthy" },
          ],
        } as never,
      ],
    });
    storedState({
      "i-1000": { failures: 5, firstSeenAt: 0, runs: 60, markedUnhealthyAt: Date.now() - 60_000 },
      "i-1001": { failures: 2, firstSeenAt: 0, runs: 60 },
    });
    await expect(monitor({}, context)).resolves.toMatchObject({ marked: 1, heldBack: 0 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId)).toEqual(
      ["i-1001"],
    );
  });

  it("marks the killed gateway of a group of one once the instance it replaces has terminated", async () => {
    groupIn({ "i-1000": "Terminated", "i-1001": "InService" }, 503);
    storedState({ "i-1001": { failures: 2, firstSeenAt: 0, runs: 60 } });
    await expect(monitor({}, context)).resolves.toMatchObject({ inService: 1, marked: 1 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)[0]!.args[0].input.InstanceId).toBe("i-1001");
  });
});

/**
 * The monitor's item, kept between runs like the table does: PutItem replaces it, and UpdateItem applies its
 * `SET a = :a, b = :b REMOVE c` under its condition (`attribute_not_exists(x)` or `x = :v`), as DynamoDB would.
 */
function persistentState(): { answerAgain(): void } {
  let item: Record<string, AttributeValue> | undefined;
  const answer = () => {
    dynamo.on(GetItemCommand).callsFake(() => ({ Item: item }));
    dynamo.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      item = input.Item;
      return {};
    });
    dynamo
      .on(UpdateItemCommand)
      .callsFake(
        (input: {
          UpdateExpression: string;
          ConditionExpression?: string;
          ExpressionAttributeValues: Record<string, AttributeValue>;
        }) => {
          const values = input.ExpressionAttributeValues;
          const absent = /^attribute_not_exists\((\w+)\)$/.exec(input.ConditionExpression ?? "");
          const equal = /^(\w+) = (:\w+)$/.exec(input.ConditionExpression ?? "");
          const holds = absent
            ? item?.[absent[1]!] === undefined
            : equal
              ? item?.[equal[1]!]?.S === values[equal[2]!]?.S
              : true;
          if (!holds)
            throw new ServiceException({
              name: "ConditionalCheckFailedException",
              message: "The conditional request failed",
              $fault: "client",
              $metadata: {},
            });
          const next: Record<string, AttributeValue> = { ...(item ?? {}) };
          const [, set = "", remove = ""] = /^SET (.*?)(?: REMOVE (.*))?$/.exec(input.UpdateExpression) ?? [];
          for (const assignment of set.split(",")) {
            const [name, value] = assignment.split("=").map((part) => part.trim());
            if (name && value) next[name] = values[value]!;
          }
          for (const name of remove.split(",").map((part) => part.trim())) if (name) delete next[name];
          item = next;
          return {};
        },
      );
  };
  answer();
  return { answerAgain: answer };
}

describe("Function: monitor when SSM refuses an instance (InvalidInstanceId)", () => {
  /** SSM refuses any SendCommand listing one of `stopped` (agent stopped); the others' gateways answer `status`. */
  function ssmRefusing(stopped: readonly string[], status: (id: string) => number) {
    const sent = new Map<string, string[]>();
    ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
      if (input.InstanceIds.some((id) => stopped.includes(id))) {
        throw new ServiceException({
          name: "InvalidInstanceId",
          message: "Instances not in a valid state for account 123456789012",
          $fault: "client",
          $metadata: {},
        });
      }
      const id = `cmd-${sent.size + 1}`;
      sent.set(id, input.InstanceIds);
      return { Command: { CommandId: id } };
    });
    ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
      CommandInvocations: (sent.get(input.CommandId) ?? []).map((InstanceId) => ({
        InstanceId,
        Status: "Success",
        CommandPlugins: [{ Output: probeOutput(status(InstanceId)) }],
      })),
    }));
  }

  it("probes the rest of the batch and marks a dead gateway in it", async () => {
    fleet(60, () => 200, 0);
    persistentState();
    ssmRefusing(["i-1002"], (id) => (id === "i-1000" ? 0 : 200));
    const runs = [];
    for (let run = 0; run < 4; run += 1) runs.push(await monitor({}, context));
    const sent = ssm.commandCalls(SendCommandCommand).slice(-10);
    expect(sent.some((c) => c.args[0].input.InstanceIds?.includes("i-1000"))).toBe(true);
    expect(runs[1]).toMatchObject({ healthy: 58, unhealthy: 2 });
    const marked = autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId);
    expect(marked).toContain("i-1000");
  });

  it("counts an instance SSM keeps refusing as failed and marks it after N runs in a row", async () => {
    fleet(3, () => 200, 0);
    persistentState();
    ssmRefusing(["i-1002"], () => 200);
    const runs = [];
    for (let run = 0; run < 4; run += 1) runs.push(await monitor({}, context));
    expect(runs.map((r) => (r as { unhealthy: number }).unhealthy)).toEqual([0, 1, 1, 1]);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId)).toEqual(
      ["i-1002"],
    );
  });

  it("marks nothing when SSM refuses every instance (an SSM or IAM outage), but counts them unhealthy", async () => {
    fleet(3, () => 200, 0);
    persistentState();
    ssmRefusing(ids(3), () => 200);
    const runs = [];
    for (let run = 0; run < 5; run += 1) runs.push(await monitor({}, context));
    expect(runs.at(-1)).toMatchObject({ unhealthy: 3, marked: 0, heldBack: 3 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });
});

describe("Function: monitor when a host hangs (its probe never answers)", () => {
  /** Invocations as SSM lists them for a hung host's probe. */
  const ranAndHung: CommandInvocation = { Status: "TimedOut", StatusDetails: "ExecutionTimedOut" };
  const neverDelivered: CommandInvocation = { Status: "TimedOut", StatusDetails: "DeliveryTimedOut" };

  /** Every probe sent is listed `hung(id)` for the instances it names, the others' gateways answering 200. */
  function ssmAnswering(hung: (id: string) => CommandInvocation | undefined) {
    const sent = new Map<string, string[]>();
    ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
      const id = `cmd-${sent.size + 1}`;
      sent.set(id, input.InstanceIds);
      return { Command: { CommandId: id } };
    });
    ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
      CommandInvocations: (sent.get(input.CommandId) ?? []).map((InstanceId) => ({
        InstanceId,
        ...(hung(InstanceId) ?? { Status: "Success", CommandPlugins: [{ Output: probeOutput(200) }] }),
      })),
    }));
  }

  /** `n` monitor runs on the same state; their results and UnhealthyGateways values. */
  async function runs(n: number) {
    const results: { unhealthy: number; marked: number; heldBack: number }[] = [];
    const blobs = await emfOf(async () => {
      for (let run = 0; run < n; run += 1) results.push((await monitor({}, context)) as (typeof results)[0]);
    });
    return { results, unhealthyGateways: blobs.map((b) => b.UnhealthyGateways) };
  }
  const markedIds = () =>
    autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId);

  it("does not count an instance that went InService after the last probe was sent as silent: it was not probed", async () => {
    // The previous run probed i-1000 only; i-1001 went InService since. SSM answered for the fleet (i-1000).
    fleet(2, () => 200, 0);
    ssm.on(ListCommandInvocationsCommand).resolves({
      CommandInvocations: [
        { InstanceId: "i-1000", Status: "Success", CommandPlugins: [{ Output: probeOutput(200) }] },
      ],
    });
    await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 1, unhealthy: 0 });
    const histories = JSON.parse(savedItem().histories!.S!) as Record<string, { silentRuns?: number }>;
    expect(histories["i-1001"]).toBeDefined();
    expect(histories["i-1001"]?.silentRuns).toBeUndefined();
  });

  it("counts a probe that ran on the instance and did not finish (ExecutionTimedOut) as failed and marks it at the third in a row", async () => {
    fleet(3, () => 200, 0);
    persistentState();
    ssmAnswering((id) => (id === "i-1000" ? ranAndHung : undefined));
    const { results, unhealthyGateways } = await runs(4);
    // Run 1 collects nothing (no probe sent before); runs 2-4 count the hung host, the third failure marks it.
    expect(unhealthyGateways).toEqual([0, 1, 1, 1]);
    expect(results.map((r) => r.marked)).toEqual([0, 0, 0, 1]);
    expect(markedIds()).toEqual(["i-1000"]);
  });

  it("counts an instance silent (DeliveryTimedOut) for three runs while SSM answers the others as failing, then marks it", async () => {
    fleet(4, () => 200, 0);
    persistentState();
    ssmAnswering((id) => (id === "i-1000" ? neverDelivered : undefined));
    const { results, unhealthyGateways } = await runs(7);
    // Silent from run 2 (run 1 collects nothing): its third silent run (run 4) counts as a failed probe, in the
    // alarm's metric too, and the third such failure (run 6) marks it.
    expect(unhealthyGateways).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(results.map((r) => r.marked)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(markedIds()).toEqual(["i-1000"]);
  });

  it("marks no host when every host hangs (a fleet-wide slowdown), but counts them all unhealthy", async () => {
    fleet(2, () => 200, 0);
    persistentState();
    ssmAnswering(() => ranAndHung);
    const { results, unhealthyGateways } = await runs(6);
    expect(unhealthyGateways.slice(1)).toEqual([2, 2, 2, 2, 2]);
    expect(results.at(-1)).toMatchObject({ heldBack: 2 });
    expect(markedIds()).toEqual([]);
  });

  it.each<[string, (id: string) => CommandInvocation | undefined]>([
    ["SSM delivers to no instance (an outage)", () => neverDelivered],
    ["SSM delivers to under half the fleet", (id) => (id === "i-1000" ? undefined : neverDelivered)],
  ])("counts and marks nothing, run after run, when %s", async (_case, hung) => {
    fleet(4, () => 200, 0);
    persistentState();
    ssmAnswering(hung);
    const { unhealthyGateways } = await runs(10);
    expect(unhealthyGateways).toEqual(Array(10).fill(0));
    expect(markedIds()).toEqual([]);
  });
});

describe("Function: monitor when AWS keeps failing one of its calls (throttled past the SDK's retries)", () => {
  const sqs = mockClient(SQSClient);
  const throttled = () =>
    new ServiceException({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
  const deadLettered = () =>
    sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody!) as { reason: string });

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({});
  });

  it("publishes UnhealthyGateways and keeps the counted failure when the next probe's SendCommand is throttled", async () => {
    // Prepare: i-1000's gateway refuses connections, its second failure in a row.
    fleet(2, (id) => (id === "i-1000" ? 0 : 200));
    storedState({ "i-1000": { failures: 1, firstSeenAt: 0, runs: 60 } });
    ssm.on(SendCommandCommand).rejects(throttled());
    // Act
    const blobs = await emfOf(() => monitor({}, context));
    // Assess: the alarm's datapoint, the failure saved, and the degraded run in the dead-letter queue.
    expect(blobs.map((b) => b.UnhealthyGateways)).toEqual([1]);
    expect(JSON.parse(savedItem().histories!.S!)["i-1000"].failures).toBe(2);
    expect(JSON.parse(savedItem().pending!.S!)).toMatchObject({ commandIds: [], refused: [] });
    expect(deadLettered().map((d) => d.reason)).toEqual([
      expect.stringMatching(/^MonitorRunIncomplete: .*SendCommand/),
    ]);
  });

  it("counts the instances it could not send the probe to as not probed next run, neither failed nor silent", async () => {
    fleet(2, () => 200, 0);
    persistentState();
    ssm.on(SendCommandCommand).rejectsOnce(throttled());
    await emfOf(() => monitor({}, context));
    fleet(2, () => 200, 0);
    persistentState();
    const runs: unknown[] = [];
    const blobs = await emfOf(async () => {
      runs.push(await monitor({}, context));
    });
    expect(blobs.map((b) => b.UnhealthyGateways)).toEqual([0]);
    expect(runs).toEqual([expect.objectContaining({ healthy: 0, unhealthy: 0 })]);
  });

  /** The monitor run by `run`, each run's UnhealthyGateways datapoints kept in `datapoints`. */
  const datapointsOfRuns = () => {
    const datapoints: unknown[] = [];
    const run = async () => {
      for (const blob of await emfOf(() => monitor({}, context))) datapoints.push(blob.UnhealthyGateways);
    };
    return { datapoints, run };
  };

  it("keeps counting a failing gateway unhealthy while its probes cannot be sent (the alarm must not resolve)", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200), 0);
    persistentState();
    const { datapoints, run } = datapointsOfRuns();
    // Runs 1-2: the first probe is sent, then collected (i-1000's first failure).
    await run();
    await run();
    // From run 3 on, SendCommand is throttled past the SDK's retries: nothing looks at i-1000 after run 3.
    ssm.on(SendCommandCommand).rejects(throttled());
    for (let n = 0; n < 3; n += 1) await run();

    expect(datapoints).toEqual([0, 1, 1, 1, 1]);
  });

  it("does not page on one failed probe whose next probe could not be sent (one blip never makes two datapoints)", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200), 0);
    persistentState();
    const { datapoints, run } = datapointsOfRuns();
    await run();
    // Run 2 collects i-1000's first failure; sending the next probe is throttled once.
    ssm.on(SendCommandCommand).rejectsOnce(throttled());
    await run();
    // Run 3 has no probe of i-1000 to collect.
    await run();

    expect(datapoints).toEqual([0, 1, 0]);
  });

  it("reports an SSM outage in the dead-letter queue once, when it begins, and again only after a whole run", async () => {
    fleet(2, () => 200, 0);
    persistentState();
    ssm.on(SendCommandCommand).rejects(throttled());
    const results: unknown[] = [];
    for (let n = 0; n < 4; n += 1) results.push(await monitor({}, context));
    expect(deadLettered()).toHaveLength(1);
    expect(results.slice(1)).toEqual(
      Array.from({ length: 3 }, () =>
        expect.objectContaining({ incomplete: [expect.stringMatching(/^SendCommand/)] }),
      ),
    );

    // SSM answers again for a whole run; the next outage is a new one.
    fleet(2, () => 200, 0);
    await monitor({}, context);
    ssm.on(SendCommandCommand).rejects(throttled());
    await monitor({}, context);
    expect(deadLettered()).toHaveLength(2);
  });

  it("reports an outage whose first dead-letter record SQS refused on the next run (the streak is not lost)", async () => {
    fleet(2, () => 200, 0);
    persistentState();
    ssm.on(SendCommandCommand).rejects(throttled());
    sqs.on(SendMessageCommand).rejectsOnce(throttled()).resolves({});
    // Run 1: the record is refused; the run still ends (a Lambda retry would count the fleet twice).
    expect(await monitor({}, context)).toMatchObject({ incomplete: [expect.stringMatching(/^SendCommand/)] });
    // Run 2, SSM still failing: the outage is reported now, and only once.
    const second = await monitor({}, context);
    await monitor({}, context);
    expect(second).toEqual({
      deadLettered: true,
      reason: expect.stringMatching(/^MonitorRunIncomplete: .*SendCommand/),
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
    expect(deadLettered().map((d) => d.reason)).toEqual([
      expect.stringMatching(/^MonitorRunIncomplete/),
      expect.stringMatching(/^MonitorRunIncomplete/),
    ]);
  });

  it("flushes the run's metrics once when it is incomplete (no empty second flush, no Powertools warning)", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200));
    storedState({ "i-1000": { failures: 1, firstSeenAt: 0, runs: 60 } });
    ssm.on(SendCommandCommand).rejects(throttled());
    const lines: string[] = [];
    const line = (text: unknown) => void lines.push(String(text));
    const sink = { log: line, info: line, warn: line, error: line, debug: line };
    const emf = metrics as unknown as { console: unknown };
    const previous = emf.console;
    emf.console = sink;
    const restore = setMetricsSink(sink);
    try {
      await monitor({}, context);
    } finally {
      emf.console = previous;
      restore();
    }

    expect(lines.filter((l) => l.includes('"UnhealthyGateways"'))).toHaveLength(1);
    expect(lines.filter((l) => /No application metrics to publish/.test(l))).toEqual([]);
  });

  it("counts an instance whose mark is throttled as unhealthy and marks it next run", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200), 0);
    persistentState();
    autoscaling.on(SetInstanceHealthCommand).rejectsOnce(throttled()).resolves({});
    // Run 1 has no probe to collect; runs 2-4 count three failures in a row, run 4's mark is throttled.
    const results: unknown[] = [];
    const blobs = await emfOf(async () => {
      for (let run = 0; run < 5; run += 1) results.push(await monitor({}, context));
    });
    expect(blobs.map((b) => b.UnhealthyGateways)).toEqual([0, 1, 1, 1, 1]);
    expect(deadLettered().map((d) => d.reason)).toEqual([expect.stringMatching(/SetInstanceHealth i-1000/)]);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId)).toEqual(
      ["i-1000", "i-1000"],
    );
    expect(results.slice(3)).toEqual([
      { deadLettered: true, reason: expect.stringMatching(/^MonitorRunIncomplete/) },
      expect.objectContaining({ unhealthy: 1, marked: 1 }),
    ]);
  });
});

describe("Function: monitor when many gateways fail at once", () => {
  /**
   * A group of `n` InService instances, kept between runs: a marked instance drains in Terminating:Wait, and by the
   * next run it is gone and its replacement waits in Pending:Wait (its gateway fails the same probe at the launch
   * gate, so it never goes InService). Each gateway answers `status(id)`.
   */
  function churningGroup(n: number, status: (id: string) => number) {
    const group = new Map(ids(n).map((id): [string, string] => [id, "InService"]));
    let next = 0;
    autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
      AutoScalingGroups: [
        {
          HealthCheckGracePeriod: 300,
          Instances: [...group].map(([InstanceId, LifecycleState]) => ({
            InstanceId,
            LifecycleState,
            HealthStatus: "Healthy",
          })),
        },
      ],
    }));
    autoscaling.on(SetInstanceHealthCommand).callsFake((input: { InstanceId: string }) => {
      group.set(input.InstanceId, "Terminating:Wait");
      return {};
    });
    const batches = new Map<string, string[]>();
    ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
      const id = `cmd-${batches.size + 1}`;
      batches.set(id, input.InstanceIds);
      return { Command: { CommandId: id } };
    });
    ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
      CommandInvocations: (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
        InstanceId,
        Status: "Success",
        CommandPlugins: [{ Output: probeOutput(status(InstanceId)) }],
      })),
    }));
    const table = persistentState();
    return {
      /** DynamoDB answers again after a test made it refuse writes; the item is as the last write left it. */
      answerAgain: table.answerAgain,
      /** A minute passes: drained instances are gone, their replacements wait at the gate. */
      tick() {
        for (const [id, state] of [...group])
          if (state === "Terminating:Wait") {
            group.delete(id);
            group.set(`i-r${next++}`, "Pending:Wait");
          }
      },
      inService: () => [...group.values()].filter((s) => s === "InService").length,
    };
  }

  /** Minutes played since the group was first seen (its instances pass the 300 s grace period at the sixth). */
  let played = 0;
  beforeEach(() => {
    played = 0;
  });

  /**
   * `minutes` more monitor runs, a minute apart; the InService count after each. With `failing`, a run may fail
   * (a save refused past the SDK's retries): Lambda's retry is the next run.
   */
  async function play(group: ReturnType<typeof churningGroup>, minutes: number, failing = false) {
    vi.useFakeTimers({ toFake: ["Date"] });
    const inService: number[] = [];
    try {
      for (let minute = 0; minute < minutes; minute++) {
        vi.setSystemTime(Date.parse("2026-03-02T10:00:00Z") + played++ * 60_000);
        group.tick();
        if (failing) await monitor({}, context).catch(() => undefined);
        else await monitor({}, context);
        inService.push(group.inService());
      }
    } finally {
      vi.useRealTimers();
    }
    return inService;
  }

  const clawopsEvents = () =>
    events.commandCalls(PutEventsCommand).map((c) => {
      const entry = c.args[0].input.Entries![0]!;
      return { type: entry.DetailType, detail: JSON.parse(entry.Detail!) };
    });

  it("counts the replacements still in flight against the cap: three of ten failing lose one instance, not three", async () => {
    // 3 of 10 fail (under the breaker's half); their replacements fail the same probe at the gate.
    const failing = new Set(ids(3));
    const group = churningGroup(10, (id) => (failing.has(id) || id.startsWith("i-r") ? 503 : 200));
    const inService = await play(group, 15);
    expect(Math.min(...inService)).toBe(9);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  it("marks nothing when every gateway fails its probe at once, keeps the alarm's datapoint and posts one event saying why", async () => {
    // Every gateway answers 404: the operator changed gateway.path, or an upgrade moved the health route.
    const group = churningGroup(10, () => 404);
    const blobs = await emfOf(async () => {
      expect(Math.min(...(await play(group, 15)))).toBe(10);
    });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    expect(blobs.slice(1).every((b) => b.UnhealthyGateways === 10)).toBe(true);
    expect(clawopsEvents()).toEqual([
      {
        type: "GatewayProbesFailingFleetWide",
        detail: {
          stage: process.env.CLAWOPS_STAGE ?? "dev",
          asgName: "clawops-test-fleet",
          answered: 10,
          failing: 10,
          answers: { "HTTP 404": 10 },
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      },
    ]);
  });

  it("says once that the probes no longer fail fleet-wide, and marks again", async () => {
    let status = 404;
    const group = churningGroup(10, (id) => (id === "i-1000" ? 503 : status));
    await play(group, 10);
    status = 200; // the operator fixed gateway.path; i-1000's gateway is really dead
    await play(group, 5);
    expect(clawopsEvents().map((e) => e.type)).toEqual([
      "GatewayProbesFailingFleetWide",
      "GatewayProbesFleetWideCleared",
    ]);
    expect(clawopsEvents()[1]?.detail).toMatchObject({
      asgName: "clawops-test-fleet",
      answered: 10,
      failing: 1,
      since: clawopsEvents()[0]?.detail.since,
    });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input.InstanceId)).toEqual(
      ["i-1000"],
    );
  });

  it("tries the event again next run when PutEvents fails, and still publishes the datapoint", async () => {
    const group = churningGroup(4, () => 404);
    events
      .on(PutEventsCommand)
      .rejectsOnce(new Error("throttled"))
      .resolves({ FailedEntryCount: 0, Entries: [] });
    await play(group, 10);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(2);
    expect(clawopsEvents().map((e) => e.type)).toEqual([
      "GatewayProbesFailingFleetWide",
      "GatewayProbesFailingFleetWide",
    ]);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  /** DynamoDB refusing `command` past the SDK's retries. */
  const throttled = () =>
    new ServiceException({
      name: "ProvisionedThroughputExceededException",
      message: "The level of configured provisioned throughput for the table was exceeded",
      $fault: "client",
      $metadata: {},
    });

  it("announces the episode once when the run's save keeps failing and Lambda retries the run", async () => {
    const group = churningGroup(4, () => 404);
    await play(group, 5); // the gateways' second failure: nothing is due yet
    expect(clawopsEvents()).toEqual([]);
    dynamo.on(PutItemCommand).rejects(throttled());
    // The third failure makes every gateway due and trips the breaker; each run (and retry) fails to save.
    await play(group, 3, true);
    expect(dynamo.commandCalls(PutItemCommand).length).toBeGreaterThanOrEqual(8);
    expect(clawopsEvents().map((e) => e.type)).toEqual(["GatewayProbesFailingFleetWide"]);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it("announces the end of the episode once when the runs' saves fail", async () => {
    let status = 404;
    const group = churningGroup(10, () => status);
    await play(group, 10);
    status = 200; // fixed; from now on every save of the run's state is throttled
    dynamo.on(PutItemCommand).rejects(throttled());
    await play(group, 5, true);
    expect(clawopsEvents().map((e) => e.type)).toEqual([
      "GatewayProbesFailingFleetWide",
      "GatewayProbesFleetWideCleared",
    ]);
  });

  it("publishes nothing while no write succeeds, then announces once when DynamoDB answers again", async () => {
    const group = churningGroup(10, () => 404);
    await play(group, 5);
    expect(clawopsEvents()).toEqual([]);
    dynamo.on(PutItemCommand).rejects(throttled()).on(UpdateItemCommand).rejects(throttled());
    await play(group, 5, true);
    expect(clawopsEvents()).toEqual([]);
    group.answerAgain();
    await play(group, 3);
    expect(clawopsEvents().map((e) => e.type)).toEqual(["GatewayProbesFailingFleetWide"]);
  });

  it("leaves the announcement to the run that saved the episode first (two runs at once publish once)", async () => {
    const group = churningGroup(10, () => 404);
    await play(group, 5);
    // This run's load sees no episode; by its claim another run has saved the episode as announced.
    dynamo.on(UpdateItemCommand).rejects(
      new ServiceException({
        name: "ConditionalCheckFailedException",
        message: "The conditional request failed",
        $fault: "client",
        $metadata: {},
      }),
    );
    await play(group, 3);
    expect(clawopsEvents()).toEqual([]);
  });
});
