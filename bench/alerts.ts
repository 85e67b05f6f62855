/**
 * Alerts benchmarks.
 *
 * 1. Per-event processing time of the router's own work (parse, route, thread decision, render and fit to
 *    Slack's limits) over 10,000 alarm and clawops events; Slack's and DynamoDB's network time excluded.
 * 2. A storm: 1,000 alarm state changes within 60 s through the real router (middy pipeline, dynalite state
 *    table, local Slack server enforcing one chat.postMessage a second per channel with Retry-After). Time is
 *    a scaled clock shared by the router and the Slack server (`speed` sandbox ms per real ms), so I/O
 *    latency is counted `speed` times over: the figures are pessimistic. Reports the posts the channel
 *    received, the seconds until every alarm's name is visible in it, and how many never showed (must be 0).
 */
import { performance } from "node:perf_hooks";
import {
  alarmTransition,
  decideThread,
  parseAlertEvent,
  renderAlarmMessage,
  renderClawopsMessage,
  routeAlert,
  toAlert,
} from "@clawops/core/alerts";
import type { DeliveryClock } from "../functions/alerts/slack.js";
import { routerSettings, startWorld } from "../functions/alerts/tests/harness.js";
import { loadFixture, withField } from "../packages/core/tests/events/fixtures.js";

/** What `npm run bench` reports for the alerts flow. */
export interface AlertsBenchResult {
  readonly perEventP50Ms: number;
  readonly perEventP99Ms: number;
  readonly storm: {
    readonly events: number;
    /** Messages the channel shows: top-level posts, thread replies and graph uploads. */
    readonly posts: number;
    /** Sandbox seconds from the first event until every alarm is visible in the channel. */
    readonly secondsToAllVisible: number;
    readonly lost: number;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function perEventTimes(count: number): number[] {
  const settings = routerSettings("http://127.0.0.1:1/api/");
  const fixtures = [
    loadFixture("aws.cloudwatch", "metric-alarm"),
    loadFixture("aws.cloudwatch", "composite"),
    loadFixture("aws.cloudwatch", "metric-math"),
    loadFixture("aws.cloudwatch", "ok"),
    loadFixture("clawops", "DrillCompleted"),
    loadFixture("clawops", "LifecycleAbandoned"),
  ];
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const raw = withField(fixtures[i % fixtures.length]!, "id", `bench-${i}`);
    const start = performance.now();
    const event = parseAlertEvent(raw);
    const alert = toAlert(event, { severity: i % 7 === 0 ? "critical" : "high" });
    const route = routeAlert(alert, settings);
    if (route.action === "post") {
      if (alert.kind === "alarm") {
        const { detail } = alert.event;
        decideThread(alarmTransition(detail.state, detail.previousState, alert.event.time), undefined);
        renderAlarmMessage(alert.event, { route, logGroupName: "/openclaw/bench/gateway" });
      } else {
        renderClawopsMessage(alert.event, { route });
      }
    }
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Sandbox time running `speed` times faster than real time, shared by the router and the Slack server. */
function scaledClock(start: number, speed: number): DeliveryClock {
  const t0 = performance.now();
  return {
    now: () => Math.floor(start + (performance.now() - t0) * speed),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / speed))),
  };
}

async function storm(
  events: number,
  overSeconds: number,
  speed: number,
): Promise<AlertsBenchResult["storm"]> {
  // Half-way into a window: the storm spans two windows, as a real one would.
  const start = Date.parse("2026-03-02T12:00:30Z");
  const clock = scaledClock(start, speed);
  const world = await startWorld({ clock });
  const names = Array.from(
    { length: events },
    (_, i) => `clawops-bench-fleet-gateway-${String(i).padStart(4, "0")}`,
  );
  const visibleText = () => {
    const channel = world.slack.channel("ops-alerts");
    return channel.messages
      .flatMap((m) => [m, ...channel.thread(m.ts)])
      .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
      .join("\n");
  };
  const countVisible = () => {
    const text = visibleText();
    return names.filter((name) => text.includes(name)).length;
  };
  let allVisibleAt: number | undefined;
  const watcher = setInterval(() => {
    if (allVisibleAt === undefined && countVisible() === events) allVisibleAt = clock.now();
  }, 50);
  try {
    const invocations: Promise<unknown>[] = [];
    for (let i = 0; i < events; i += 1) {
      const due = start + Math.floor((i * overSeconds * 1000) / events);
      const wait = due - clock.now();
      if (wait > 0) await clock.sleep(wait);
      const at = new Date(clock.now()).toISOString();
      let event = withField(loadFixture("aws.cloudwatch", "metric-alarm"), "id", `storm-${i}`);
      event = withField(event, "detail.alarmName", names[i]);
      event = withField(event, "time", at);
      event = withField(event, "detail.state.timestamp", at);
      invocations.push(invokeLikeLambda(() => world.invoke(event), clock));
    }
    await Promise.all(invocations);
    const deadline = clock.now() + 180_000;
    while (allVisibleAt === undefined && clock.now() < deadline && countVisible() < events)
      await clock.sleep(1000);
    if (allVisibleAt === undefined && countVisible() === events) allVisibleAt = clock.now();
    const channel = world.slack.channel("ops-alerts");
    const posts = channel.messages.reduce((n, m) => n + 1 + channel.thread(m.ts).length, 0);
    return {
      events,
      posts,
      secondsToAllVisible:
        allVisibleAt === undefined ? Number.POSITIVE_INFINITY : (allVisibleAt - start) / 1000,
      lost: events - countVisible(),
    };
  } finally {
    clearInterval(watcher);
    await world.close();
  }
}

/** Lambda's asynchronous invocation: a thrown (retryable) error is retried twice, about a minute apart. */
async function invokeLikeLambda(invoke: () => Promise<unknown>, clock: DeliveryClock): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await invoke();
    } catch (error) {
      if (attempt >= 3) return { failed: (error as Error).message };
      await clock.sleep(60_000);
    }
  }
}

/** Runs both alert benchmarks. `speed` scales the storm's clock (sandbox ms per real ms). */
export async function runAlertsBench(options: { speed?: number } = {}): Promise<AlertsBenchResult> {
  const times = perEventTimes(10_000);
  return {
    perEventP50Ms: Number(percentile(times, 50).toFixed(3)),
    perEventP99Ms: Number(percentile(times, 99).toFixed(3)),
    storm: await storm(1000, 60, options.speed ?? 1),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runAlertsBench();
  console.log(JSON.stringify(result, null, 2));
  const { storm: s } = result;
  const ok = s.lost === 0 && s.posts <= 60 && s.secondsToAllVisible <= 120;
  console.log(
    ok ? "alerts: targets met (0 lost, ≤ 60 posts, all visible ≤ 120 s)" : "alerts: TARGETS MISSED",
  );
  process.exitCode = ok ? 0 : 1;
}
