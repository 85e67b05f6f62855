import { ClawopsError, RetryableError } from "@clawops/core";
import { paginateStorm, renderStormPage, type StormEntry, stormRenderStep } from "@clawops/core/alerts";
import {
  type DeliveryClock,
  type PostedMessage,
  postMessage,
  type SlackDeliveryContext,
  updateMessage,
} from "./slack.js";
import type { AlertState, StoredStormEntry } from "./state.js";

/** Slack allows about one message per second per channel: the group message is re-rendered at most that often. */
export const STORM_RENDER_INTERVAL_MS = 1_000;
/**
 * A missing position older than this (an entry after it was stored that long ago) was left by an
 * invocation that died between taking the position and storing its entry: the renderer steps over it.
 */
export const STORM_GAP_TIMEOUT_MS = 10_000;
/** How often an invocation waiting for its entry to be shown looks again (jittered down to half). */
export const STORM_WAITER_POLL_MS = 5_000;
/** How long one renderer holds the slot before another may take it over (a crashed renderer). */
const RENDER_LEASE_MS = 15_000;
/**
 * A renderer renews its slot before a Slack call, or a wait between tries (429 `Retry-After`, 5xx backoff),
 * that would leave less than this of it: more than a call's timeout (5 s), so the call ends inside the slot.
 */
const RENDER_LEASE_RENEW_MS = RENDER_LEASE_MS / 2;

/** Where a storm window lives and how it is framed. */
export interface StormWindow {
  /** The channel as routed (a name or an id): the window's key, the same in every invocation. */
  readonly channel: string;
  readonly windowStart: number;
  readonly windowSeconds: number;
  /** Transitions before this position were posted on their own and are not listed. */
  readonly threshold: number;
  readonly region: string;
}

/**
 * Makes sure the group message shows the `position`-th transition of the window. One invocation renders
 * at a time (a conditional claim on the window item), at most once a second, and always renders
 * everything that has arrived, again and again while more arrives; the others wait (polling every few
 * seconds) until the rendered count covers their entry, or take the slot over when it is free. So a storm of
 * any size costs one post per page plus about one update a second, and no transition is left unshown.
 * Returns where the group message is (its `ts` and channel id).
 */
export async function ensureStormRendered(
  window: StormWindow,
  position: number,
  state: AlertState,
  slack: SlackDeliveryContext,
): Promise<PostedMessage> {
  for (;;) {
    const item = await state.readStorm(window.channel, window.windowStart);
    const now = slack.clock.now();
    const step = stormRenderStep({
      position,
      renderedCount: item.renderedCount,
      now,
      nextRenderAt: item.nextRenderAt,
    });
    if (step.action === "done") return { ts: item.pages[0] ?? "", channel: item.channelId ?? window.channel };
    if (slack.remainingMs() < STORM_RENDER_INTERVAL_MS * 2) {
      throw new RetryableError(`storm group of ${window.channel} not rendered in time for entry ${position}`);
    }
    if (step.action === "wait") {
      // Waiters poll rarely (the renderer drains for everyone): a storm's many waiters must not flood the table.
      const jittered = STORM_WAITER_POLL_MS * (0.5 + Math.random() / 2);
      await slack.clock.sleep(Math.min(jittered, slack.remainingMs() - STORM_RENDER_INTERVAL_MS * 2));
      continue;
    }
    const slot = new RenderSlot(window, state, slack.clock);
    if (!(await slot.claim())) continue;
    await drainWindow(window, slot, state, slack, {
      count: item.renderedCount,
      pages: item.pages,
      ...(item.channelId ? { channelId: item.channelId } : {}),
    });
  }
}

/** Another invocation took the render slot over while this one waited for Slack: this one stops rendering. */
class StormRenderSlotLostError extends ClawopsError {
  constructor(window: StormWindow) {
    super(`the storm render slot of ${window.channel} was taken over`, { retryable: true });
    this.name = "StormRenderSlotLostError";
  }
}

/**
 * The window's render slot as one renderer holds it. Slack may keep a call waiting longer than the slot's
 * lease (429s are waited out for as long as the function has time): the slot is renewed before each call
 * and each wait that would outlast it, so no other invocation takes it over and posts the group message a
 * second time. A renewal that finds the slot taken over (a wait longer than the lease) throws
 * {@link StormRenderSlotLostError} before Slack is called again.
 */
class RenderSlot {
  private until = 0;

  constructor(
    private readonly window: StormWindow,
    private readonly state: AlertState,
    private readonly clock: DeliveryClock,
  ) {}

  /** Takes the slot when it is free. */
  async claim(): Promise<boolean> {
    const until = this.clock.now() + RENDER_LEASE_MS;
    if (!(await this.state.claimStormRender(this.window.channel, this.window.windowStart, until)))
      return false;
    this.until = until;
    return true;
  }

