import type { Clock } from "./clock.js";

/** A Task handler as aws-local-stepfunctions calls it (by state name). */
export type LocalHandler = (input: unknown) => Promise<unknown>;

type State = Record<string, unknown>;
/** An ASL definition as JSON. */
export type Definition = { States: Record<string, State>; StartAt: string } & Record<string, unknown>;

/** The sandbox's stand-in resource for Wait states (never a real ARN). */
export const SANDBOX_WAIT_RESOURCE = "arn:aws:states:::sandbox:wait";

/** Reads `$.a.b[0]` from a JSON value (the JSONPath subset ASL paths use for Seconds/TimestampPath). */
export function readPath(value: unknown, path: string): unknown {
  if (path === "$") return value;
  const parts = path.replace(/^\$\.?/, "").match(/[^.[\]]+/g) ?? [];
  let current = value;
  for (const part of parts) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Visits every state of a definition, nested Map iterators and Parallel branches included.
 */
export function eachState(definition: Definition, visit: (name: string, state: State) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    const nested = (state.ItemProcessor ?? state.Iterator) as Definition | undefined;
    if (nested?.States) eachState(nested, visit);
    for (const branch of (state.Branches as Definition[] | undefined) ?? []) eachState(branch, visit);
  }
}

/**
 * Rewrites Wait states into Task states that wait on the sandbox clock (same InputPath/OutputPath, input
 * passed through), so a ten-minute Wait takes ten sandbox minutes, not ten real ones. Returns the handlers.
 */
export function clockWaits(definition: Definition, clock: Clock): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  eachState(definition, (name, state) => {
    if (state.Type !== "Wait") return;
    const wait = { ...state };
    for (const key of ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]) delete state[key];
    state.Type = "Task";
    state.Resource = SANDBOX_WAIT_RESOURCE;
    handlers[name] = async (input) => {
      let ms = 0;
      if (typeof wait.Seconds === "number") ms = wait.Seconds * 1000;
      else if (typeof wait.SecondsPath === "string") ms = Number(readPath(input, wait.SecondsPath)) * 1000;
      else {
        const at =
          typeof wait.Timestamp === "string"
            ? wait.Timestamp
            : String(readPath(input, String(wait.TimestampPath)));
        ms = Date.parse(at) - clock.now();
      }
      if (Number.isFinite(ms) && ms > 0) await clock.sleep(ms);
      return input;
    };
  });
  return handlers;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

function matches(retrier: Retrier, error: Error): boolean {
  return retrier.ErrorEquals.some(
    (name) =>
      name === error.name ||
      name === "States.ALL" ||
      (name === "States.TaskFailed" && error.name !== "States.Timeout"),
  );
}

/**
 * Spends a state's Retry intervals on the sandbox clock: before a failing handler's error reaches the
 * interpreter (whose own retry wait is overridden to 0), the wrapper sleeps the interval the matching
 * retrier prescribes (IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds). Counts reset on success.
 */
export function clockRetries(state: State, handler: LocalHandler, clock: Clock): LocalHandler {
  const retriers = (state.Retry as Retrier[] | undefined) ?? [];
  if (retriers.length === 0) return handler;
  const counts = retriers.map(() => 0);
  return async (input) => {
    try {
      const output = await handler(input);
      counts.fill(0);
      return output;
    } catch (error) {
      const index = retriers.findIndex((r) => matches(r, error as Error));
      const retrier = retriers[index];
      if (retrier && (counts[index] ?? 0) < (retrier.MaxAttempts ?? 3)) {
        const n = counts[index] ?? 0;
        counts[index] = n + 1;
        const seconds = Math.min(
          (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n,
          retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
        );
        await clock.sleep(seconds * 1000);
      } else {
        counts.fill(0);
      }
      throw error;
    }
  };
}
