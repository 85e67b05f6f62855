import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { ClawopsEnvironment } from "@clawops/core";
import { client } from "@clawops/core/aws";
import type { InstanceHealthHistory } from "@clawops/core/lifecycle";

type Histories = Record<string, InstanceHealthHistory>;

/** The probe a monitor run sent for the next run to collect. */
export interface PendingProbe {
  readonly commandIds: readonly string[];
  /** Epoch ms it was sent. */
  readonly sentAt: number;
  /** Instances SSM refused to send it to (`InvalidInstanceId`): the next run counts them as failed probes. */
  readonly refused?: readonly string[] | undefined;
}

/** What the monitor keeps between runs: every instance's history and the probe it sent last. */
export interface MonitorState {
  readonly histories: Histories;
  readonly pending?: PendingProbe | undefined;
  /** Since when (epoch ms) every run has been incomplete (a call AWS kept failing); unset after a whole run. */
  readonly incompleteSince?: number | undefined;
  /**
   * Since when (epoch ms) the probes fail fleet-wide, as published (`ReadinessDriftFound`); unset once a run's
   * probes no longer do (and `ReadinessDriftCleared` is out).
   */
  readonly fleetWideSince?: number | undefined;
}

/** One item per group holds the whole state: two calls a run, whatever the fleet size. */
const key = (asgName: string) => ({ pk: { S: "lifecycle#monitor" }, sk: { S: asgName } });

/** A day after the last run the item expires: a monitor that stopped leaves nothing behind. */
const TTL_SECONDS = 86_400;

function tableOf(env: ClawopsEnvironment): string {
  if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
  return env.stateTable;
}

/** The monitor's state of a group: per-instance histories (failures in a row, first seen, marked), last probe. */
export async function loadMonitorState(env: ClawopsEnvironment, asgName: string): Promise<MonitorState> {
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({ TableName: tableOf(env), Key: key(asgName), ConsistentRead: true }),
  );
  const histories = Item?.histories?.S ? (JSON.parse(Item.histories.S) as Histories) : {};
  const pending = Item?.pending?.S ? (JSON.parse(Item.pending.S) as PendingProbe) : undefined;
  const incompleteSince = Item?.incompleteSince?.N ? Number(Item.incompleteSince.N) : undefined;
  const fleetWideSince = Item?.fleetWideSince?.N ? Number(Item.fleetWideSince.N) : undefined;
  return { histories, pending, incompleteSince, fleetWideSince };
}

/** Stores the state of a group (histories and the probe just sent, in one write). */
export async function saveMonitorState(
  env: ClawopsEnvironment,
  asgName: string,
  state: MonitorState,
  now: number,
) {
  await client(DynamoDBClient).send(
    new PutItemCommand({
      TableName: tableOf(env),
      Item: {
        ...key(asgName),
        histories: { S: JSON.stringify(state.histories) },
        ...(state.pending ? { pending: { S: JSON.stringify(state.pending) } } : {}),
        ...(state.incompleteSince === undefined
          ? {}
          : { incompleteSince: { N: String(state.incompleteSince) } }),
        ...(state.fleetWideSince === undefined
          ? {}
          : { fleetWideSince: { N: String(state.fleetWideSince) } }),
        updatedAt: { S: new Date(now).toISOString() },
        expiresAt: { N: String(Math.floor(now / 1000) + TTL_SECONDS) },
      },
    }),
  );
}
