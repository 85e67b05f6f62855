import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { stormItemKey, threadItemKey } from "@clawops/core/alerts";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../../packages/core/tests/events/fixtures.js";
import { replayDeadLetters } from "../replay.js";
import { slackClient } from "../slack.js";
import { DLQ_URL, type RouterWorld, startWorld, type VirtualClock } from "./harness.js";

let world: RouterWorld;
afterEach(async () => {
  await world?.close();
});

const ALARM_NAME = "clawops-test-fleet-gateway-unhealthy";
const alarm = () => loadFixture("aws.cloudwatch", "metric-alarm");
const ok = () => loadFixture("aws.cloudwatch", "ok");
const isChannelId = (channel: unknown) => /^[CGD][A-Z0-9]+$/.test(String(channel));
const headerOf = (message: { blocks?: readonly Record<string, unknown>[] }) =>
  (message.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text;

/** An alarm transition of `name` to `state` at `timestamp` (AWS's format), with an event id of its own. */
function transition(id: string, name: string, state: "ALARM" | "OK", timestamp: string) {
  const event = withField(withField(state === "OK" ? ok() : alarm(), "id", id), "detail.alarmName", name);
  return withField(event, "detail.state.timestamp", timestamp);
}

/**
 * Records the channel of every Slack call that takes only a channel id, and answers `channel_not_found`
 * to a name as Slack does (`chat.update`, `files.completeUploadExternal`); the local server accepts names.
 */
function idOnlyCalls(w: RouterWorld): { method: string; channel: string }[] {
  const client = slackClient(w.token, w.slack.apiUrl, 300); // The router's client (one per token and URL).
  const calls: { method: string; channel: string }[] = [];
  const notFound = () =>
    Object.assign(new Error("An API error occurred: channel_not_found"), {
      code: "slack_webapi_platform_error",
      data: { ok: false, error: "channel_not_found" },
    });
  const update = client.chat.update.bind(client.chat);
  client.chat.update = (async (args: { channel: string }) => {
    calls.push({ method: "chat.update", channel: args.channel });
    if (!isChannelId(args.channel)) throw notFound();
    return update(args as never);
  }) as typeof client.chat.update;
  const upload = client.filesUploadV2.bind(client);
  client.filesUploadV2 = (async (args: { channel_id: string }) => {
    calls.push({ method: "filesUploadV2", channel: args.channel_id });
    if (!isChannelId(args.channel_id)) throw notFound();
    return upload(args as never);
  }) as typeof client.filesUploadV2;
  return calls;
}

describe("Function: alert router (threads)", () => {
  describe("routes that name channels (no slack.channels map, as the shipped clawops.config.ts)", () => {
    it("updates, uploads and resolves in the channel id Slack answered, not the name", async () => {
      world = await startWorld({ channels: {} });
      const calls = idOnlyCalls(world);

      expect(await world.invoke(alarm())).toMatchObject({ status: "opened", channel: "ops-alerts" });
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ channel: "C0ALERTS" });
      expect(await world.invoke(ok())).toMatchObject({ status: "resolved", channel: "C0ALERTS" });

      expect(calls.map((c) => c.method)).toEqual(["filesUploadV2", "chat.update"]);
      expect(calls.every((c) => isChannelId(c.channel))).toBe(true);
      expect(world.deadLetters()).toEqual([]);
      const parent = world.slack.channel("ops-alerts").messages[0]!;
      expect(parent.edits).toHaveLength(1);
      expect(parent.text).toContain("Resolved");
      expect(world.slack.channel("ops-alerts").thread(parent.ts)[0]!.files).toHaveLength(1);
    });

    it("updates a storm's group message in the channel id Slack answered", async () => {
      world = await startWorld({ channels: {}, rateLimit: false });
      const calls = idOnlyCalls(world);
      for (let i = 0; i < 8; i += 1) {
        const at = `2026-03-02T12:04:4${i}.000+0000`;
        expect(await world.invoke(transition(`a${i}`, `openclaw-a${i}`, "ALARM", at))).toMatchObject({
          channel: "ops-alerts",
        });
      }
      expect(calls.filter((c) => c.method === "chat.update").length).toBeGreaterThan(0);
      expect(calls.every((c) => isChannelId(c.channel))).toBe(true);
      expect(world.deadLetters()).toEqual([]);
      const group = world.slack.channel("ops-alerts").messages.at(-1)!;
      for (const name of ["openclaw-a5", "openclaw-a6", "openclaw-a7"])
        expect(JSON.stringify(group.blocks)).toContain(name);
      const window = await world.item(stormItemKey("ops-alerts", Date.parse("2026-03-02T12:04:00Z")));
      expect(window).toMatchObject({ channelId: "C0ALERTS" });
      expect(await world.item(threadItemKey("openclaw-a7"))).toMatchObject({
        channel: "C0ALERTS",
        grouped: true,
      });
    });
  });

  describe("an alarm that stays in ALARM longer than alerts.stateTtlDays (14)", () => {
    it("keeps its open thread, so the OK weeks later resolves it", async () => {
      world = await startWorld();
      await world.invoke(alarm());
      // Open, it is kept 90 days after its latest transition (not stateTtlDays).
      const open = await world.item(threadItemKey(ALARM_NAME));
      expect(open!.expiresAt).toBeGreaterThanOrEqual(Math.floor(world.clock.now() / 1000) + 89 * 86_400);

      (world.clock as VirtualClock).current += 30 * 86_400_000;
      const later = new Date(world.clock.now()).toISOString().replace("Z", "+0000");
      const result = await world.invoke(withField(ok(), "detail.state.timestamp", later));

      expect(result).toMatchObject({ status: "resolved" });
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(1);
      // Resolved, the record expires stateTtlDays later like every other.
      const resolved = await world.item(threadItemKey(ALARM_NAME));
      expect(resolved).toMatchObject({ resolved: true });
      expect(resolved!.expiresAt).toBe(Math.floor(world.clock.now() / 1000) + 14 * 86_400);
    });
  });

  describe("an OK whose ALARM message is gone (Slack answers message_not_found)", () => {
    it("closes the thread and posts the OK on its own, so a later ALARM opens a new thread", async () => {
      world = await startWorld();
      await world.invoke(alarm());
      const client = slackClient(world.token, world.slack.apiUrl, 300);
      const update = client.chat.update.bind(client.chat);
      client.chat.update = (async () => {
        throw Object.assign(new Error("An API error occurred: message_not_found"), {
          code: "slack_webapi_platform_error",
          data: { ok: false, error: "message_not_found" },
        });
      }) as never;
      try {
        expect(await world.invoke(ok())).toMatchObject({ status: "posted" });
      } finally {
        client.chat.update = update;
      }
      expect(world.deadLetters()).toEqual([]);
      const messages = world.slack.channel("ops-alerts").messages;
      expect(messages).toHaveLength(2);
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ resolved: true });

      (world.clock as VirtualClock).current += 40 * 86_400_000;
      const later = new Date(world.clock.now()).toISOString().replace("Z", "+0000");
      const again = withField(withField(alarm(), "id", "alarm-again"), "detail.state.timestamp", later);
      expect(await world.invoke(again)).toMatchObject({ status: "opened" });
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(3);
    });
  });

  describe("an OK that is dead-lettered because Slack refuses the update of its ALARM message", () => {
    const critical = { alerts: { alarmSeverities: { [ALARM_NAME]: "critical" as const } } };
    /** The alarm firing again a day later: a new incident. */
    const nextDay = (w: RouterWorld) => {
      (w.clock as VirtualClock).current += 86_400_000;
      const later = new Date(w.clock.now()).toISOString().replace("Z", "+0000");
      return transition("alarm-again", ALARM_NAME, "ALARM", later);
    };

    it.each([
      ["token_revoked", (w: RouterWorld) => w.slack.error("chat.update", "token_revoked", 1)],
      ["invalid_auth", (w: RouterWorld) => w.slack.error("chat.update", "invalid_auth", 1)],
      [
        "HTTP 503 past the retries",
        (w: RouterWorld) => w.slack.fail("chat.update", { status: 503, times: 6 }),
      ],
    ])(
      "closes the thread (%s), so the alarm's next ALARM opens a new thread that mentions the route",
      async (_, refuse) => {
        world = await startWorld(critical);
        expect(await world.invoke(alarm())).toMatchObject({ status: "opened" });
        refuse(world);
        expect(await world.invoke(ok())).toMatchObject({ status: "dead-lettered" });
        expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({
          lastState: "OK",
          lastStateAt: Date.parse("2026-03-02T12:19:40.412Z"),
          resolved: true,
        });

        expect(await world.invoke(nextDay(world))).toMatchObject({ status: "opened" });
        const messages = world.slack.channel("ops-critical").messages;
        expect(messages).toHaveLength(2);
        expect(messages[1]!.text).toContain("<!subteam^S0123ABC>");
      },
    );

    it("closes the thread only once the OK's record is in the queue: Lambda's retry of a failed send still dead-letters it", async () => {
      world = await startWorld(critical);
      await world.invoke(alarm());
      world.slack.error("chat.update", "token_revoked", 2);
      world.mocks.sqs
        .on(SendMessageCommand)
        .rejectsOnce(Object.assign(new Error("SQS is unavailable"), { name: "ServiceUnavailable" }))
        .resolves({ MessageId: "m-1" });
      await expect(world.invoke(ok())).rejects.toThrow(/SQS is unavailable/);
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ resolved: false });

      (world.clock as VirtualClock).current += 60_000; // Lambda's async retry
      expect(await world.invoke(ok())).toMatchObject({ status: "dead-lettered" });
      expect(world.deadLetters().at(-1)).toMatchObject({ event: { id: ok().id } }); // the send that got through
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ lastState: "OK", resolved: true });
    });

    it("announces the failure on Lambda's retry when PutEvents refused the announcement, sending one record", async () => {
      world = await startWorld(critical);
      await world.invoke(alarm());
      world.slack.error("chat.update", "token_revoked", 1);
      world.mocks.events
        .on(PutEventsCommand)
        .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException" }] })
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
      await expect(world.invoke(ok())).rejects.toThrow(/PutEvents refused AlertDeliveryFailed/);

      (world.clock as VirtualClock).current += 60_000; // Lambda's async retry
      expect(await world.invoke(ok())).toMatchObject({ status: "dead-lettered" });
      const announcements = world.mocks.events.commandCalls(PutEventsCommand).map((call) => {
        const entry = call.args[0].input.Entries![0]!;
        return { type: entry.DetailType, detail: JSON.parse(entry.Detail!) };
      });
      expect(announcements).toHaveLength(2); // the refused one, and the retry's
      expect(announcements[1]).toMatchObject({
        type: "AlertDeliveryFailed",
        detail: { alertKey: expect.stringContaining(ALARM_NAME), reason: "token_revoked" },
      });
      expect(world.deadLetters()).toHaveLength(1);
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ lastState: "OK", resolved: true });
      expect(await world.invoke(ok())).toEqual({ status: "duplicate" });
    });

    it("skips a late ALARM of the incident the OK ended as stale, instead of replying in the thread", async () => {
      world = await startWorld(critical);
      await world.invoke(alarm());
      world.slack.error("chat.update", "token_revoked", 1);
      await world.invoke(ok());
      const late = transition("alarm-late", ALARM_NAME, "ALARM", "2026-03-02T12:10:00.000+0000");
      expect(await world.invoke(late)).toMatchObject({ status: "skipped" });
      expect(world.slack.calls("chat.postMessage").filter((call) => call.status === 200)).toHaveLength(1);
    });

    it("is replayed on its own, and the alarm's next ALARM opens a new thread", async () => {
      world = await startWorld(critical);
      await world.invoke(alarm());
      world.slack.error("chat.update", "token_revoked", 1);
      await world.invoke(ok());
      const [record] = world.deadLetters();
      world.mocks.sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [{ Body: JSON.stringify(record), ReceiptHandle: "r1", MessageId: "m1" }] })
        .resolves({ Messages: [] });
      world.mocks.sqs.on(DeleteMessageCommand).resolves({});
      const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });
      expect(report.replayed).toBe(1);

      expect(await world.invoke(nextDay(world))).toMatchObject({ status: "opened" });
      const messages = world.slack.channel("ops-critical").messages;
      expect(messages).toHaveLength(3); // the ALARM, the replayed OK, the new ALARM
      expect(messages[2]!.text).toContain("<!subteam^S0123ABC>");
    });

    it("closes the thread when replaying an OK that Lambda dead-lettered itself (the thread left open)", async () => {
      world = await startWorld(critical);
      await world.invoke(alarm());
      // Lambda's own DLQ after its async retries: the event as it was, the error in a message attribute.
      world.mocks.sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [{ Body: JSON.stringify(ok()), ReceiptHandle: "r1", MessageId: "m1" }] })
        .resolves({ Messages: [] });
      world.mocks.sqs.on(DeleteMessageCommand).resolves({});
      const report = await replayDeadLetters({ queueUrl: DLQ_URL, send: (request) => world.invoke(request) });
      expect(report.replayed).toBe(1);
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ lastState: "OK", resolved: true });

      expect(await world.invoke(nextDay(world))).toMatchObject({ status: "opened" });
      expect(world.slack.channel("ops-critical").messages.at(-1)!.text).toContain("<!subteam^S0123ABC>");
    });
  });

  describe("an OK whose parent update got through but whose thread reply did not (Slack posts failing)", () => {
    it("closes the thread anyway, so the alarm firing again opens a new thread in the channel", async () => {
      world = await startWorld();
      expect(await world.invoke(alarm())).toMatchObject({ status: "opened" });
      world.slack.fail("chat.postMessage", { status: 503, times: 6 });
      expect(await world.invoke(ok())).toMatchObject({ status: "dead-lettered" });
      expect(headerOf(world.slack.channel("ops-alerts").messages[0]!)).toContain("RESOLVED");
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ lastState: "OK", resolved: true });

      (world.clock as VirtualClock).current += 3_600_000;
      const again = transition("alarm-again", ALARM_NAME, "ALARM", "2026-03-02T13:05:00.000+0000");
      expect(await world.invoke(again)).toMatchObject({ status: "opened" });
      const messages = world.slack.channel("ops-alerts").messages;
      expect(messages).toHaveLength(2);
      expect(headerOf(messages[1]!)).toContain("ALARM");
    });
  });

  describe("a thread whose channel is gone (archived, deleted) or the bot was removed from", () => {
    it.each(["channel_not_found", "is_archived", "not_in_channel"])(
      "opens a new thread on the route for an ALARM whose reply Slack answers %s, and closes the old one",
      async (reason) => {
        world = await startWorld();
        await world.invoke(alarm());
        const flapped = transition("insufficient", ALARM_NAME, "ALARM", "2026-03-02T12:10:00.000+0000");
        await world.invoke(
          withField(withField(flapped, "detail.state.value", "INSUFFICIENT_DATA"), "id", "i1"),
        );
        const [first] = world.slack.channel("ops-alerts").messages;

        world.slack.error("chat.postMessage", reason, 1);
        const again = transition("alarm-again", ALARM_NAME, "ALARM", "2026-03-02T12:20:00.000+0000");
        const result = await world.invoke(
          withField(again, "detail.previousState.value", "INSUFFICIENT_DATA"),
        );

        expect(result).toMatchObject({ status: "opened", channel: "C0ALERTS" });
        expect(world.deadLetters()).toEqual([]);
        const messages = world.slack.channel("ops-alerts").messages;
        expect(messages).toHaveLength(2);
        expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({
          ts: messages[1]!.ts,
          resolved: false,
        });
        expect(messages[1]!.ts).not.toBe(first!.ts);
      },
    );

    it("records the new thread on Lambda's retry when its write failed, so the OK resolves the new message", async () => {
      const at = Date.parse("2026-03-02T12:20:00.000Z");
      let fail = true;
      world = await startWorld({
        beforeDb: (command) => {
          const item = (command.input as { Item?: { sk?: string; resolved?: boolean; lastStateAt?: number } })
            .Item;
          const opening = item?.sk === "thread" && item.resolved === false && item.lastStateAt === at;
          if (fail && command.constructor.name === "PutCommand" && opening) {
            fail = false;
            throw Object.assign(new Error("Throughput exceeds the current capacity of your table"), {
              name: "ProvisionedThroughputExceededException",
            });
          }
        },
      });
      await world.invoke(alarm());
      // The bot was removed from the channel (and invited back by the time Lambda retries).
      world.slack.error("chat.postMessage", "not_in_channel", 1);
      const again = () =>
        withField(
          transition("alarm-again", ALARM_NAME, "ALARM", "2026-03-02T12:20:00.000+0000"),
          "detail.previousState.value",
          "INSUFFICIENT_DATA",
        );
      await expect(world.invoke(again())).rejects.toThrow(/Throughput exceeds/);
      const opened = world.slack.channel("ops-alerts").messages[1]!;

      (world.clock as VirtualClock).current += 60_000; // Lambda's async retry
      expect(await world.invoke(again())).toMatchObject({ status: "opened", ts: opened.ts });
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ ts: opened.ts, resolved: false });

      const recovered = transition("ok-later", ALARM_NAME, "OK", "2026-03-02T12:30:00.000+0000");
      expect(await world.invoke(recovered)).toMatchObject({ status: "resolved", ts: opened.ts });
      const messages = world.slack.channel("ops-alerts").messages;
      expect(messages).toHaveLength(2);
      expect(headerOf(messages.find((m) => m.ts === opened.ts)!)).toContain("RESOLVED");
    });

    it("posts an INSUFFICIENT_DATA on its own when its reply finds the thread's channel gone", async () => {
      world = await startWorld();
      await world.invoke(alarm());
      world.slack.error("chat.postMessage", "channel_not_found", 1);
      const insufficient = transition("insufficient", ALARM_NAME, "ALARM", "2026-03-02T12:10:00.000+0000");
      const result = await world.invoke(withField(insufficient, "detail.state.value", "INSUFFICIENT_DATA"));

      expect(result).toMatchObject({ status: "posted", channel: "C0INFO" });
      expect(world.deadLetters()).toEqual([]);
      expect(world.slack.channel("ops-info").messages).toHaveLength(1);
      expect(await world.item(threadItemKey(ALARM_NAME))).toMatchObject({ resolved: true });
    });
  });

  describe("a storm's group message", () => {
    it("shows a grouped alarm's recovery as its latest state", async () => {
      world = await startWorld();
      for (let i = 0; i < 7; i += 1)
        await world.invoke(transition(`a${i}`, `openclaw-a${i}`, "ALARM", `2026-03-02T12:04:4${i}.000+0000`));
      const result = await world.invoke(
        transition("ok6", "openclaw-a6", "OK", "2026-03-02T12:04:55.000+0000"),
      );

      expect(result).toMatchObject({ status: "resolved" });
      const group = world.slack.channel("ops-alerts").messages.at(-1)!;
      const blocks = JSON.stringify(group.blocks);
      expect(blocks).toContain("openclaw-a6` OK");
      expect(blocks).toContain("openclaw-a5` ALARM");
      expect(blocks).toContain("1 ALARM · 1 OK");
      expect(group.text).toContain("Alert storm: 8 alarm changes");
      expect(world.deadLetters()).toEqual([]);
    });

    it("shows a storm's recovery on the group's lines only: no reply per grouped alarm, none dead-lettered", async () => {
      world = await startWorld(); // Slack's limit on: about one chat.postMessage a second per channel
      const count = 20;
      const name = (i: number) => `openclaw-s${String(i).padStart(2, "0")}`;
      for (let i = 0; i < count; i += 1)
        await world.invoke(transition(`a${i}`, name(i), "ALARM", "2026-03-02T12:04:40.000+0000"));
      const posted = world.slack.calls("chat.postMessage").filter((call) => call.status === 200).length;

      for (let i = 0; i < count; i += 1)
        expect(
          await world.invoke(transition(`ok${i}`, name(i), "OK", "2026-03-02T12:19:40.000+0000")),
        ).toMatchObject({ status: "resolved" });

      const recoveryPosts =
        world.slack.calls("chat.postMessage").filter((call) => call.status === 200).length - posted;
      expect(recoveryPosts).toBe(5); // the replies of the five alarms posted on their own
      const group = world.slack.channel("ops-alerts").messages.at(-1)!;
      expect(JSON.stringify(group.blocks)).toContain("0 ALARM · 15 OK");
      expect(world.slack.channel("ops-alerts").thread(group.ts)).toEqual([]);
      expect(world.deadLetters()).toEqual([]);
    });

    it("shows the recovery of an alarm listed as INSUFFICIENT DATA (no thread of its own) in the group", async () => {
      world = await startWorld({ rateLimit: false });
      for (let i = 0; i < 8; i += 1) {
        const lost = transition(`i${i}`, `openclaw-d${i}`, "ALARM", `2026-03-02T12:04:4${i}.000+0000`);
        await world.invoke(withField(lost, "detail.state.value", "INSUFFICIENT_DATA"));
      }
      const group = world.slack.channel("ops-info").messages.at(-1)!;
      expect(JSON.stringify(group.blocks)).toContain("openclaw-d7` INSUFFICIENT DATA");

      const back = transition("ok7", "openclaw-d7", "OK", "2026-03-02T12:30:00.000+0000");
      const result = await world.invoke(withField(back, "detail.previousState.value", "INSUFFICIENT_DATA"));

      expect(result).toMatchObject({ status: "grouped", channel: "C0INFO", ts: group.ts });
      const after = world.slack.channel("ops-info").messages.find((m) => m.ts === group.ts)!;
      expect(JSON.stringify(after.blocks)).toContain("openclaw-d7` OK");
      expect(JSON.stringify(after.blocks)).toContain("openclaw-d6` INSUFFICIENT DATA");
      expect(world.slack.channel("ops-alerts").messages).toHaveLength(0);
      expect(world.deadLetters()).toEqual([]);
    });

    it("shows the recovery in the window that listed the alarm, even when it comes in a later window", async () => {
      world = await startWorld();
      for (let i = 0; i < 7; i += 1)
        await world.invoke(transition(`a${i}`, `openclaw-a${i}`, "ALARM", `2026-03-02T12:04:4${i}.000+0000`));
      const result = await world.invoke(
        transition("ok5", "openclaw-a5", "OK", "2026-03-02T12:30:00.000+0000"),
      );

      expect(result).toMatchObject({ status: "resolved" });
      const group = world.slack.channel("ops-alerts").messages.at(-1)!;
      expect(JSON.stringify(group.blocks)).toContain("openclaw-a5` OK");
      expect(JSON.stringify(group.blocks)).toContain("openclaw-a6` ALARM");
    });

    /** Deletes a storm window's records as DynamoDB's TTL does, the counter too when `counter`. */
    /** Deletes a storm window's records as DynamoDB's TTL does, the counter too when `counter`. */
    async function expireWindow(w: RouterWorld, counter: boolean) {
      const windowStart = Date.parse("2026-03-02T12:04:00Z");
      await w.remove(`alert#storm-entries#C0ALERTS#${windowStart}`);
      if (counter) {
        const key = stormItemKey("C0ALERTS", windowStart);
        await w.remove(key.pk, key.sk);
      }
    }

    it.each([
      ["its transitions", false],
      ["its transitions and its counter", true],
    ])(
      "is left as it is when a grouped alarm recovers after the window's records (%s) expired",
      async (_, counter) => {
        world = await startWorld();
        for (let i = 0; i < 8; i += 1)
          await world.invoke(
            transition(`a${i}`, `openclaw-a${i}`, "ALARM", `2026-03-02T12:04:4${i}.000+0000`),
          );
        const before = world.slack.channel("ops-alerts").messages;
        const group = structuredClone(before.at(-1)!);
        await expireWindow(world, counter);

        (world.clock as VirtualClock).current += 20 * 86_400_000;
        const later = new Date(world.clock.now()).toISOString().replace("Z", "+0000");
        expect(await world.invoke(transition("ok7", "openclaw-a7", "OK", later))).toMatchObject({
          status: "resolved",
        });

        const after = world.slack.channel("ops-alerts").messages;
        expect(after).toHaveLength(before.length);
        expect(after.find((m) => m.ts === group.ts)!.blocks).toEqual(group.blocks);
        expect(world.deadLetters()).toEqual([]);
      },
    );
  });
});
