import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from "@aws-sdk/client-cloudwatch";
import { alarmSeverity } from "@clawops/core/alerts";
import { makeClient } from "@clawops/core/aws";
import type { AlertsInstall } from "../../src/gameday/scenes/alerts.js";
import type { Sandbox } from "../../src/sandbox.js";

/** An alarm a test moves by hand, and the channel the router posts it to. */
export interface StageAlarm {
  readonly name: string;
  readonly channel: string;
  set(state: StateValue, reason?: string): Promise<void>;
}

/**
 * One of the stage's own alarm names (the alert router's rule routes those by exact name), created in the
 * sandbox's CloudWatch on `metricName`, which no one sends data to: the alarm keeps the state the test sets, and
 * evaluation never flips it.
 */
export async function stageAlarm(
  sandbox: Sandbox,
  router: AlertsInstall,
  metricName = "FaultDrill",
): Promise<StageAlarm> {
  const name = `clawops-${sandbox.config.stage}-test-alert`;
  const cloudWatch = makeClient(CloudWatchClient);
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "Clawops",
      MetricName: metricName,
      Period: 60,
      Statistic: "Maximum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 1,
      TreatMissingData: "ignore",
    }),
  );
  const severity = alarmSeverity(name, {}, router.settings.alerts);
  const route = router.settings.slack.routes.find((r) => r.severity === severity);
  const channel = route?.channel ?? router.settings.slack.defaultChannel;
  const set = async (state: StateValue, reason = `fault matrix: ${state}`) => {
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
    );
  };
  return { name, channel, set };
}
