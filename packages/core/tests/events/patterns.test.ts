import { describe, expect, it } from "vitest";
import { EventPatternError } from "../../src/events/errors.js";
import { matchesPattern, validatePattern } from "../../src/events/match.js";
import {
  alarmStateChangePattern,
  backupJobStateChangePattern,
  clawopsEventPattern,
  commandInvocationStatusPattern,
  type EventPattern,
  launchLifecyclePattern,
  restoreJobStateChangePattern,
  terminateLifecyclePattern,
  toCdkEventPattern,
} from "../../src/events/patterns.js";
import { ClawopsDetailType, clawopsEventEntry } from "../../src/events/sources.js";
import { type FixtureSource, loadFixture, withField } from "./fixtures.js";

const ASG = "clawops-test-fleet";
const fleetAlarms = alarmStateChangePattern({
  namePrefixes: [`${ASG}-`],
  names: ["clawops-drill-overdue"],
});

type Fixture = [FixtureSource, string];
const allFixtures: Fixture[] = [
  ["aws.autoscaling", "launch"],
  ["aws.autoscaling", "launch-warm-pool"],
  ["aws.autoscaling", "launch-from-warm-pool"],
  ["aws.autoscaling", "terminate"],
  ["aws.cloudwatch", "metric-alarm"],
  ["aws.cloudwatch", "metric-math"],
  ["aws.cloudwatch", "anomaly"],
  ["aws.cloudwatch", "composite"],
  ["aws.cloudwatch", "ok"],
  ["aws.cloudwatch", "outside-selector"],
  ["aws.backup", "backup-job-completed"],
  ["aws.backup", "restore-job-completed"],
  ["aws.backup", "restore-job-created-state"],
  ["aws.backup", "restore-testing-job"],
  ["aws.ssm", "command-invocation"],
  ...Object.values(ClawopsDetailType).map((type): Fixture => ["clawops", type]),
];

// Each pattern and exactly the fixtures it must deliver; every other fixture is a neighbour it must reject.
const routing: [string, EventPattern, string[]][] = [
  [
    "launchLifecyclePattern",
    launchLifecyclePattern(ASG),
    ["aws.autoscaling/launch", "aws.autoscaling/launch-warm-pool", "aws.autoscaling/launch-from-warm-pool"],
  ],
  ["terminateLifecyclePattern", terminateLifecyclePattern(ASG), ["aws.autoscaling/terminate"]],
  [
    "alarmStateChangePattern",
    fleetAlarms,
    ["metric-alarm", "metric-math", "anomaly", "composite", "ok"].map((name) => `aws.cloudwatch/${name}`),
  ],
  ["backupJobStateChangePattern", backupJobStateChangePattern(), ["aws.backup/backup-job-completed"]],
  [
    "restoreJobStateChangePattern",
    restoreJobStateChangePattern(),
    ["restore-job-completed", "restore-job-created-state", "restore-testing-job"].map(
      (name) => `aws.backup/${name}`,
    ),
  ],
  ["commandInvocationStatusPattern", commandInvocationStatusPattern(), ["aws.ssm/command-invocation"]],
  [
    "clawopsEventPattern",
    clawopsEventPattern("test"),
    Object.values(ClawopsDetailType).map((type) => `clawops/${type}`),
  ],
  [
    "clawopsEventPattern with detail-types",
    clawopsEventPattern("test", [ClawopsDetailType.DrillCompleted, ClawopsDetailType.DrillFailed]),
    ["clawops/DrillCompleted", "clawops/DrillFailed"],
  ],
];

const cases = routing.flatMap(([name, pattern, delivered]) =>
  allFixtures.map(([source, fixture]): [string, string, EventPattern, FixtureSource, string, boolean] => {
    const key = `${source}/${fixture}`;
    return [name, key, pattern, source, fixture, delivered.includes(key)];
  }),
);

