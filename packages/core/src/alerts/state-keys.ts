/**
 * Keys of the alert router's items in the Core state table (`pk`/`sk`, TTL attribute `expiresAt` in
 * seconds). One place spells them, so the router, the CLI and the failure drill agree.
 */

/** Idempotency record of one EventBridge event. */
export function dedupItemKey(eventId: string): { pk: string; sk: string } {
  return { pk: `alert#event#${eventId}`, sk: "dedup" };
}

/** An alarm's thread record. */
export function threadItemKey(alarmName: string): { pk: string; sk: string } {
  return { pk: `alert#thread#${alarmName}`, sk: "thread" };
}

/** An alarm's delivery lock: one invocation at a time reads and writes the alarm's thread. */
export function alarmLockItemKey(alarmName: string): { pk: string; sk: string } {
  return { pk: `alert#thread#${alarmName}`, sk: "lock" };
}

/** A channel's storm window. */
export function stormItemKey(channel: string, windowStart: number): { pk: string; sk: string } {
  return { pk: `alert#storm#${channel}`, sk: String(windowStart) };
}

/** When each alarm's last transition was delivered (all alarms under one `pk`, so one Query lists them). */
export function deliveryItemKey(alarmName: string): { pk: string; sk: string } {
  return { pk: "alert#delivery", sk: alarmName };
}

/** `expiresAt` (epoch seconds) `days` after `now` (ms). */
export function expiresAt(now: number, days: number): number {
  return Math.floor(now / 1000) + days * 86_400;
}
