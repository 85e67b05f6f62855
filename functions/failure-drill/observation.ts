import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { deliveryItemKey } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { DeliverySeen, DrillObservation, ReplacementSeen } from "@clawops/core/failure-drill";
import { alarmNow } from "./alarm-state.js";
import { commandOutcome } from "./command-outcome.js";
import { groupInstances } from "./fleet-state.js";

/** The alert router's record of the alarm's last delivered transition (`pk=alert#delivery`, `sk=<alarm>`). */
async function deliveryOf(table: string, alarmName: string): Promise<DeliverySeen | null> {
  const key = deliveryItemKey(alarmName);
  const { Item } = await client(DynamoDBClient).send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
      ConsistentRead: true,
    }),
  );
  if (!Item?.deliveredAt?.N || !Item.stateChangedAt?.N || !Item.state?.S) return null;
  return {
    state: Item.state.S,
    stateChangedAt: Number(Item.stateChangedAt.N),
    deliveredAt: Number(Item.deliveredAt.N),
  };
}

/**
 * A group member that was not there before the stop and is InService and Healthy: with the launch hook, an
 * instance is InService only after the launch gate completed it with CONTINUE. Timed when first seen.
 */
async function replacementOf(
  asgName: string,
  instancesBefore: readonly string[],
  now: number,
): Promise<ReplacementSeen | null> {
  const found = (await groupInstances(asgName)).find(
    (i) =>
      !instancesBefore.includes(i.instanceId) &&
      i.lifecycleState === "InService" &&
      i.healthStatus === "Healthy",
  );
  return found ? { instanceId: found.instanceId, inServiceAt: now } : null;
}

/**
 * One observation of the drill's sources, read together: the alarm, the router's delivery record, the
 * group, and (until it is confirmed) the stop command's invocation `stop`.
 */
export async function observeDrill(input: {
  readonly table: string;
  readonly alarmName: string;
  readonly asgName: string;
  readonly instancesBefore: readonly string[];
  readonly now: number;
  readonly stop: { readonly commandId: string; readonly instanceId: string } | null;
}): Promise<DrillObservation> {
  const { stop: command } = input;
  const [alarm, delivery, replacement, stop] = await Promise.all([
    alarmNow(input.alarmName),
    deliveryOf(input.table, input.alarmName),
    replacementOf(input.asgName, input.instancesBefore, input.now),
    command ? commandOutcome(command.commandId, command.instanceId) : null,
  ]);
  return { ...alarm, delivery, replacement, stop };
}