describe("Function: event patterns", () => {
  it.each(cases)("%s routes %s: %s", (_name, _key, pattern, source, fixture, expected) => {
    expect(matchesPattern(pattern, loadFixture(source, fixture))).toBe(expected);
  });

  it.each(routing)("%s is a valid EventBridge pattern", (_name, pattern) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it("does not deliver another group's launch", () => {
    const other = withField(
      loadFixture("aws.autoscaling", "launch"),
      "detail.AutoScalingGroupName",
      "other-fleet",
    );
    expect(matchesPattern(launchLifecyclePattern(ASG), other)).toBe(false);
  });

  it("does not deliver a launch to the terminate pattern of the same group", () => {
    expect(matchesPattern(terminateLifecyclePattern(ASG), loadFixture("aws.autoscaling", "launch"))).toBe(
      false,
    );
  });

  it("does not treat a group name as a prefix", () => {
    const longer = withField(
      loadFixture("aws.autoscaling", "launch"),
      "detail.AutoScalingGroupName",
      `${ASG}-2`,
    );
    expect(matchesPattern(launchLifecyclePattern(ASG), longer)).toBe(false);
  });

  it.each([
    ["an exact name", "clawops-drill-overdue", true],
    ["a name under a prefix", `${ASG}-anything`, true],
    ["a name that only contains the prefix", `x-${ASG}-anything`, false],
    ["a name outside the selector", "billing-estimated-charges", false],
  ])("selects alarms by %s", (_case, alarmName, expected) => {
    const event = withField(loadFixture("aws.cloudwatch", "metric-alarm"), "detail.alarmName", alarmName);
    expect(matchesPattern(fleetAlarms, event)).toBe(expected);
  });

  it("refuses an empty alarm selector", () => {
    expect(() => alarmStateChangePattern({})).toThrow(EventPatternError);
    expect(() => alarmStateChangePattern({ names: [], namePrefixes: [] })).toThrow(
      "select at least one alarm",
    );
  });

  it("refuses an empty group name", () => {
    expect(() => launchLifecyclePattern("")).toThrow(EventPatternError);
  });

  it.each(["aws.autoscaling", "clawops.forged", "Clawops"])(
    "rejects a clawops detail-type from source %s",
    (source) => {
      const forged = withField(loadFixture("clawops", "DrillCompleted"), "source", source);
      expect(matchesPattern(clawopsEventPattern("test"), forged)).toBe(false);
    },
  );

  it("publishes an event only its own stage's rule delivers: the entry's detail carries the stage", () => {
    const entry = clawopsEventEntry(
      { stage: "prod", eventBusName: "default" },
      ClawopsDetailType.DrillFailed,
      {
        drillId: "d1",
      },
    );
    expect(entry).toEqual({
      Source: "clawops",
      EventBusName: "default",
      DetailType: "DrillFailed",
      Detail: JSON.stringify({ drillId: "d1", stage: "prod" }),
    });
    const event = { source: entry.Source, "detail-type": entry.DetailType, detail: JSON.parse(entry.Detail) };
    expect(matchesPattern(clawopsEventPattern("prod"), event)).toBe(true);
    expect(matchesPattern(clawopsEventPattern("dev"), event)).toBe(false);
  });

  it.each([
    ["another stage's", "prod"],
    ["a stage-less", undefined],
  ])("does not deliver %s clawops event to this stage's rule", (_, stage) => {
    const theirs = withField(loadFixture("clawops", "DrillFailed"), "detail.stage", stage);
    expect(matchesPattern(clawopsEventPattern("test"), theirs)).toBe(false);
    expect(matchesPattern(clawopsEventPattern("test"), loadFixture("clawops", "DrillFailed"))).toBe(true);
  });

  it("refuses an empty list of clawops detail-types", () => {
    expect(() => clawopsEventPattern("test", [])).toThrow("the list of detail-types is empty");
  });

  it("returns a fresh object on every call", () => {
    const first = launchLifecyclePattern(ASG);
    (first.source as string[]).push("aws.ec2");
    expect(launchLifecyclePattern(ASG).source).toEqual(["aws.autoscaling"]);
  });
});

describe("Function: toCdkEventPattern", () => {
  it("renames detail-type to detailType and keeps the rest", () => {
    expect(toCdkEventPattern(fleetAlarms)).toEqual({
      source: ["aws.cloudwatch"],
      detailType: ["CloudWatch Alarm State Change"],
      detail: { alarmName: ["clawops-drill-overdue", { prefix: `${ASG}-` }] },
    });
  });

  it("maps every envelope field CDK knows", () => {
    const pattern = {
      version: ["0"],
      id: ["x"],
      account: ["123456789012"],
      region: ["us-east-1"],
      time: [{ prefix: "2026" }],
      resources: ["r"],
    };
    expect(toCdkEventPattern(pattern)).toEqual(pattern);
  });

  it("copies instead of sharing the pattern's arrays", () => {
    const pattern = launchLifecyclePattern(ASG);
    const cdk = toCdkEventPattern(pattern);
    expect(cdk.detail).not.toBe(pattern.detail);
  });

  it.each([["$or"], ["unknown-key"], ["constructor"]])("refuses the top-level key %s", (key) => {
    expect(() => toCdkEventPattern({ [key]: ["x"] })).toThrow(EventPatternError);
  });
});
