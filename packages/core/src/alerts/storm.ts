import type { AlarmStateValue } from "../events/index.js";

/** One alarm transition inside a storm window. */
export interface StormEntry {
  readonly alarmName: string;
  readonly state: AlarmStateValue;
  /** Event time (ms). */
  readonly at: number;
}

/** Start (ms) of the fixed window `at` falls in: windows are aligned, so every invocation agrees. */
export function stormWindowStart(at: number, windowSeconds: number): number {
  const size = windowSeconds * 1000;
  return Math.floor(at / size) * size;
}

/**
 * Whether the `position`-th alarm transition (1-based) of a channel's window is posted on its own or goes
 * into the window's group message: the first `threshold` are posted as usual, the rest are grouped.
 */
export function decideStorm(position: number, threshold: number): "individual" | "grouped" {
  return position <= threshold ? "individual" : "grouped";
}

/** What an invocation whose entry is grouped does next to make its entry visible. */
export type StormRenderStep =
  | { readonly action: "done" }
  | { readonly action: "render" }
  | { readonly action: "wait"; readonly ms: number };

/**
 * The group message is rendered by one invocation at a time and at most once per `minIntervalMs` (Slack
 * allows about one message a second per channel). An invocation is done once the rendered count covers
 * its entry; otherwise it renders when the slot is free, or waits for it.
 */
export function stormRenderStep(input: {
  readonly position: number;
  readonly renderedCount: number;
  readonly now: number;
  /** The render slot is free from this time (ms) on. */
  readonly nextRenderAt: number;
}): StormRenderStep {
  if (input.renderedCount >= input.position) return { action: "done" };
  if (input.now >= input.nextRenderAt) return { action: "render" };
  return { action: "wait", ms: input.nextRenderAt - input.now };
}

/**
 * Splits `items` in order into groups whose `size`s add up to at most `budget` each (an item larger than the
 * budget on its own gets a group of its own): how long lists are cut to Slack's per-block and per-message limits.
 */
export function packByBudget<T>(items: readonly T[], size: (item: T) => number, budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const length = size(item);
    if (current.length > 0 && used + length > budget) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The latest state of each alarm in arrival order of its first appearance (an alarm that flapped, or
 * recovered, is one line with its latest state), split into pages whose lines (`lineLength` characters each)
 * take at most `pageBudget` characters: page 0 is the group message, the rest are thread replies.
 */
export function stormPages(
  entries: readonly StormEntry[],
  lineLength: (entry: StormEntry) => number,
  pageBudget: number,
): StormEntry[][] {
  const latest = new Map<string, StormEntry>();
  for (const entry of entries) {
    const seen = latest.get(entry.alarmName);
    if (!seen || entry.at >= seen.at) latest.set(entry.alarmName, entry);
  }
  const pages = packByBudget([...latest.values()], lineLength, pageBudget);
  return pages.length ? pages : [[]];
}
