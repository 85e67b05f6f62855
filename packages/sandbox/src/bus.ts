import { type EventPattern, matchesPattern, validatePattern } from "@clawops/core/events";
import type { SandboxEvent } from "./aws/world.js";
import type { Clock } from "./clock.js";

/** What a rule delivers to: an in-process handler, or a state machine start (see `stateMachineTarget`). */
export type EventTarget = (event: SandboxEvent) => unknown;

/** A rule of the local bus: the stacks' own pattern and where matching events go. */
export interface BusRule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: EventTarget;
}

/** One delivery attempt of one event to one rule's target. */
export interface Delivery {
  readonly rule: string;
  readonly eventId: string;
  readonly attempt: number;
  readonly at: number;
  readonly duplicate: boolean;
  outcome: "pending" | "ok" | "error";
  error?: Error;
}

export interface LocalEventBusOptions {
  /**
   * Deliver an event more than once to a rule (EventBridge delivers at least once): `true` for one extra
   * copy of every delivery, a number for that many extra copies, or a predicate answering either. The copies
   * run concurrently with the original. Targets must be idempotent. @default false
   */
  readonly duplicate?: boolean | number | ((event: SandboxEvent, rule: string) => boolean | number);
  /**
   * Lose an event on its way to a rule (delivery of some AWS events, lifecycle actions among them, is best
   * effort): the predicate says which. Lost deliveries are listed by `lost()`. @default none lost
   */
  readonly drop?: (event: SandboxEvent, rule: string) => boolean;
  /** Attempts per delivery before it counts as failed. @default 3 */
  readonly attempts?: number;
  /** Sandbox milliseconds before the first retry; doubles each time. @default 1_000 */
  readonly retryDelayMs?: number;
}

/**
 * The local EventBridge bus. Events from the models and PutEvents are matched with `matchesPattern`
 * against each rule's pattern (the stacks' pattern constants) and delivered to the targets asynchronously,
 * at least once: a target that throws is retried on the sandbox clock, and duplicates can be forced.
 */
export class LocalEventBus {
  private readonly rules = new Map<string, BusRule>();
  private readonly events: SandboxEvent[] = [];
  private readonly log: Delivery[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly dropped: { rule: string; eventId: string }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly options: LocalEventBusOptions = {},
  ) {}

  /** Adds (or replaces) a rule; the pattern is validated as EventBridge's PutRule would. */
  putRule(rule: BusRule): void {
    validatePattern(rule.pattern);
    this.rules.set(rule.name, rule);
  }

  removeRule(name: string): void {
    this.rules.delete(name);
  }

  /** Publishes one event: it is recorded, then delivered to every matching rule. */
  publish(event: SandboxEvent): void {
    this.events.push(event);
    for (const rule of this.rules.values()) {
      if (!matchesPattern(rule.pattern, event)) continue;
      if (this.options.drop?.(event, rule.name)) {
        this.dropped.push({ rule: rule.name, eventId: event.id });
        continue;
      }
      this.deliver(rule, event, 1, false);
      for (let copy = 0; copy < this.copies(event, rule.name); copy += 1) this.deliver(rule, event, 1, true);
    }
  }

  /**
   * Delivers `input` to one rule's target whether or not it matches the rule's pattern (it need not even be an
   * event): what a direct Lambda invocation, or a broader rule, would hand the function. Recorded and retried
   * like any delivery.
   */
  invoke(ruleName: string, input: unknown): void {
    const rule = this.rules.get(ruleName);
    if (!rule) throw new Error(`the bus has no rule ${ruleName}`);
    this.deliver(rule, input as SandboxEvent, 1, false);
  }

  /** Deliveries the `drop` option lost, in order. */
  lost(): { rule: string; eventId: string }[] {
    return [...this.dropped];
  }

  private copies(event: SandboxEvent, rule: string): number {
    const duplicate = this.options.duplicate;
    const answer = typeof duplicate === "function" ? duplicate(event, rule) : duplicate;
    return answer === true ? 1 : typeof answer === "number" ? Math.max(0, Math.floor(answer)) : 0;
  }

  /** Every event published so far, optionally only those matching `pattern`. */
  published(pattern?: EventPattern): SandboxEvent[] {
    return pattern ? this.events.filter((e) => matchesPattern(pattern, e)) : [...this.events];
  }

  /** Every delivery attempt so far. */
  deliveries(rule?: string): Delivery[] {
    return this.log.filter((d) => !rule || d.rule === rule);
  }

  /** Deliveries whose last attempt failed (EventBridge would send them to the rule's DLQ). */
  failures(): Delivery[] {
    const attempts = this.options.attempts ?? 3;
    return this.log.filter((d) => d.outcome === "error" && d.attempt >= attempts);
  }

  /** Resolves once no delivery is running (retries scheduled on the clock are not waited for). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private deliver(rule: BusRule, event: SandboxEvent, attempt: number, duplicate: boolean): void {
    const record: Delivery = {
      rule: rule.name,
      eventId: String((event as Partial<SandboxEvent> | null)?.id ?? ""),
      attempt,
      at: this.clock.now(),
      duplicate,
      outcome: "pending",
    };
    this.log.push(record);
    // A fresh copy per delivery: one target cannot change what another receives.
    const copy = structuredClone(event);
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => rule.target(copy))
      .then(
        () => {
          record.outcome = "ok";
        },
        (error: Error) => {
          record.outcome = "error";
          record.error = error;
          if (attempt >= (this.options.attempts ?? 3)) return;
          const delay = (this.options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1);
          this.clock.schedule(delay, () => this.deliver(rule, event, attempt + 1, duplicate));
        },
      );
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }
}
