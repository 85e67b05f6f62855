import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { client } from "@clawops/core/aws";
import type { DrillObservation } from "@clawops/core/failure-drill";

/**
 * The alarm's state and when its StateValue last changed (DescribeAlarms; `MISSING` when there is no such
 * alarm). StateTransitionedTimestamp is that change; StateUpdatedTimestamp also moves on EvaluationState
 * updates without a state change, so it is only the fallback. The timestamp is CloudWatch's, not ours.
 */
export async function alarmNow(
  alarmName: string,
): Promise<Pick<DrillObservation, "alarmState" | "alarmTransitions">> {
  const { MetricAlarms = [] } = await client(CloudWatchClient).send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }),
  );
  const alarm = MetricAlarms[0];
  if (!alarm?.StateValue) return { alarmState: "MISSING", alarmTransitions: [] };
  const at = (alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp)?.getTime();
  return {
    alarmState: alarm.StateValue,
    alarmTransitions: at === undefined ? [] : [{ at, state: alarm.StateValue }],
  };
}