  /** Makes sure the slot lasts `waitMs` and a Slack call from now. */
  async hold(waitMs = 0): Promise<void> {
    const now = this.clock.now();
    if (this.until - now >= waitMs + RENDER_LEASE_RENEW_MS) return;
    const until = now + waitMs + RENDER_LEASE_MS;
    const { channel, windowStart } = this.window;
    if (!(await this.state.renewStormRender(channel, windowStart, this.until, until)))
      throw new StormRenderSlotLostError(this.window);
    this.until = until;
  }

  /** `slack` for calls made holding the slot: each wait between tries holds the slot for the wait first. */
  holding(slack: SlackDeliveryContext): SlackDeliveryContext {
    return {
      client: slack.client,
      remainingMs: () => slack.remainingMs(),
      clock: {
        now: () => slack.clock.now(),
        sleep: async (ms) => {
          await this.hold(ms);
          await slack.clock.sleep(ms);
        },
      },
    };
  }
}

/**
 * Renders the window while it holds the render slot, once a second, until every stored transition is
 * shown or the invocation runs short of time; then the slot is free for a waiter to take over. A renderer
 * whose slot was taken over stops without a write: the new holder renders, and records, the window.
 */
async function drainWindow(
  window: StormWindow,
  slot: RenderSlot,
  state: AlertState,
  slack: SlackDeliveryContext,
  shown: { count: number; pages: readonly string[]; channelId?: string },
): Promise<void> {
  let last = shown;
  for (;;) {
    let rendered: RenderResult;
    try {
      rendered = await renderWindow(window, slot, state, slack);
    } catch (error) {
      if (error instanceof StormRenderSlotLostError) return;
      await state.finishStormRender(window.channel, window.windowStart, {
        ...last,
        nextRenderAt: slack.clock.now(),
      });
      throw error;
    }
    last = { count: rendered.covered, pages: rendered.pages, channelId: rendered.channelId };
    if (rendered.covered >= rendered.total) return;
    if (slack.remainingMs() < STORM_RENDER_INTERVAL_MS * 4) return;
    await slack.clock.sleep(STORM_RENDER_INTERVAL_MS);
    if (!(await slot.claim())) return;
  }
}

/** What one render showed: the positions covered, the total taken, the pages' `ts` and their channel id. */
interface RenderResult {
  readonly covered: number;
  readonly total: number;
  readonly pages: readonly string[];
  readonly channelId: string;
}

/**
 * How many positions of the window a render covers: the stored entries from position 1 on without a gap,
 * stepping over gaps that are older than {@link STORM_GAP_TIMEOUT_MS}. An entry whose position was taken
 * but whose item is not stored yet is not counted as shown, so its invocation keeps waiting for it.
 */
export function coveredPositions(entries: readonly StoredStormEntry[], now: number): number {
  let covered = 0;
  for (const stored of [...entries].sort((a, b) => a.position - b.position)) {
    if (stored.position <= covered) continue;
    if (stored.position !== covered + 1 && now - stored.joinedAt < STORM_GAP_TIMEOUT_MS) break;
    covered = stored.position;
  }
  return covered;
}

async function renderWindow(
  window: StormWindow,
  slot: RenderSlot,
  state: AlertState,
  slack: SlackDeliveryContext,
): Promise<RenderResult> {
  const held = slot.holding(slack);
  const fresh = await state.readStorm(window.channel, window.windowStart);
  const stored = await state.readStormEntries(window.channel, window.windowStart);
  const covered = coveredPositions(stored, slack.clock.now());
  const grouped = (upTo: number): StormEntry[] =>
    stored.filter((s) => s.position > window.threshold && s.position <= upTo).map((s) => s.entry);
  const pages = paginateStorm(grouped(Number.POSITIVE_INFINITY));
  const previouslyShown = paginateStorm(grouped(fresh.renderedCount));
  const total = Math.max(fresh.count, stored.at(-1)?.position ?? 0);
  const ts = [...fresh.pages];
  // Updates need the id Slack answered for the first page; until it is posted, the routed channel.
  let channelId = fresh.channelId ?? window.channel;
  for (const [index, page] of pages.entries()) {
    const message = renderStormPage(page, {
      windowStart: window.windowStart,
      windowSeconds: window.windowSeconds,
      total,
      page: index,
      pages: pages.length,
      region: window.region,
    });
    const existing = ts[index];
    const unchanged =
      existing !== undefined &&
      index !== 0 &&
      JSON.stringify(previouslyShown[index] ?? []) === JSON.stringify(page);
    if (unchanged) continue;
    await slot.hold();
    if (existing) await updateMessage(held, channelId, existing, message);
    else {
      const posted = await postMessage(held, channelId, message, index === 0 ? undefined : ts[0]);
      ts[index] = posted.ts;
      channelId = posted.channel;
    }
  }
  const rendered = { covered: Math.max(covered, fresh.renderedCount), total, pages: ts, channelId };
  await state.finishStormRender(window.channel, window.windowStart, {
    count: rendered.covered,
    pages: ts,
    nextRenderAt: slack.clock.now() + STORM_RENDER_INTERVAL_MS,
    channelId,
  });
  return rendered;
}
