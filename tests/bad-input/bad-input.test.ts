import { DeleteFileSystemCommand, EFSClient } from "@aws-sdk/client-efs";
import { makeClient } from "@clawops/core/aws";
import type { ClawopsConfigInput } from "@clawops/core/config";
import { drillTags, restoreCreationToken } from "@clawops/core/drills";
import { type EventPattern, matchesPattern } from "@clawops/core/events";
import type { DeadLetterRecord } from "@clawops/core/handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import defaultConfig from "../../clawops.config.js";
import { alertRoutes } from "../../functions/alerts/routes.js";
import { drillRoutes } from "../../functions/drills/routes.js";
import { lifecycleRoutes } from "../../functions/lifecycle/routes.js";
import { type AlertsInstall, installAlerts } from "../../packages/sandbox/src/gameday/scenes/alerts.js";
import { type DrillsInstall, installDrills } from "../../packages/sandbox/src/gameday/scenes/drills.js";
import {
  installLifecycle,
  type LifecycleInstall,
} from "../../packages/sandbox/src/gameday/scenes/lifecycle.js";
import { createSandbox, type Sandbox } from "../../packages/sandbox/src/sandbox.js";
import type { SlackMessage } from "../../packages/sandbox/src/slack/workspace.js";
import type { ExecutionRecord } from "../../packages/sandbox/src/stepfunctions.js";
import { runUntilSettled, trackRealIo } from "../../packages/sandbox/tests/faults/real-io.js";
import { sdkRetriesOnClock } from "../../packages/sandbox/tests/faults/sdk-retries.js";
import {
  CORPUS,
  CORPUS_TARGETS,
  CorpusTarget,
  type CorpusWorld,
  type Expectation,
  validEvent,
} from "./corpus.js";

/**
 * The repository's configuration; no storm grouping, so each alarm case gets its own message to inspect, and the
 * corpus's alarms (`clawops-sandbox-corpus-<marker>`) routed by a configured prefix, as an operator routes theirs.
 */
const config: ClawopsConfigInput = {
  ...defaultConfig,
  stages: { sandbox: { alerts: { stormThreshold: 10_000, alarmNamePrefixes: ["clawops-sandbox-corpus-"] } } },
};

let box: Sandbox;
let alerts: AlertsInstall;
let lifecycle: LifecycleInstall;
let drills: DrillsInstall;
const undo: (() => void)[] = [];
/** Each target's rule on the local bus, and the pattern the stack deploys for it. */
const rules = {} as Record<CorpusTarget, { name: string; pattern: EventPattern }>;

beforeAll(async () => {
  box = await createSandbox({ config, fleetSize: 0, gateways: false });
  // Every function reports permanent failures to the sandbox's dead-letter queue (the drills scene sets no URL).
  process.env.CLAWOPS_DLQ_URL = box.deadLetters.url;
  undo.push(trackRealIo(box), sdkRetriesOnClock(box.clock));
  // Slack's limit of about a message a second per channel, on the clock the router waits Retry-After on.
  box.slack.server?.limitRate({ perSecond: 1, burst: 3 }, () => box.clock.now());
  alerts = await installAlerts(box);
  lifecycle = await installLifecycle(box);
  drills = await installDrills(box);
  const [alarmRoute, eventsRoute] = alertRoutes(box.config.stage, {
    names: box.config.settings.alerts.alarmNames,
    namePrefixes: box.config.settings.alerts.alarmNamePrefixes,
  });
  const [launchRoute, terminateRoute] = lifecycleRoutes(box.description.autoScalingGroupName);
  const endedRoute = drillRoutes(drills.stateMachineArn).find((r) => r.id === "DrillExecutionEnded");
  if (!alarmRoute || !eventsRoute || !launchRoute || !terminateRoute || !endedRoute)
    throw new Error("a flow's routes changed: update the corpus targets");
  rules[CorpusTarget.Alarms] = { name: `clawops-alerts-${alarmRoute.id}`, pattern: alarmRoute.pattern };
  rules[CorpusTarget.ClawopsEvents] = {
    name: `clawops-alerts-${eventsRoute.id}`,
    pattern: eventsRoute.pattern,
  };
  rules[CorpusTarget.Launch] = { name: `clawops-lifecycle-${launchRoute.id}`, pattern: launchRoute.pattern };
  rules[CorpusTarget.Terminate] = {
    name: `clawops-lifecycle-${terminateRoute.id}`,
    pattern: terminateRoute.pattern,
  };
  rules[CorpusTarget.DrillEnded] = { name: `clawops-drills-${endedRoute.id}`, pattern: endedRoute.pattern };
}, 120_000);

