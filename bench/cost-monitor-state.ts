/**
 * The size of the health monitor's one DynamoDB item (functions/lifecycle/health-history.ts) for a fleet of `n`
 * instances, built by the monitor's own code: each instance's history as `decideInstanceHealth` leaves it after a
 * healthy probe, the pending probe as the monitor saves it (one command per SendCommand batch), and the item's
 * attributes as `saveMonitorState` writes them. The item grows with the fleet: DynamoDB bills a PutItem 1 write
 * unit per KB and a consistent GetItem 1 read unit per 4 KB ("Amazon DynamoDB Pricing", on-demand).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { decideInstanceHealth, MAX_INSTANCES_PER_SEND_COMMAND } from "@clawops/core/lifecycle";
import type { MonitorState } from "../functions/lifecycle/health-history.js";

/** A CloudFormation-named Auto Scaling group, as the Fleet stack's group is named (stage, stack, id, suffix). */
const GROUP_NAME = "clawops-prod-Fleet-FleetGroupASG8D3A2F1C-Q7Z2W9X4K1LM";
/** An EC2 instance id: `i-` and 17 hex digits. */
const instanceId = (i: number) => `i-0${(0x5a3c9e1b7d2f4 + i * 7919).toString(16).padStart(16, "0")}`;
/** A Run Command id (a UUID). */
const commandId = (i: number) => `5d8f2c1a-7b3e-4f69-9a0d-${String(i).padStart(12, "0")}`;
/** When the item is written (epoch ms; 13 digits, as every date until 2286). */
const NOW = Date.UTC(2026, 5, 15, 12);
/**
 * An instance's age in monitor runs at steady state: replaced once a month (bench/cost.ts), half a month old on
 * average; a 5-digit `runs` for a one-minute monitor.
 */
const runsAtMeanAge = (runsPerMonth: number) => Math.round(runsPerMonth / 2);

/** The monitor's state for `n` healthy instances, as a steady-state run leaves it. */
export function monitorStateOf(
  n: number,
  periodSeconds = 60,
): { readonly asgName: string; readonly state: MonitorState; readonly now: number } {
  const runs = runsAtMeanAge((730 * 3600) / periodSeconds);
  const settings = { unhealthyAfter: 3, gracePeriodSeconds: 300, periodSeconds };
  const histories = Object.fromEntries(
    Array.from({ length: n }, (_, i) => {
      const before = { failures: 0, firstSeenAt: NOW - runs * periodSeconds * 1000, runs };
      const { history } = decideInstanceHealth(before, { healthy: true, reason: "ok" }, settings, NOW);
      return [instanceId(i), history];
    }),
  );
  const batches = Math.ceil(n / MAX_INSTANCES_PER_SEND_COMMAND);
  const commandIds = Array.from({ length: batches }, (_, i) => commandId(i));
  return {
    asgName: GROUP_NAME,
    state: { histories, pending: { commandIds, refused: [], sentAt: NOW } },
    now: NOW,
  };
}

/**
 * Bytes of a DynamoDB item as DynamoDB sizes it: each attribute's name and value (a string's UTF-8 bytes; a
 * number about one byte per two significant digits, plus one). "Amazon DynamoDB Developer Guide", item sizes.
 */
export function dynamoItemBytes(item: Readonly<Record<string, AttributeValue>>): number {
  return Object.entries(item).reduce((bytes, [name, value]) => {
    const size =
      value.S !== undefined
        ? Buffer.byteLength(value.S)
        : value.N !== undefined
          ? Math.ceil(value.N.replace(/[-.]/g, "").replace(/^0+/, "").length / 2) + 1
          : 1;
    return bytes + Buffer.byteLength(name) + size;
  }, 0);
}

/** The item `saveMonitorState` writes for `state` (its attributes, in the same encoding). */
export function monitorStateItem(
  asgName: string,
  state: MonitorState,
  now: number,
): Record<string, AttributeValue> {
  return {
    pk: { S: "lifecycle#monitor" },
    sk: { S: asgName },
    histories: { S: JSON.stringify(state.histories) },
    ...(state.pending ? { pending: { S: JSON.stringify(state.pending) } } : {}),
    ...(state.incompleteSince === undefined ? {} : { incompleteSince: { N: String(state.incompleteSince) } }),
    updatedAt: { S: new Date(now).toISOString() },
    expiresAt: { N: String(Math.floor(now / 1000) + 86_400) },
  };
}

/** Bytes of the monitor's item for a fleet of `n` instances. */
export function monitorStateBytes(n: number, periodSeconds = 60): number {
  const { asgName, state, now } = monitorStateOf(n, periodSeconds);
  return dynamoItemBytes(monitorStateItem(asgName, state, now));
}

/**
 * How close the monitor's item is to its next write unit at `n` instances: the bytes left under the next KB (the
 * group's name counts too: a longer stage or fleet name takes from them) and the smallest fleet whose item
 * crosses it, from where each run's PutItem costs one more write unit.
 */
export function monitorItemMargin(
  n: number,
  periodSeconds = 60,
): { readonly bytesLeft: number; readonly nextKb: number; readonly crossesAtInstances: number } {
  const bytes = monitorStateBytes(n, periodSeconds);
  const nextKb = Math.max(1, Math.ceil(bytes / 1024));
  let crossesAt = n + 1;
  while (monitorStateBytes(crossesAt, periodSeconds) <= nextKb * 1024) crossesAt += 1;
  return { bytesLeft: nextKb * 1024 - bytes, nextKb, crossesAtInstances: crossesAt };
}
