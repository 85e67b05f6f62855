import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { ClawopsEnvironment } from "@clawops/core";
import { client } from "@clawops/core/aws";
import type { FleetWideEpisode, InstanceHealthHistory } from "@clawops/core/lifecycle";

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
  /** The episode of probes failing fleet-wide and what was announced of it (`nextFleetWideEpisode`); unset after it. */
  readonly fleetWide?: FleetWideEpisode | undefined;
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
  const fleetWide = Item?.fleetWide?.S ? (JSON.parse(Item.fleetWide.S) as FleetWideEpisode) : undefined;
  return { histories, pending, incompleteSince, fleetWide };
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
        ...(state.fleetWide === undefined ? {} : { fleetWide: episodeValue(state.fleetWide) }),
        updatedAt: { S: new Date(now).toISOString() },
        expiresAt: expiresAt(now),
      },
    }),
  );
}

const expiresAt = (now: number): AttributeValue => ({ N: String(Math.floor(now / 1000) + TTL_SECONDS) });
const episodeValue = (episode: FleetWideEpisode): AttributeValue => ({ S: JSON.stringify(episode) });

/**
 * Saves a group's fleet-wide episode alone (the rest of the item as it is) if it is still `expected` (as this run
 * loaded it). The monitor saves an announcement as out before publishing it, so a run whose later save fails (or
 * Lambda's retry of it) does not publish it again, and of two runs at once (a retry overlapping the next run) only
 * one publishes. UpdateItem, not the whole item's PutItem: a few hundred bytes of request whatever the fleet size.
 * False when another run changed the episode first (it publishes, not this one).
 */
export async function saveFleetWideEpisode(
  env: ClawopsEnvironment,
  asgName: string,
  expected: FleetWideEpisode | undefined,
  episode: FleetWideEpisode | undefined,
  now: number,
): Promise<boolean> {
  try {
    await client(DynamoDBClient).send(
      new UpdateItemCommand({
        TableName: tableOf(env),
        Key: key(asgName),
        UpdateExpression: `SET expiresAt = :expiresAt${episode ? ", fleetWide = :episode" : " REMOVE fleetWide"}`,
        ConditionExpression: expected ? "fleetWide = :expected" : "attribute_not_exists(fleetWide)",
        ExpressionAttributeValues: {
          ":expiresAt": expiresAt(now),
          ...(episode ? { ":episode": episodeValue(episode) } : {}),
          ...(expected ? { ":expected": episodeValue(expected) } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}
