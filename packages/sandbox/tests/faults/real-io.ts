import type { Sandbox } from "../../src/sandbox.js";

const MIDDLEWARE = "clawops-faults-track-real-io";

/**
 * Makes the sandbox clock wait for the real I/O it does not see by itself: requests to the local Slack server
 * (a held request until the client's real timeout gives up on it) and the DynamoDB calls of clients built on
 * the sandbox's dynalite client (the alert router's). Real I/O then takes no sandbox time, so a 5-second
 * client timeout or a slow write on a loaded machine does not eat a function's sandbox-time budget (the alert
 * router gives Slack the invocation's remaining time, read from the sandbox clock). Returns the undo.
 */
export function trackRealIo(box: Sandbox): () => void {
  const undo: (() => void)[] = [];
  const slack = box.slack.server;
  if (slack) undo.push(slack.onRequest((answered) => void box.clock.track(answered)));
  const dynamo = box.dynamo.client;
  if (dynamo) {
    dynamo.middlewareStack.add((next) => (args) => box.clock.track(next(args)), {
      step: "initialize",
      name: MIDDLEWARE,
    });
    undo.push(() => void dynamo.middlewareStack.remove(MIDDLEWARE));
  }
  return () => {
    for (const fn of undo) fn();
  };
}

/**
 * Runs the sandbox clock in one-second steps until `done()` holds and no bus delivery is running (a target
 * that is still working is not finished, even when what the test looks for is already there); then waits for
 * the bus to be idle. Returns whether it got there within `limitMs` of sandbox time.
 */
export async function runUntilSettled(
  box: Sandbox,
  done: () => boolean,
  limitMs = 15 * 60_000,
): Promise<boolean> {
  const quiet = () => box.events.bus.deliveries().every((d) => d.outcome !== "pending");
  const met = await box.clock.runUntil(() => done() && quiet(), { step: 1_000, limitMs });
  await box.events.bus.idle();
  return met;
}