afterAll(async () => {
  for (const fn of undo.splice(0).reverse()) fn();
  drills?.uninstall();
  lifecycle?.uninstall();
  alerts?.uninstall();
  delete process.env.CLAWOPS_DLQ_URL;
  await box?.close();
});

function world(marker: string): CorpusWorld {
  return {
    account: box.aws.models.world.account,
    region: box.config.app.region,
    stage: box.config.stage,
    asgName: box.description.autoScalingGroupName,
    launchHookName: lifecycle.settings.launchHookName,
    terminateHookName: lifecycle.settings.terminateHookName,
    drillStateMachineArn: drills.stateMachineArn,
    time: new Date(box.clock.now()).toISOString(),
    marker,
  };
}

/** Every top-level message of the workspace. */
const allMessages = (): SlackMessage[] => (box.slack.server?.channels() ?? []).flatMap((c) => c.messages);
const lifecycleExecutions = (): ExecutionRecord[] => [
  ...box.stepFunctions.list(lifecycle.launchGateArn),
  ...box.stepFunctions.list(lifecycle.terminateDrainArn),
];

/** What one input did: delivered by the pattern or not, and what the target did when handed it. */
async function observe(target: CorpusTarget, input: unknown, marker: string) {
  const rule = rules[target];
  const before = {
    deliveries: box.events.bus.deliveries(rule.name).length,
    deadLetters: box.deadLetters.records().length,
    messages: new Set(allMessages().map((m) => m.ts)),
    flows: new Set(lifecycleExecutions().map((e) => e.executionArn)),
  };
  const delivered = typeof input === "object" && input !== null && matchesPattern(rule.pattern, input);
  box.events.bus.invoke(rule.name, input);
  await runUntilSettled(box, () => true, 5 * 60_000);
  const flows = () => lifecycleExecutions().filter((e) => !before.flows.has(e.executionArn));
  await box.clock.runUntil(() => flows().every((e) => e.status !== "RUNNING"), {
    step: 1_000,
    limitMs: 60 * 60_000,
  });
  await runUntilSettled(box, () => true, 5 * 60_000);
  const eventId = String((input as { id?: unknown } | null)?.id ?? "");
  return {
    delivered,
    // This input's deliveries (the router also hears its own AlertDeliveryFailed on the clawops rule).
    deliveries: box.events.bus
      .deliveries(rule.name)
      .slice(before.deliveries)
      .filter((d) => d.eventId === eventId),
    deadLetters: box.deadLetters.records().slice(before.deadLetters),
    posts: allMessages().filter((m) => !before.messages.has(m.ts) && JSON.stringify(m).includes(marker)),
    flows: flows(),
  };
}

type Observed = Awaited<ReturnType<typeof observe>>;

/** Every mrkdwn text of a message as posted: its notification `text` and each mrkdwn object of its blocks. */
function mrkdwnOf(message: SlackMessage): string[] {
  const texts = [message.text];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (typeof node === "object" && node !== null) {
      const { type, text } = node as { type?: unknown; text?: unknown };
      if (type === "mrkdwn" && typeof text === "string") texts.push(text);
      for (const value of Object.values(node)) visit(value);
    }
  };
  visit(message.blocks ?? []);
  return texts;
}

/** Links clawops makes itself: to the AWS console (its host never taken from an event). */
const CONSOLE_LINK = /<https:\/\/([a-z0-9-]+\.)?console\.aws\.amazon\.com\/[^|>\s]*\|[^>]*>/g;

