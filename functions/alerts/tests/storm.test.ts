import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { stormItemKey } from "@clawops/core/alerts";
import { createStateTable, dynamoClientConfig, type LocalDynamo, startDynamo } from "@clawops/sandbox/dynamo";
import { type SlackServer, startSlackServer } from "@clawops/sandbox/slack/server";
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../../packages/core/tests/events/fixtures.js";
import { sendTestAlert } from "../replay.js";
import { slackClient } from "../slack.js";
import { AlertState, type StoredStormEntry, stormEntryItemKey } from "../state.js";
import { coveredPositions, ensureStormRendered, STORM_GAP_TIMEOUT_MS } from "../storm-group.js";
import { CHANNELS, OverlappingClock, type RouterWorld, startWorld, VirtualClock } from "./harness.js";

const stored = (position: number, joinedAt = 0): StoredStormEntry => ({
  position,
  joinedAt,
  entry: { alarmName: `a${position}`, state: "ALARM", at: 0 },
});

describe("Function: storm group", () => {
  describe("coveredPositions", () => {
    const now = 100_000;
    const fresh = now - 1;
    const stale = now - STORM_GAP_TIMEOUT_MS;
    it.each([
      ["nothing stored", [], 0],
      ["a gap-free run", [stored(1), stored(2), stored(3)], 3],
      ["entries out of order", [stored(3), stored(1), stored(2)], 3],
      ["a fresh gap (a position taken, its entry not stored yet)", [stored(1), stored(3, fresh)], 1],
      [
        "a gap older than the timeout (its invocation died)",
        [stored(1), stored(3, stale), stored(4, fresh)],
        4,
      ],
      ["a fresh gap at the start", [stored(2, fresh)], 0],
    ])("counts %s", (_, entries, expected) => {
      expect(coveredPositions(entries, now)).toBe(expected);
    });
  });

  describe("against dynalite and the local Slack server", () => {
    let dynamo: LocalDynamo | undefined;
    let raw: DynamoDBClient | undefined;
    let slack: SlackServer | undefined;
    let world: RouterWorld | undefined;
    afterEach(async () => {
      raw?.destroy();
      await slack?.close();
      await dynamo?.close();
      await world?.close();
      world = raw = slack = dynamo = undefined;
    });

    it("renders every alarm of a storm of 1,000 transitions, each stored as an item of its own", async () => {
      const clock = new VirtualClock();
      dynamo = await startDynamo();
      raw = new DynamoDBClient(dynamoClientConfig(dynamo.endpoint));
      await createStateTable(raw, "storm-state");
      slack = await startSlackServer({ channels: CHANNELS, now: clock.now });
      const db = DynamoDBDocumentClient.from(raw);
      const state = new AlertState(db, "storm-state", 14, clock.now);
      const windowStart = clock.now();
      const names = Array.from(
        { length: 1000 },
        (_, i) => `clawops-test-storm-${String(i).padStart(4, "0")}`,
      );
      const positions: number[] = [];
      for (let i = 0; i < names.length; i += 50) {
        const batch = names
          .slice(i, i + 50)
          .map((alarmName) =>
            state.joinStorm("C0ALERTS", windowStart, { alarmName, state: "ALARM", at: clock.now() }),
          );
        positions.push(...(await Promise.all(batch)));
      }
      expect([...positions].sort((a, b) => a - b)).toEqual(names.map((_, i) => i + 1));
      expect((await state.readStormEntries("C0ALERTS", windowStart)).length).toBe(1000);
      const entry = await db.send(
        new GetCommand({
          TableName: "storm-state",
          Key: stormEntryItemKey("C0ALERTS", windowStart, 1000),
        }),
      );
      expect(entry.Item).toMatchObject({ position: 1000, expiresAt: expect.any(Number) });
      const counter = await db.send(
        new GetCommand({
          TableName: "storm-state",
          Key: stormItemKey("C0ALERTS", windowStart),
        }),
      );
      expect(counter.Item).not.toHaveProperty("entries");

      const ctx = {
        client: slackClient(slack.token, slack.apiUrl),
        clock,
        remainingMs: () => 60_000,
      };
      const window = {
        channel: "C0ALERTS",
        windowStart,
        windowSeconds: 60,
        threshold: 5,
        region: "us-east-1",
      };
      const { ts, channel: channelId } = await ensureStormRendered(window, 1000, state, ctx);

      const channel = slack.channel("ops-alerts");
      const parent = channel.messages.find((m) => m.ts === ts);
      expect(parent?.text).toContain("Alert storm: 1000 alarm changes");
      const visible = [parent!, ...channel.thread(ts)].map((m) => JSON.stringify(m.blocks ?? [])).join("\n");
      const shown = names.filter((name) => visible.includes(name));
      expect(shown).toEqual(names.slice(5));
      expect(visible).not.toContain("truncated");
      expect(channel.messages).toHaveLength(1);
      expect(channel.thread(ts)).toHaveLength(1); // 995 short lines: two pages of up to 36,000 characters.
      expect(channelId).toBe("C0ALERTS");
      expect(await state.readStorm("C0ALERTS", windowStart)).toMatchObject({ renderedCount: 1000 });
    }, 120_000);

    it("posts one group message when Slack rate limits its post for longer than a render holds the slot", async () => {
      const clock = new OverlappingClock();
      dynamo = await startDynamo();
      raw = new DynamoDBClient(dynamoClientConfig(dynamo.endpoint));
      await createStateTable(raw, "storm-state");
      slack = await startSlackServer({ channels: CHANNELS, now: clock.now, rateLimit: false });
      const state = new AlertState(DynamoDBDocumentClient.from(raw), "storm-state", 14, clock.now);
      const windowStart = clock.now();
      const join = (alarmName: string) =>
        state.joinStorm("C0ALERTS", windowStart, { alarmName, state: "ALARM", at: windowStart });
      const positions = [await join("first-alarm"), await join("second-alarm")];
      // Slack paces the channel: 429 with Retry-After: 2 for the next 12 posts (24 s, longer than the slot's 15 s).
      slack.rateLimited("chat.postMessage", { retryAfterSeconds: 2, times: 12 });
      const window = {
        channel: "C0ALERTS",
        windowStart,
        windowSeconds: 60,
        threshold: 0,
        region: "us-east-1",
      };
      const client = slackClient(slack.token, slack.apiUrl);
      const invocation = (position: number) =>
        clock.run(() => {
          const deadline = clock.now() + 55_000;
          const ctx = { client, clock, remainingMs: () => deadline - clock.now() };
          return ensureStormRendered(window, position, state, ctx);
        });

      const rendered = await Promise.all(positions.map(invocation));

      const groups = slack.channel("ops-alerts").messages.filter((m) => !m.thread_ts);
      expect(groups).toHaveLength(1);
      expect(groups[0]!.text).toContain("Alert storm: 2 alarm changes");
      expect(JSON.stringify(groups[0]!.blocks)).toContain("first-alarm");
      expect(JSON.stringify(groups[0]!.blocks)).toContain("second-alarm");
      expect(rendered.map((r) => r.ts)).toEqual([groups[0]!.ts, groups[0]!.ts]);
    }, 120_000);

    it("delivers two consecutive test alerts that both take the storm path", async () => {
      world = await startWorld({ alerts: { stormThreshold: 1 } });
      const w = world;
      const options = {
        stage: "test",
        region: "us-east-1",
        account: "123456789012",
        invoke: (event: unknown) => w.invoke(event),
        now: w.clock.now,
      };
      const at = new Date(w.clock.now()).toISOString();
      const opener = withField(
        withField(loadFixture("aws.cloudwatch", "metric-alarm"), "time", at),
        "detail.state.timestamp",
        at,
      );
      expect(await w.invoke(opener)).toMatchObject({ status: "opened" });
      const first = await sendTestAlert(options);
      (w.clock as VirtualClock).current += 5_000; // After the first test's OK, still in the same window.
      const second = await sendTestAlert(options);
      expect(first.alarm).toMatchObject({ status: "grouped", channel: "C0ALERTS" });
      expect(second.alarm).toMatchObject({ status: "grouped", channel: "C0ALERTS" });
      expect([first.ok, second.ok]).toMatchObject([{ status: "resolved" }, { status: "resolved" }]);
      expect(w.deadLetters()).toEqual([]);
      const group = w.slack.channel("ops-alerts").messages.find((m) => m.text?.includes("Alert storm"));
      // The opener, then each test's ALARM and its OK: the OKs update the test alarm's line to its latest state.
      expect(group?.text).toContain("Alert storm: 5 alarm changes");
      expect(JSON.stringify(group?.blocks)).toContain("clawops-test-test-alert` OK");
    });
  });
});
