import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { makeClient } from "@clawops/core/aws";
import { clawopsEventPattern, launchLifecyclePattern } from "@clawops/core/events";
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxEvent } from "../src/aws/world.js";
import { LocalEventBus } from "../src/bus.js";
import { SandboxClock } from "../src/clock.js";
import { LocalStepFunctions, stateMachineTarget } from "../src/stepfunctions.js";
import { GROUP, type TestAccount, testAccount } from "./account.js";

let account: TestAccount | undefined;
afterEach(() => account?.close());

const event = (source: string, detail: Record<string, unknown> = { stage: "test" }): SandboxEvent => ({
  version: "0",
  id: `e-${source}`,
  "detail-type": "DrillCompleted",
  source,
  account: "123456789012",
  time: "2026-11-27T09:00:00Z",
  region: "us-east-1",
  resources: [],
  detail,
});

describe("Class: LocalEventBus", () => {
  it("delivers only events that match the rule's pattern", async () => {
    const bus = new LocalEventBus(new SandboxClock());
    const got: string[] = [];
    bus.putRule({ name: "clawops", pattern: clawopsEventPattern("test"), target: (e) => got.push(e.source) });
    bus.publish(event("clawops"));
    bus.publish(event("not-clawops"));
    await bus.idle();
    expect(got).toEqual(["clawops"]);
    expect(bus.published()).toHaveLength(2);
  });

  it("retries a failing target on the clock, and records a delivery that never succeeds", async () => {
    const clock = new SandboxClock();
    const bus = new LocalEventBus(clock, { attempts: 3, retryDelayMs: 1_000 });
    let calls = 0;
    bus.putRule({
      name: "flaky",
      pattern: clawopsEventPattern("test"),
      target: () => {
        calls += 1;
        throw new Error("down");
      },
    });
    bus.publish(event("clawops"));
    await bus.idle();
    await clock.advance(1_000);
    await bus.idle();
    await clock.advance(2_000);
    await bus.idle();
    expect(calls).toBe(3);
    expect(bus.failures().map((d) => [d.rule, d.attempt])).toEqual([["flaky", 3]]);
  });

  it("delivers duplicates when told to (at-least-once)", async () => {
    const bus = new LocalEventBus(new SandboxClock(), { duplicate: true });
    const got: boolean[] = [];
    bus.putRule({ name: "r", pattern: clawopsEventPattern("test"), target: () => got.push(true) });
    bus.publish(event("clawops"));
    await bus.idle();
    expect(got).toHaveLength(2);
    expect(bus.deliveries("r").map((d) => d.duplicate)).toEqual([false, true]);
  });

  it("delivers as many extra copies as asked, and loses the deliveries `drop` picks", async () => {
    const bus = new LocalEventBus(new SandboxClock(), {
      duplicate: (e) => (e.source === "clawops" ? 2 : false),
      drop: (e, rule) => e.detail.lost === true && rule === "r",
    });
    const got: string[] = [];
    bus.putRule({ name: "r", pattern: clawopsEventPattern("test"), target: (e) => got.push(e.id) });
    bus.publish(event("clawops"));
    bus.publish({ ...event("clawops", { lost: true, stage: "test" }), id: "e-lost" });
    await bus.idle();
    expect(got).toEqual(["e-clawops", "e-clawops", "e-clawops"]);
    expect(bus.deliveries("r").map((d) => d.duplicate)).toEqual([false, true, true]);
    expect(bus.lost()).toEqual([{ rule: "r", eventId: "e-lost" }]);
    expect(bus.published()).toHaveLength(2);
  });

  it("hands a rule's target any input on invoke, matching or not, and retries it like a delivery", async () => {
    const bus = new LocalEventBus(new SandboxClock(), { attempts: 1 });
    const got: unknown[] = [];
    bus.putRule({ name: "r", pattern: clawopsEventPattern("test"), target: (e) => void got.push(e) });
    bus.invoke("r", "not an event");
    bus.invoke("r", null);
    await bus.idle();
    expect(got).toEqual(["not an event", null]);
    expect(bus.deliveries("r").map((d) => [d.eventId, d.outcome])).toEqual([
      ["", "ok"],
      ["", "ok"],
    ]);
    expect(() => bus.invoke("nope", {})).toThrow(/no rule nope/);
  });

  it("rejects a malformed pattern as PutRule would", () => {
    const bus = new LocalEventBus(new SandboxClock());
    expect(() =>
      bus.putRule({ name: "bad", pattern: { source: "aws.ssm" }, target: () => undefined }),
    ).toThrow();
  });

  it("starts a named state machine execution per launch event, once per name even when delivered twice", async () => {
    account = await testAccount({ desired: 2 });
    const sfn = new LocalStepFunctions(account.aws.world);
    sfn.define({
      name: "launch-gate",
      definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } },
    });
    const bus = new LocalEventBus(account.clock, { duplicate: true });
    bus.putRule({
      name: "launch",
      pattern: launchLifecyclePattern(GROUP),
      target: stateMachineTarget(sfn, "launch-gate", (e) => String(e.detail.EC2InstanceId)),
    });
    for (const e of account.bus.published(launchLifecyclePattern(GROUP))) bus.publish(e);
    await bus.idle();
    await sfn.idle();
    expect(sfn.list("launch-gate").map((e) => e.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("puts PutEvents entries on the bus and reports malformed ones per entry", async () => {
    account = await testAccount({ desired: 0 });
    const out = await makeClient(EventBridgeClient).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "clawops",
            DetailType: "DrillCompleted",
            Detail: JSON.stringify({ drillId: "d1", stage: "test" }),
          },
          { Source: "clawops", DetailType: "DrillCompleted", Detail: "not json" },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]?.ErrorCode).toBe("MalformedDetail");
    expect(account.bus.published(clawopsEventPattern("test")).map((e) => e.detail)).toEqual([
      { drillId: "d1", stage: "test" },
    ]);
  });
});
