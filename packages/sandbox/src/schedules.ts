import type { Clock } from "./clock.js";

/** A schedule expression EventBridge accepts: `rate(5 minutes)` or `cron(0 3 ? * SUN *)` (UTC). */
export type ScheduleExpression = string;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const NAMES: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
  SUN: 1,
  MON: 2,
  TUE: 3,
  WED: 4,
  THU: 5,
  FRI: 6,
  SAT: 7,
};

/** The set of values a cron field allows (`*`, `?`, lists, ranges, steps, names); EventBridge's day-of-week is 1-7 = SUN-SAT. */
function field(text: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "*", stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    let [from, to] = [min, max];
    if (range !== "*" && range !== "?") {
      const [a = "", b] = range.split("-");
      from = NAMES[a.toUpperCase()] ?? Number(a);
      to = b === undefined ? (stepText ? max : from) : (NAMES[b.toUpperCase()] ?? Number(b));
    }
    if (!Number.isInteger(from) || !Number.isInteger(to))
      throw new Error(`not simulated: cron field "${text}"`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Milliseconds from `now` to the next firing of the expression. */
export function nextFiring(expression: ScheduleExpression, now: number): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const every = Number(rate[1]) * (UNIT_MS[(rate[2] ?? "").replace(/s$/, "")] ?? 0);
    return every - (now % every) || every;
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  const parts = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (parts.length !== 6) throw new Error(`not a schedule expression: ${expression}`);
  const [minutes, hours, dom, months, dow, years] = [
    field(parts[0] ?? "", 0, 59),
    field(parts[1] ?? "", 0, 23),
    field(parts[2] ?? "", 1, 31),
    field(parts[3] ?? "", 1, 12),
    field(parts[4] ?? "", 1, 7),
    field(parts[5] ?? "", 1970, 2199),
  ];
  let t = Math.floor(now / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 60 * 24 * 366 * 2; i++, t += 60_000) {
    const d = new Date(t);
    if (!minutes.has(d.getUTCMinutes()) || !hours.has(d.getUTCHours()) || !months.has(d.getUTCMonth() + 1))
      continue;
    if (!dom.has(d.getUTCDate()) || !dow.has(d.getUTCDay() + 1) || !years.has(d.getUTCFullYear())) continue;
    return t - now;
  }
  throw new Error(`schedule never fires within two years: ${expression}`);
}

/** Schedules (EventBridge rules with a schedule) firing on the sandbox clock. */
export class Schedules {
  private readonly cancels = new Map<string, () => void>();
  /** Every firing, with the target's error if it failed (a scheduled Lambda's failure is visible, not lost). */
  readonly fired: { name: string; at: number; error?: Error }[] = [];

  constructor(private readonly clock: Clock) {}

  /** Fires `target` at every occurrence of `expression` until removed; returns the first firing time. */
  add(name: string, expression: ScheduleExpression, target: () => unknown): number {
    this.remove(name);
    const arm = () => {
      const wait = nextFiring(expression, this.clock.now());
      this.cancels.set(
        name,
        this.clock.schedule(wait, () => {
          const firing: { name: string; at: number; error?: Error } = { name, at: this.clock.now() };
          this.fired.push(firing);
          arm();
          void Promise.resolve()
            .then(target)
            .catch((error: Error) => {
              firing.error = error;
            });
        }),
      );
      return this.clock.now() + wait;
    };
    return arm();
  }

  remove(name: string): void {
    this.cancels.get(name)?.();
    this.cancels.delete(name);
  }

  closeAll(): void {
    for (const name of [...this.cancels.keys()]) this.remove(name);
  }
}