/**
 * What Slack would act on in mrkdwn that clawops did not put there: any `<...>` control sequence left once the
 * console links, the configured route mentions and the text's own URLs linked as themselves are taken out.
 * `&lt;` and friends are inert.
 */
function strayControls(text: string): string[] {
  let rest = text.replace(CONSOLE_LINK, "");
  for (const route of alerts.settings.slack.routes)
    if (route.mention) rest = rest.replaceAll(route.mention, "");
  return (rest.match(/<[^>]*>?/g) ?? []).filter((token) => !linksToItself(token));
}

/** A URL of the alarm's own text sent as a link labelled with itself (`<url|url>`): it can say nothing else. */
function linksToItself(token: string): boolean {
  const [target, label, ...rest] = token.slice(1, -1).split("|");
  return /^https?:\/\/[^\s<>|]+$/.test(target ?? "") && label === target && rest.length === 0;
}

function judge(observed: Observed, expected: Expectation, input: unknown, injects: boolean): void {
  expect(observed.delivered).toBe(expected.delivered);
  // Never a crash loop: one delivery, answered without an error (a throw is what Lambda retries).
  expect(observed.deliveries.map((d) => [d.attempt, d.outcome, d.error?.message])).toEqual([
    [1, "ok", undefined],
  ]);
  const { outcome } = expected;
  if (outcome.kind === "dead-lettered") {
    expect(observed.deadLetters.map((r: DeadLetterRecord) => r.reason)).toEqual([
      expect.stringMatching(outcome.reason),
    ]);
    expect(observed.deadLetters[0]?.event).toEqual(input);
  } else expect(observed.deadLetters.map((r) => r.reason)).toEqual([]);
  expect(observed.posts).toHaveLength(outcome.kind === "posted" ? 1 : 0);
  expect(observed.flows).toHaveLength(outcome.kind === "flow-ran" ? 1 : 0);
  for (const message of observed.posts) {
    const texts = mrkdwnOf(message);
    expect(texts.flatMap(strayControls)).toEqual([]);
    if (injects) expect(texts.join("\n")).toContain("&lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN&gt;");
    const shown = `${texts.join("\n")}\n${JSON.stringify(message.blocks ?? [])}`;
    for (const text of outcome.kind === "posted" ? (outcome.shows ?? []) : []) expect(shown).toContain(text);
  }
  for (const flow of observed.flows) expect(flow.status).toBe("SUCCEEDED");
}

const cases = CORPUS.flatMap((c) => CORPUS_TARGETS.map((target) => [c.id, target, c] as const));

/**
 * A file system another drill restored and has not cleaned up yet (tagged with its id and made with its
 * CreationToken): the drill id of the case's execution with `-other` appended, so a cleanup that matched ids by
 * prefix would take it. Returns its id.
 */
async function otherDrillsLeftover(marker: string): Promise<string> {
  const drillId = `corpus-${marker}-other`;
  // As its restore made it (AWS Backup's restores create file systems through the EFS model), tagged as a drill's.
  const { fileSystemId } = await box.aws.models.efs.createFileSystem({
    creationToken: restoreCreationToken(drillId, box.description.workspace.fileSystemId, box.config.stage),
    tags: drillTags(drillId, box.config.stage),
    encrypted: true,
  });
  return fileSystemId;
}

describe("Bad-input corpus: every case against every EventBridge target", () => {
  it.each(cases)("%s → %s", async (id, target, corpusCase) => {
    const marker = `${id}-${target}`;
    const scene = world(marker);
    const input = corpusCase.make(validEvent(target, scene), target, scene);
    const leftover = target === CorpusTarget.DrillEnded ? await otherDrillsLeftover(marker) : undefined;

    const observed = await observe(target, input, marker);

    judge(observed, corpusCase.expect[target], input, corpusCase.injects === true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (leftover) {
      // The cleanup of an ended execution deletes only what carries that execution's drill id.
      expect(box.aws.models.efs.fileSystems.has(leftover)).toBe(true);
      await makeClient(EFSClient).send(new DeleteFileSystemCommand({ FileSystemId: leftover }));
    }
  });
});
