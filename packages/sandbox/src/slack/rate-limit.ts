/** Slack's per-channel limit for chat.postMessage: about one message a second, short bursts tolerated. */
export interface RateLimitOptions {
  /** Messages a second, per channel, in the long run. @default 1 */
  readonly perSecond?: number;
  /** Messages a channel may take at once before the limit applies. @default 3 */
  readonly burst?: number;
  /**
   * `Retry-After` seconds to send instead of the computed wait (the time until the next message is allowed,
   * rounded up). Tests set 0 with a high `perSecond` so a client retries without waiting a real second.
   * @default undefined (computed)
   */
  readonly retryAfterSeconds?: number;
}

/** A token bucket per key (channel id). Time comes from `now` (ms), so a test or the sandbox clock can drive it. */
export class ChannelRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.perSecond = options.perSecond ?? 1;
    this.burst = options.burst ?? 3;
  }

  /** Takes one message's worth for `key`: undefined when allowed, else the `Retry-After` seconds to answer. */
  take(key: string): number | undefined {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const computed = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
    return this.options.retryAfterSeconds ?? computed;
  }
}
