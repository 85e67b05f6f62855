import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { metrics } from "@clawops/core";
import { makeClient } from "@clawops/core/aws";
import { AlarmStateChangeEventSchema, alarmStateChangePattern, parseEvent } from "@clawops/core/events";
import { PNG } from "pngjs";
import { afterEach, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const cw = () => makeClient(CloudWatchClient);
const ALARM = "clawops-test-gateway-unhealthy";
const DIMENSIONS = [{ Name: "AutoScalingGroupName", Value: "clawops-test-openclaw" }];
const put = (value: number) =>
  cw().send(
    new PutMetricDataCommand({
      Namespace: "Clawops",
      MetricData: [{ MetricName: "GatewayUnhealthy", Dimensions: DIMENSIONS, Value: value }],
    }),
  );
const state = async () =>
  (await cw().send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }))).MetricAlarms?.[0]?.StateValue;

async function alarm(
  options: { evaluationPeriods?: number; datapoints?: number; treatMissing?: string } = {},
) {
  account = await testAccount({ desired: 0 });
  // Start on a minute boundary so each `advance(60_000)` fills exactly one period.
  await account.clock.advance(60_000 - (account.clock.now() % 60_000));
  await cw().send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      AlarmDescription: "A gateway failed its probe.",
      Namespace: "Clawops",
      MetricName: "GatewayUnhealthy",
      Dimensions: DIMENSIONS,
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: options.evaluationPeriods ?? 1,
      DatapointsToAlarm: options.datapoints,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: options.treatMissing,
    }),
  );
}

/** Puts one value in the current minute and moves to the next minute's evaluation. */
async function minute(value?: number): Promise<void> {
  if (value !== undefined) await put(value);
  await account.clock.advance(60_000);
}

describe("Function: cloudWatchModel", () => {
  it("starts INSUFFICIENT_DATA, goes ALARM on a breaching period, OK on a clean one", async () => {
    await alarm();
    expect(await state()).toBe("INSUFFICIENT_DATA");
    await minute(2);
    expect(await state()).toBe("ALARM");
    await minute(0);
    expect(await state()).toBe("OK");
  });

  it("needs DatapointsToAlarm breaching periods out of EvaluationPeriods", async () => {
    await alarm({ evaluationPeriods: 3, datapoints: 2 });
    await minute(0);
    await minute(2);
    expect(await state()).toBe("OK");
    await minute(0);
    await minute(3);
    expect(await state()).toBe("ALARM");
  });

  it.each([
    ["missing", "INSUFFICIENT_DATA"],
    ["breaching", "ALARM"],
    ["notBreaching", "OK"],
    ["ignore", "OK"],
  ])("treats a period without data as %s", async (treatMissing, expected) => {
    await alarm({ treatMissing });
    await minute(0);
    expect(await state()).toBe("OK");
    await minute();
    expect(await state()).toBe(expected);
  });

  it("emits a CloudWatch Alarm State Change event the alert router's schema accepts", async () => {
    await alarm();
    await minute(2);
    const events = account.bus.published(alarmStateChangePattern({ names: [ALARM] }));
    expect(events).toHaveLength(1);
    const parsed = parseEvent(AlarmStateChangeEventSchema, events[0]);
    expect(parsed.detail.state.value).toBe("ALARM");
    expect(parsed.detail.previousState.value).toBe("INSUFFICIENT_DATA");
    expect(parsed.detail.state.reason).toContain("was greater than or equal to the threshold (1.0)");
  });

  it("takes Powertools EMF output as metric data", async () => {
    await alarm();
    metrics.addDimension("AutoScalingGroupName", "clawops-test-openclaw");
    metrics.addMetric("GatewayUnhealthy", "Count", 4);
    metrics.publishStoredMetrics();
    const stored = account.aws.cloudWatch.store.metrics().find((m) => m.name === "GatewayUnhealthy");
    expect(stored?.namespace).toBe("Clawops");
    expect(stored?.dimensions).toContainEqual(DIMENSIONS[0]);
    const now = account.clock.now();
    const out = await cw().send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          {
            Id: "m1",
            MetricStat: {
              Metric: {
                Namespace: "Clawops",
                MetricName: "GatewayUnhealthy",
                Dimensions: [...(stored?.dimensions ?? [])],
              },
              Period: 60,
              Stat: "Maximum",
            },
          },
        ],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Values).toEqual([4]);
  });

  it("draws the series as a real PNG", async () => {
    await alarm();
    for (const v of [0, 1, 3, 1]) await minute(v);
    const out = await cw().send(
      new GetMetricWidgetImageCommand({
        MetricWidget: JSON.stringify({
          metrics: [
            [
              "Clawops",
              "GatewayUnhealthy",
              "AutoScalingGroupName",
              "clawops-test-openclaw",
              { stat: "Maximum" },
            ],
          ],
          period: 60,
          start: "-PT10M",
          width: 320,
          height: 200,
          annotations: { horizontal: [{ value: 1, label: "threshold" }] },
        }),
      }),
    );
    const image = PNG.sync.read(Buffer.from(out.MetricWidgetImage ?? new Uint8Array()));
    expect([image.width, image.height]).toEqual([320, 200]);
    const coloured = [];
    for (let i = 0; i < image.data.length; i += 4) if (image.data[i] !== image.data[i + 2]) coloured.push(i);
    expect(coloured.length).toBeGreaterThan(50);
  });
});
