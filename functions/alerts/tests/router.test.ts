import { setTimeout as realDelay } from "node:timers/promises";
import { ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { alarmLockItemKey, deliveryItemKey } from "@clawops/core/alerts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../../packages/core/tests/events/fixtures.js";
import { type RouterWorld, startWorld, VirtualClock, YieldingClock } from "./harness.js";

let world: RouterWorld;
afterEach(async () => {
  await world?.close();
});

const alarm = () => loadFixture("aws.cloudwatch", "metric-alarm");
const ok = () => loadFixture("aws.cloudwatch", "ok");
const headerOf = (message: { blocks?: readonly Record<string, unknown>[] }) =>
  (message.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text;

describe("Function: alert router", () => {
  describe("messages and threads", () => {
    beforeEach(async () => {
      world = await startWorld();
    });

    it("posts an ALARM to the routed channel, opens a thread with the metric graph, and records the delivery", async () => {
      const result = await world.invoke(alarm());
      const channel = world.slack.channel("ops-alerts");
      expect(result).toMatchObject({ status: "opened", channel: "C0ALERTS" });
      expect(channel.messages).toHaveLength(1);
      const parent = channel.messages[0]!;
      expect(headerOf(parent)).toBe(":red_circle: ALARM: clawops-test-fleet-gateway-unhealthy");
      expect(JSON.stringify(parent.blocks)).toContain("Threshold Crossed");
      const replies = channel.thread(parent.ts);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.files[0]!.mimetype).toContain("png");
      const delivery = await world.item(deliveryItemKey("clawops-test-fleet-gateway-unhealthy"));
      expect(delivery).toMatchObject({
        state: "ALARM",
        channel: "C0ALERTS",
        ts: parent.ts,
        eventId: alarm().id,
      });
      expect(delivery!.deliveredAt).toBe(world.clock.now());
    });

    it("resolves the thread on OK: the parent says resolved with the duration and a reply says so", async () => {
      await world.invoke(alarm());
      const result = await world.invoke(ok());
      const channel = world.slack.channel("ops-alerts");
      expect(result).toMatchObject({ status: "resolved" });
      expect(channel.messages).toHaveLength(1);
      const parent = channel.messages[0]!;
      expect(headerOf(parent)).toBe(":white_check_mark: RESOLVED: clawops-test-fleet-gateway-unhealthy");
      expect(JSON.stringify(parent.blocks)).toContain("after *14 min 59 s*");
      expect(parent.edits).toHaveLength(1);
      const reply = channel.thread(parent.ts).at(-1)!;
      expect(reply.text).toContain("is *OK* after *14 min 59 s*");
    });

    it("replies in the open thread when the alarm goes to INSUFFICIENT_DATA", async () => {
      await world.invoke(alarm());
      const later = withField(withField(alarm(), "id", "later"), "detail.state.value", "INSUFFICIENT_DATA");
      const result = await world.invoke(
        withField(later, "detail.state.timestamp", "2026-03-02T12:10:00.000+0000"),
      );
      expect(result).toMatchObject({ status: "replied" });
      const channel = world.slack.channel("ops-alerts");
      expect(channel.thread(channel.messages[0]!.ts).at(-1)!.text).toContain("INSUFFICIENT DATA");
    });

    it("posts the same event once when EventBridge delivers it twice", async () => {
      await world.invoke(alarm());
      const second = await world.invoke(alarm());
      expect(second).toEqual({ status: "duplicate" });
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
    });

    it("routes by the alarm's severity tag and mentions the critical route's group", async () => {
      world.mocks.cloudwatch
        .on(ListTagsForResourceCommand)
        .resolves({ Tags: [{ Key: "severity", Value: "critical" }] });
      await world.invoke(alarm());
      const message = world.slack.channel("ops-critical").messages[0]!;
      expect(message.text.startsWith("<!subteam^S0123ABC>")).toBe(true);
    });

    it("posts an alarm whose description is empty, showing its name (Slack refuses empty text)", async () => {
      const blank = withField(alarm(), "detail.configuration.description", "");
      expect(await world.invoke(blank)).toMatchObject({ status: "opened" });
      const [message] = world.slack.channel("ops-alerts").messages;
      expect(JSON.stringify(message!.blocks)).toContain('"text":"*clawops-test-fleet-gateway-unhealthy*"');
      expect(world.deadLetters()).toEqual([]);
    });

    it("sends alarm text verbatim, so Slack links no @channel or #channel in it; its own mention stays", async () => {
      world.mocks.cloudwatch
        .on(ListTagsForResourceCommand)
        .resolves({ Tags: [{ Key: "severity", Value: "critical" }] });
      const loud = withField(alarm(), "detail.configuration.description", "page @channel in #general");
      await world.invoke(loud);
      const [message] = world.slack.channel("ops-critical").messages;
      const section = message!.blocks!.find((block) => block.type === "section");
      expect(section).toMatchObject({
        text: { type: "mrkdwn", text: "<!subteam^S0123ABC> page @channel in #general", verbatim: true },
      });
      expect(message!.text).toContain("<!subteam^S0123ABC>");
    });

    it("posts clawops events with their own layout", async () => {
      await world.invoke(loadFixture("clawops", "DrillCompleted"));
      expect(headerOf(world.slack.channel("ops-alerts").messages[0]!)).toContain(
        "Restore drill did not verify",
      );
    });

    it("groups a storm: the first alarms are posted, the rest land in one group message", async () => {
      for (let i = 0; i < 12; i += 1) {
        const event = withField(
          withField(alarm(), "id", `storm-${i}`),
          "detail.alarmName",
          `clawops-test-a${i}`,
        );
        await world.invoke(event);
      }
      const channel = world.slack.channel("ops-alerts");
      const top = channel.messages;
      expect(top).toHaveLength(6);
      const group = JSON.stringify(top[5]!.blocks);
      expect(headerOf(top[5]!)).toContain("Alert storm: 12 alarm changes");
      for (let i = 5; i < 12; i += 1) expect(group).toContain(`clawops-test-a${i}`);
    });
  });

  describe("two transitions of one alarm at once", () => {
    it("delivers them in turn: the OK that arrives while the ALARM is still posting resolves its thread", async () => {
      world = await startWorld({ clock: new YieldingClock() });
      // The ALARM's invocation is slow to read the alarm's tags; the OK's invocation starts meanwhile.
      world.mocks.cloudwatch
        .on(ListTagsForResourceCommand)
        .callsFakeOnce(async () => {
          await realDelay(150);
          return { Tags: [] };
        })
        .resolves({ Tags: [] });
      const first = world.invoke(alarm());
      await realDelay(20);
      const [opened, resolved] = await Promise.all([first, world.invoke(ok())]);
      expect(opened).toMatchObject({ status: "opened" });
      expect(resolved).toMatchObject({ status: "resolved" });
      const channel = world.slack.channel("ops-alerts");
      expect(channel.messages).toHaveLength(1);
      expect(headerOf(channel.messages[0]!)).toBe(
        ":white_check_mark: RESOLVED: clawops-test-fleet-gateway-unhealthy",
      );
      expect(await world.item(alarmLockItemKey("clawops-test-fleet-gateway-unhealthy"))).toBeUndefined();
    });

    it("hands the event back to Lambda while another invocation holds the alarm, and delivers once its lease ran out", async () => {
      const clock = new VirtualClock();
      world = await startWorld({ clock });
      const lock = alarmLockItemKey("clawops-test-fleet-gateway-unhealthy");
      const leaseUntil = world.clock.now() + 60_000;
      await world.put({ ...lock, owner: "another-event", leaseUntil, expiresAt: leaseUntil / 1000 + 86_400 });
      await expect(world.invoke(alarm())).rejects.toThrow(/being delivered by another invocation/);
      expect(world.slack.calls("chat.postMessage")).toHaveLength(0);
      expect(world.deadLetters()).toEqual([]);
      // Lambda's retry, after the holder's lease ran out (it died without giving the lock back).
      clock.current = leaseUntil + 1;
      await expect(world.invoke(alarm())).resolves.toMatchObject({ status: "opened" });
      expect(await world.item(lock)).toBeUndefined();
    });
  });

  describe("a composite alarm whose actions its suppressor holds back (actionsSuppressedBy Alarm)", () => {
    it("posts it without the critical route's mention, saying which suppressor holds the actions back", async () => {
      world = await startWorld();
      world.mocks.cloudwatch
        .on(ListTagsForResourceCommand)
        .resolves({ Tags: [{ Key: "severity", Value: "critical" }] });
      let event = withField(
        loadFixture("aws.cloudwatch", "composite"),
        "detail.state.actionsSuppressedBy",
        "Alarm",
      );
      event = withField(
        event,
        "detail.state.actionsSuppressedReason",
        "Alarm clawops-maintenance-window is in ALARM state",
      );
      expect(await world.invoke(event)).toMatchObject({ status: "opened" });
      const [posted] = world.slack.channel("ops-critical").messages;
      expect(posted!.text).not.toContain("subteam");
      expect(JSON.stringify(posted!.blocks)).not.toContain("subteam");
      expect(JSON.stringify(posted!.blocks)).toContain("its actions suppressor `clawops-maintenance-window`");
    });
  });

  describe("faults", () => {
    it.each([
      ["an HTTP 500", (w: RouterWorld) => w.slack.fail("chat.postMessage", { status: 500, times: 2 })],
      ["a timeout", (w: RouterWorld) => w.slack.timeout("chat.postMessage", 1)],
      [
        "a transient internal_error",
        (w: RouterWorld) => w.slack.error("chat.postMessage", "internal_error", 1),
      ],
    ])("delivers after %s", async (_, inject) => {
      world = await startWorld();
      inject(world);
      expect(await world.invoke(alarm())).toMatchObject({ status: "opened" });
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
      expect(world.deadLetters()).toEqual([]);
    });

    it("delivers after a 429, waiting Retry-After", async () => {
      world = await startWorld();
      for (let i = 0; i < 5; i += 1) {
        await world.invoke(withField(loadFixture("clawops", "DrainFailed"), "id", `drain-${i}`));
      }
      const limited = world.slack.calls("chat.postMessage").filter((call) => call.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(5);
      expect(world.deadLetters()).toEqual([]);
    });

    it("keeps waiting Retry-After past six 429s while the function has time: a 429 is not a failed try", async () => {
      world = await startWorld();
      world.slack.rateLimited("chat.postMessage", { retryAfterSeconds: 2, times: 9 });
      const before = world.clock.now();
      expect(await world.invoke(alarm())).toMatchObject({ status: "opened" });
      expect(world.clock.now() - before).toBeGreaterThanOrEqual(18_000);
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
      expect(world.deadLetters()).toEqual([]);
    });

    it("dead-letters a post that Slack keeps rate limiting past the function's time", async () => {
      world = await startWorld();
      world.slack.rateLimited("chat.postMessage", { retryAfterSeconds: 10, times: 50 });
      expect(await world.invoke(alarm())).toMatchObject({ status: "dead-lettered" });
      expect(world.deadLetters()[0]).toMatchObject({
        reason: "AlertDeliveryError: retries exhausted: rate limited (429)",
      });
    });

    it("gives up on 5xx after six tries, 429s before them not counted", async () => {
      world = await startWorld();
      world.slack.rateLimited("chat.postMessage", { retryAfterSeconds: 1, times: 5 });
      world.slack.fail("chat.postMessage", { status: 503, times: 5 });
      expect(await world.invoke(alarm())).toMatchObject({ status: "opened" });
      expect(world.deadLetters()).toEqual([]);
    });

    it.each([
      ["invalid_auth", { token: "xoxb-wrong" }, alarm],
      [
        "channel_not_found",
        {},
        () => withField(loadFixture("clawops", "DrillFailed"), "detail.drillId", "x"),
      ],
    ] as const)(
      "dead-letters %s with the reason, the channel and the rendered message",
      async (reason, options, event) => {
        world = await startWorld(options);
        if (reason === "channel_not_found") world.slack.error("chat.postMessage", "channel_not_found", 1);
        const result = await world.invoke(event());
        expect(result).toMatchObject({ status: "dead-lettered", reason: `AlertDeliveryError: ${reason}` });
        const [record] = world.deadLetters();
        expect(record).toMatchObject({
          reason: `AlertDeliveryError: ${reason}`,
          extra: { kind: "alert", permanent: true },
        });
        expect(record!.extra!.channel).toMatch(/^C0/);
        expect(JSON.stringify(record!.extra!.message)).toContain("blocks");
        const announced = world.mocks.events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
        expect(announced).toMatchObject({ Source: "clawops", DetailType: "AlertDeliveryFailed" });
        expect(JSON.parse(announced.Detail!)).toMatchObject({ reason });
      },
    );

    it("dead-letters when 5xx outlasts the retries", async () => {
      world = await startWorld();
      world.slack.fail("chat.postMessage", { status: 503, times: 50 });
      expect(await world.invoke(alarm())).toMatchObject({ status: "dead-lettered" });
      expect(world.deadLetters()[0]).toMatchObject({
        reason: "AlertDeliveryError: retries exhausted: HTTP 503",
        extra: { permanent: false },
      });
    });

    it("dead-letters with the reason when the secret cannot be read", async () => {
      world = await startWorld();
      world.mocks.secrets.on(GetSecretValueCommand).rejects(
        Object.assign(new Error("not authorized to perform secretsmanager:GetSecretValue"), {
          name: "AccessDeniedException",
        }),
      );
      const result = await world.invoke(alarm());
      expect(result).toMatchObject({ deadLettered: true });
      expect(world.deadLetters()[0]!.reason).toContain("AccessDeniedException");
      expect(world.slack.calls("chat.postMessage")).toHaveLength(0);
    });

    it("hands a throttled secret fetch back to Lambda to retry", async () => {
      world = await startWorld();
      world.mocks.secrets
        .on(GetSecretValueCommand)
        .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
      await expect(world.invoke(alarm())).rejects.toThrow(/ThrottlingException/);
      expect(world.deadLetters()).toEqual([]);
    });

    /** A DynamoDB throttle the SDK's own retries did not outlast. */
    const throttled = () =>
      Object.assign(new Error("Throughput exceeds the current capacity of your table"), {
        name: "ProvisionedThroughputExceededException",
      });

    type StoredItem = { sk?: string; status?: string };
    it.each([
      ["the thread record", alarm, (item: StoredItem) => item.sk === "thread"],
      [
        "the event's completion",
        () => loadFixture("clawops", "DrainFailed"),
        (item: StoredItem) => item.sk === "dedup" && item.status === "done",
      ],
    ] as const)(
      "posts once when writing %s after the post fails and Lambda retries the event",
      async (_, event, written) => {
        const channel = "ops-alerts";
        let fail = true;
        world = await startWorld({
          beforeDb: (command) => {
            const item = (command.input as { Item?: StoredItem }).Item;
            if (fail && command.constructor.name === "PutCommand" && item && written(item)) {
              fail = false;
              throw throttled();
            }
          },
        });
        await expect(world.invoke(event())).rejects.toThrow(/Throughput exceeds/);
        expect(world.slack.channel(channel).messages).toHaveLength(1);

        (world.clock as VirtualClock).current += 60_000; // Lambda's first async retry
        expect(await world.invoke(event())).toMatchObject({ status: expect.stringMatching(/opened|posted/) });

        expect(world.slack.channel(channel).messages).toHaveLength(1);
        expect(await world.invoke(event())).toEqual({ status: "duplicate" });
      },
    );

    it("opens the thread of the first post on the retry, so the OK resolves that message", async () => {
      let fail = true;
      world = await startWorld({
        beforeDb: (command) => {
          const item = (command.input as { Item?: { sk?: string } }).Item;
          if (fail && command.constructor.name === "PutCommand" && item?.sk === "thread") {
            fail = false;
            throw throttled();
          }
        },
      });
      await world.invoke(alarm()).catch(() => undefined);
      (world.clock as VirtualClock).current += 60_000;
      await world.invoke(alarm());
      expect(await world.invoke(ok())).toMatchObject({ status: "resolved" });
      const messages = world.slack.channel("ops-alerts").messages;
      expect(messages).toHaveLength(1);
      expect(headerOf(messages[0]!)).toContain("RESOLVED");
    });

    describe("Lambda's retry of an event whose thread write failed during a storm", () => {
      /** An alarm transition of `name` (an alarm of its own) at `timestamp`. */
      const alarmOf = (name: string, timestamp: string) =>
        withField(
          withField(withField(alarm(), "id", `event-${name}`), "detail.alarmName", name),
          "detail.state.timestamp",
          timestamp,
        );
      /** Throttles the first write of `name`'s thread record. */
      const throttleThreadOf = (name: string) => {
        let fail = true;
        return (command: { readonly constructor: { readonly name: string }; readonly input: object }) => {
          const item = (command.input as { Item?: { sk?: string; alarmName?: string } }).Item;
          if (
            fail &&
            command.constructor.name === "PutCommand" &&
            item?.sk === "thread" &&
            item.alarmName === name
          ) {
            fail = false;
            throw throttled();
          }
        };
      };

      it("resumes from the alarm's own message, and does not post a group message for it", async () => {
        world = await startWorld({ rateLimit: false, beforeDb: throttleThreadOf("fifth") });
        for (let i = 1; i <= 4; i++)
          await world.invoke(alarmOf(`alarm-${i}`, `2026-03-02T12:04:4${i}.000+0000`));
        // The window's 5th alarm, still posted on its own: its thread write is throttled after the post.
        const fifth = () => alarmOf("fifth", "2026-03-02T12:04:45.000+0000");
        await expect(world.invoke(fifth())).rejects.toThrow(/Throughput exceeds/);
        const own = world.slack.channel("ops-alerts").messages[4]!;

        (world.clock as VirtualClock).current += 60_000; // Lambda's async retry
        expect(await world.invoke(fifth())).toMatchObject({ status: "opened", ts: own.ts });

        expect(world.slack.channel("ops-alerts").messages).toHaveLength(5);
      });

      it("lists a grouped alarm once in the group message, counted once", async () => {
        world = await startWorld({ rateLimit: false, beforeDb: throttleThreadOf("sixth") });
        for (let i = 1; i <= 5; i++)
          await world.invoke(alarmOf(`alarm-${i}`, `2026-03-02T12:04:4${i}.000+0000`));
        const sixth = () => alarmOf("sixth", "2026-03-02T12:04:46.000+0000");
        await expect(world.invoke(sixth())).rejects.toThrow(/Throughput exceeds/);

        (world.clock as VirtualClock).current += 60_000;
        expect(await world.invoke(sixth())).toMatchObject({ status: "grouped" });

        const group = world.slack.channel("ops-alerts").messages.at(-1)!;
        expect(headerOf(group)).toContain("Alert storm: 6 alarm changes");
        expect(JSON.stringify(group.blocks).split("sixth").length - 1).toBe(1);
      });
    });

    it("dead-letters an event once when PutEvents refuses its announcement on every Lambda try", async () => {
      world = await startWorld({ token: "xoxb-wrong" });
      world.mocks.events
        .on(PutEventsCommand)
        .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException" }] });
      for (let attempt = 0; attempt < 3; attempt++) {
        await expect(world.invoke(alarm())).rejects.toThrow(/PutEvents refused AlertDeliveryFailed/);
        (world.clock as VirtualClock).current += 60_000; // Lambda's async retries
      }
      expect(world.deadLetters()).toHaveLength(1);
      expect(world.mocks.events.commandCalls(PutEventsCommand)).toHaveLength(3);
    });

    it("hands the event back to Lambda when PutEvents refuses its AlertDeliveryFailed announcement", async () => {
      world = await startWorld({ token: "xoxb-wrong" });
      world.mocks.events
        .on(PutEventsCommand)
        .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "x" }] });
      await expect(world.invoke(alarm())).rejects.toThrow(
        /PutEvents refused AlertDeliveryFailed: 1 entry refused \(InternalFailure: x\)/,
      );
      expect(world.deadLetters()).toHaveLength(1);
    });

    it("does not announce the failure of an AlertDeliveryFailed (no loop)", async () => {
      world = await startWorld({ token: "xoxb-wrong" });
      await world.invoke(loadFixture("clawops", "AlertDeliveryFailed"));
      expect(world.deadLetters()).toHaveLength(1);
      expect(world.mocks.events.commandCalls(PutEventsCommand)).toHaveLength(0);
    });
  });
});
