import diagnostics from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Sandbox } from "../../src/sandbox.js";

/** Node's diagnostics channels for outgoing HTTP: `node:http` (the AWS SDK) and undici (`fetch`, the Slack client). */
const HTTP_START = "http.client.request.start";
const FETCH_CHANNELS = {
  create: "undici:request:create",
  trailers: "undici:request:trailers",
  error: "undici:request:error",
} as const;

/**
 * Makes the sandbox clock wait for the real I/O it does not see by itself: every outgoing HTTP request of the
 * process is tracked from its start until it is over (its response read, or given up on). That covers the
 * Slack client's calls to the local Slack server (`fetch`: a held request until the client's real timeout
 * aborts it) and every DynamoDB call to dynalite (`node:http`). Real I/O then takes no sandbox time, so a
 * 5-second client timeout, a loopback connect or a slow write on a loaded machine does not eat a function's
 * sandbox-time budget (the alert router gives Slack the invocation's remaining time, read from the sandbox
 * clock). Returns the undo.
 */
export function trackRealIo(box: Sandbox): () => void {
  const onHttp = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    void box.clock.track(new Promise<void>((resolve) => request.once("close", () => resolve())));
  };
  const open = new Map<object, () => void>();
  const onCreate = (message: unknown) => {
    const { request } = message as { request: object };
    void box.clock.track(new Promise<void>((resolve) => open.set(request, resolve)));
  };
  const onEnd = (message: unknown) => {
    const { request } = message as { request: object };
    open.get(request)?.();
    open.delete(request);
  };
  const subscriptions: [string, (message: unknown) => void][] = [
    [HTTP_START, onHttp],
    [FETCH_CHANNELS.create, onCreate],
    [FETCH_CHANNELS.trailers, onEnd],
    [FETCH_CHANNELS.error, onEnd],
  ];
  for (const [channel, listener] of subscriptions) diagnostics.subscribe(channel, listener);
  return () => {
    for (const [channel, listener] of subscriptions) diagnostics.unsubscribe(channel, listener);
    for (const resolve of open.values()) resolve();
    open.clear();
  };
}

/**
 * Runs the sandbox clock until `done()` holds and no bus delivery is running (a target that is still working is
 * not finished, even when what the test looks for is already there); then waits for the bus to be idle.
 * While a delivery runs, the clock moves 100 ms per step and at most one step per real millisecond: what real
 * work is left untracked (a module's first import, a PNG compressed on the thread pool, the gap between a
 * request's end and its reader) costs a function seconds, not minutes, of its sandbox-time budget. Otherwise
 * it moves in one-second steps. Returns whether it got there within `limitMs` of sandbox time.
 */
export async function runUntilSettled(
  box: Sandbox,
  done: () => boolean,
  limitMs = 15 * 60_000,
): Promise<boolean> {
  const limit = box.clock.now() + limitMs;
  const quiet = () => box.events.bus.deliveries().every((d) => d.outcome !== "pending");
  let met = done() && quiet();
  while (!met && box.clock.now() < limit) {
    if (quiet()) await box.clock.advance(1_000);
    else {
      await box.clock.advance(100);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    met = done() && quiet();
  }
  await box.events.bus.idle();
  return met;
}
