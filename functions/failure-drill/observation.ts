import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { deliveryItemKey } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { DeliverySeen, DrillObservation, ReplacementSeen } from "@clawops/core/failure-drill";
import { groupInstances } from "./fleet-state.js";

/**
 * The alarm's state and when it entered it (DescribeAlarms). The alarm needs two one-minute periods to
 * change, so an observation every 15 s sees each transition; the timestamp is CloudWatch's, not ours.
 */
async function alarmNow(
  alarmName: string,
): Promise<Pick<DrillObservation, "alarmState" | "alarmTransitions">> {
  const { MetricAlarms = [] } = await client(CloudWatchClient).send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }),
  );
  const alarm = MetricAlarms[0];
  if (!alarm?.StateValue) return { alarmState: "MISSING", alarmTransitions: [] };
  const at = alarm.StateUpdatedTimestamp?.getTime();
  return {
    alarmState: alarm.StateValue,
    alarmTransitions: at === undefined ? [] : [{ at, state: alarm.StateValue }],
  };
}

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

/** One observation of the drill's three sources, read together. */
export async function observeDrill(input: {
  readonly table: string;
  readonly alarmName: string;
  readonly asgName: string;
  readonly instancesBefore: readonly string[];
  readonly now: number;
}): Promise<DrillObservation> {
  const [alarm, delivery, replacement] = await Promise.all([
    alarmNow(input.alarmName),
    deliveryOf(input.table, input.alarmName),
    replacementOf(input.asgName, input.instancesBefore, input.now),
  ]);
  return { ...alarm, delivery, replacement };
}
