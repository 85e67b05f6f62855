/**
 * The sandbox's one clock. Models, waits, schedules and timeouts all read it, so a ten-minute lifecycle
 * timeout plays out in milliseconds in a test (`advance`) or in seconds in the game day (`speed`).
 */
export interface Clock {
  /** Milliseconds since the epoch on the sandbox clock. */
  now(): number;
  /** Resolves when the sandbox clock has moved `ms` forward. */
  sleep(ms: number): Promise<void>;
  /** Calls `fn` when the sandbox clock reaches `now() + ms`; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
  /** Marks real work (I/O that takes no sandbox time); the clock waits for it before moving. */
  track<T>(work: Promise<T>): Promise<T>;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told (`advance`, `runUntil`): deterministic, for tests.
 * With `speed` > 0 it also follows real time, `speed` sandbox milliseconds per real millisecond.
 */
export class SandboxClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private ticker: NodeJS.Timeout | undefined;
  private lastReal = 0;
  private queue: Promise<void> = Promise.resolve();
  private busy = 0;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(options: { start?: number; speed?: number } = {}) {
    this.current = options.start ?? Date.parse("2026-11-27T09:00:00Z");
    if (options.speed && options.speed > 0) this.follow(options.speed);
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /**
   * Moves the clock forward by `ms`, firing due timers in order and letting their promise chains settle.
   * Calls are serialized: two overlapping `advance` calls move the clock by the sum, never backwards.
   */
  advance(ms: number): Promise<void> {
    this.busy += 1;
    const run = this.queue.then(() => this.advanceNow(ms));
    this.queue = run.finally(() => {
      this.busy -= 1;
    });
    return run;
  }

  /**
   * Marks real work (a loopback HTTP probe, a process start) that takes no sandbox time: the clock does not
   * move while it is pending, so a test that advances minutes in microseconds still sees the real answer.
   * Only track work that does not itself wait on this clock (that would deadlock).
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const done = () => this.inflight.delete(work);
    work.then(done, done);
    return work;
  }

  private async advanceNow(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      await this.quiesce();
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
    await this.quiesce();
  }

  /** Settles promise chains and waits for tracked real work, until nothing new appears. */
  private async quiesce(): Promise<void> {
    await settle();
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
      await settle();
    }
  }

  /** Advances in `step` increments until `done()` is true or `limitMs` has passed; returns whether it was met. */
  async runUntil(done: () => boolean, options: { step?: number; limitMs?: number } = {}): Promise<boolean> {
    const step = options.step ?? 1_000;
    const limit = this.current + (options.limitMs ?? 3_600_000);
    while (!done()) {
      if (this.current >= limit) return false;
      await this.advance(step);
    }
    return true;
  }

  /** Number of pending timers (tests use it to prove nothing is left running). */
  pending(): number {
    return this.timers.length;
  }

  /** Stops following real time. */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private follow(speed: number): void {
    this.lastReal = Date.now();
    this.ticker = setInterval(() => {
      // A still-running advance (waiting on real work) is not queued behind: the next tick covers the gap.
      if (this.busy > 0) return;
      const real = Date.now();
      const delta = (real - this.lastReal) * speed;
      this.lastReal = real;
      void this.advance(delta);
    }, 10);
    this.ticker.unref();
  }
}

/** Lets pending promise callbacks (and I/O already completed) run before the clock moves again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
