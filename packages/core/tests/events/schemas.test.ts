import { describe, expect, it } from "vitest";
import type * as z from "zod/mini";
import { AlarmStateChangeEventSchema, alarmKind, alarmTriggeringAlarms } from "../../src/events/alarm.js";
import {
  BackupJobStateChangeEventSchema,
  RestoreJobStateChangeEventSchema,
  restoreJobStatus,
  restoreTestingPlanArn,
} from "../../src/events/backup.js";
import { EventBridgeEnvelopeSchema } from "../../src/events/envelope.js";
import { EventValidationError } from "../../src/events/errors.js";
import { LifecycleLaunchEventSchema, LifecycleTerminateEventSchema } from "../../src/events/lifecycle.js";
import { parseEvent } from "../../src/events/parse-event.js";
import { CommandInvocationStatusEventSchema } from "../../src/events/ssm.js";
import { type FixtureSource, loadFixture, withField } from "./fixtures.js";

type Schema = z.core.$ZodType;

const parses: [string, Schema, FixtureSource, string][] = [
  ["LifecycleLaunchEventSchema", LifecycleLaunchEventSchema, "aws.autoscaling", "launch"],
  ["LifecycleLaunchEventSchema", LifecycleLaunchEventSchema, "aws.autoscaling", "launch-warm-pool"],
  ["LifecycleLaunchEventSchema", LifecycleLaunchEventSchema, "aws.autoscaling", "launch-from-warm-pool"],
  ["LifecycleTerminateEventSchema", LifecycleTerminateEventSchema, "aws.autoscaling", "terminate"],
  ["AlarmStateChangeEventSchema", AlarmStateChangeEventSchema, "aws.cloudwatch", "metric-alarm"],
  ["AlarmStateChangeEventSchema", AlarmStateChangeEventSchema, "aws.cloudwatch", "metric-math"],
  ["AlarmStateChangeEventSchema", AlarmStateChangeEventSchema, "aws.cloudwatch", "anomaly"],
  ["AlarmStateChangeEventSchema", AlarmStateChangeEventSchema, "aws.cloudwatch", "composite"],
  ["AlarmStateChangeEventSchema", AlarmStateChangeEventSchema, "aws.cloudwatch", "ok"],
  ["BackupJobStateChangeEventSchema", BackupJobStateChangeEventSchema, "aws.backup", "backup-job-completed"],
  [
    "RestoreJobStateChangeEventSchema",
    RestoreJobStateChangeEventSchema,
    "aws.backup",
    "restore-job-completed",
  ],
  [
    "RestoreJobStateChangeEventSchema",
    RestoreJobStateChangeEventSchema,
    "aws.backup",
    "restore-job-created-state",
  ],
  ["RestoreJobStateChangeEventSchema", RestoreJobStateChangeEventSchema, "aws.backup", "restore-testing-job"],
  ["CommandInvocationStatusEventSchema", CommandInvocationStatusEventSchema, "aws.ssm", "command-invocation"],
];

// Broken variants: [schema name, schema, fixture, path to change, new value (undefined removes), expected message part]
const rejects: [string, Schema, FixtureSource, string, string, unknown, string][] = [
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "launch",
    "detail.EC2InstanceId",
    undefined,
    "detail.EC2InstanceId: expected string, got undefined",
  ],
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "launch",
    "detail.LifecycleActionToken",
    undefined,
    "detail.LifecycleActionToken: expected string, got undefined",
  ],
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "launch",
    "detail.EC2InstanceId",
    "i-<!channel>",
    'detail.EC2InstanceId: expected a value matching /^i-([0-9a-f]{8}|[0-9a-f]{17})$/, got "i-<!channel>"',
  ],
  [
    "LifecycleTerminateEventSchema",
    LifecycleTerminateEventSchema,
    "aws.autoscaling",
    "terminate",
    "detail.LifecycleActionToken",
    "../../token",
    'detail.LifecycleActionToken: expected a value matching /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, got "../../token"',
  ],
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "launch",
    "detail.AutoScalingGroupName",
    42,
    "detail.AutoScalingGroupName: expected string, got 42",
  ],
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "launch",
    "detail.Destination",
    "Elsewhere",
    'detail.Destination: expected "EC2" | "AutoScalingGroup" | "WarmPool", got "Elsewhere"',
  ],
  [
    "LifecycleLaunchEventSchema",
    LifecycleLaunchEventSchema,
    "aws.autoscaling",
    "terminate",
    "detail.LifecycleActionToken",
    "x",
    'detail-type: expected "EC2 Instance-launch Lifecycle Action", got "EC2 Instance-terminate Lifecycle Action"',
  ],
  [
    "LifecycleTerminateEventSchema",
    LifecycleTerminateEventSchema,
    "aws.autoscaling",
    "terminate",
    "detail",
    undefined,
    "detail: expected object, got undefined",
  ],
  [
    "AlarmStateChangeEventSchema",
    AlarmStateChangeEventSchema,
    "aws.cloudwatch",
    "metric-alarm",
    "detail.alarmName",
    undefined,
    "detail.alarmName: expected string, got undefined",
  ],
  [
    "AlarmStateChangeEventSchema",
    AlarmStateChangeEventSchema,
    "aws.cloudwatch",
    "metric-alarm",
    "detail.state.value",
    "BROKEN",
    'detail.state.value: expected "OK" | "ALARM" | "INSUFFICIENT_DATA", got "BROKEN"',
  ],
  [
    "AlarmStateChangeEventSchema",
    AlarmStateChangeEventSchema,
    "aws.cloudwatch",
    "metric-alarm",
    "detail.configuration.metrics",
    "m1",
    'detail.configuration.metrics: expected array, got "m1"',
  ],
  [
    "AlarmStateChangeEventSchema",
    AlarmStateChangeEventSchema,
    "aws.cloudwatch",
    "ok",
    "detail.previousState",
    undefined,
    "detail.previousState: expected object, got undefined",
  ],
  [
    "BackupJobStateChangeEventSchema",
    BackupJobStateChangeEventSchema,
    "aws.backup",
    "backup-job-completed",
    "detail.state",
    undefined,
    "detail.state: expected string, got undefined",
  ],
  [
    "RestoreJobStateChangeEventSchema",
    RestoreJobStateChangeEventSchema,
    "aws.backup",
    "restore-job-completed",
    "detail.restoreJobId",
    undefined,
    "detail.restoreJobId: expected string, got undefined",
  ],
  [
    "RestoreJobStateChangeEventSchema",
    RestoreJobStateChangeEventSchema,
    "aws.backup",
    "restore-job-completed",
    "detail.status",
    undefined,
    "detail.status: expected a status (or state) string, got neither",
  ],
  [
    "RestoreJobStateChangeEventSchema",
    RestoreJobStateChangeEventSchema,
    "aws.backup",
    "restore-job-completed",
    "detail.status",
    3,
    "detail.status: expected string, got 3",
  ],
  [
    "CommandInvocationStatusEventSchema",
    CommandInvocationStatusEventSchema,
    "aws.ssm",
    "command-invocation",
    "detail.instance-id",
    undefined,
    "detail.instance-id: expected string, got undefined",
  ],
  [
    "CommandInvocationStatusEventSchema",
    CommandInvocationStatusEventSchema,
    "aws.ssm",
    "command-invocation",
    "source",
    "aws.ec2",
    'source: expected "aws.ssm", got "aws.ec2"',
  ],
  [
    "CommandInvocationStatusEventSchema",
    CommandInvocationStatusEventSchema,
    "aws.ssm",
    "command-invocation",
    "resources",
    "arn",
    'resources: expected array, got "arn"',
  ],
];

describe("Function: parseEvent", () => {
  it.each(parses)("%s parses %s/%s", (_name, schema, source, fixture) => {
    const event = loadFixture(source, fixture);
    expect(parseEvent(schema, event)).toMatchObject(event);
  });

  it.each(rejects)(
    "%s rejects %s with %s changed",
    (_name, schema, source, fixture, path, value, message) => {
      // Prepare
      const broken = withField(loadFixture(source, fixture), path, value);
      // Act
      const act = () => parseEvent(schema, broken);
      // Assess
      expect(act).toThrow(EventValidationError);
      expect(act).toThrow(message);
      expect(issueLines(act)).toContain(message);
    },
  );

  it("lists every failing path, keeps the cause and names the event", () => {
    const broken = withField(
      withField(loadFixture("aws.autoscaling", "launch"), "detail.EC2InstanceId", undefined),
      "detail.LifecycleActionToken",
      undefined,
    );
    const error = catchError(() => parseEvent(LifecycleLaunchEventSchema, broken));
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.name).toBe("EventValidationError");
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeDefined();
    expect(error.message).toContain("aws.autoscaling / EC2 Instance-launch Lifecycle Action");
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      "detail.EC2InstanceId",
      "detail.LifecycleActionToken",
    ]);
  });

  it("says what came when the input is not an object", () => {
    expect(() => parseEvent(LifecycleLaunchEventSchema, "launch")).toThrow('not an object: "launch"');
  });

  it.each([
    ["AWS's placeholder time", "time", "yyyy-mm-ddThh:mm:ssZ"],
    ["a documentation account id", "account", "111122223333"],
    ["fields AWS may add later", "detail.SomethingNew", { nested: true }],
  ])("accepts %s", (_case, path, value) => {
    const event = withField(loadFixture("aws.autoscaling", "launch"), path, value);
    expect(parseEvent(LifecycleLaunchEventSchema, event)).toMatchObject(event);
  });

  it("keeps fields it does not know", () => {
    const event = withField(loadFixture("aws.ssm", "command-invocation"), "detail.extra", "kept");
    const parsed = parseEvent(CommandInvocationStatusEventSchema, event);
    expect(parsed.detail.extra).toBe("kept");
  });

  it("types the parsed event", () => {
    const event = parseEvent(LifecycleLaunchEventSchema, loadFixture("aws.autoscaling", "launch-warm-pool"));
    expect(event.detail.Destination).toBe("WarmPool");
    expect(event.detail.EC2InstanceId).toBe("i-0abc9876fed543210");
  });
});

describe("Function: EventBridgeEnvelopeSchema", () => {
  it.each([["aws.autoscaling", "launch"] as const, ["clawops", "DrainFailed"] as const])(
    "parses the envelope of %s/%s",
    (source, fixture) => {
      expect(parseEvent(EventBridgeEnvelopeSchema, loadFixture(source, fixture)).id).toEqual(
        expect.any(String),
      );
    },
  );
});

describe("Function: restoreJobStatus", () => {
  it.each([
    ["restore-job-completed", "COMPLETED"],
    ["restore-job-created-state", "CREATED"],
    ["restore-testing-job", "COMPLETED"],
  ])("reads the status of %s", (fixture, status) => {
    const event = parseEvent(RestoreJobStateChangeEventSchema, loadFixture("aws.backup", fixture));
    expect(restoreJobStatus(event)).toBe(status);
  });

  it("prefers status when AWS sends both", () => {
    const event = withField(loadFixture("aws.backup", "restore-job-completed"), "detail.state", "RUNNING");
    expect(restoreJobStatus(parseEvent(RestoreJobStateChangeEventSchema, event))).toBe("COMPLETED");
  });
});

describe("Function: restoreTestingPlanArn", () => {
  it("reads the plan of a restore-testing job", () => {
    const event = parseEvent(
      RestoreJobStateChangeEventSchema,
      loadFixture("aws.backup", "restore-testing-job"),
    );
    expect(restoreTestingPlanArn(event)).toMatch(
      /^arn:aws:backup:us-east-1:123456789012:restore-testing-plan:/,
    );
  });

  it("reads the plan from createdBy as DescribeRestoreJob spells it", () => {
    const base = withField(
      loadFixture("aws.backup", "restore-testing-job"),
      "detail.restoreTestingPlanArn",
      undefined,
    );
    const event = withField(base, "detail.createdBy", {
      restoreTestingPlanArn: "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:p",
    });
    expect(restoreTestingPlanArn(parseEvent(RestoreJobStateChangeEventSchema, event))).toContain(
      "restore-testing-plan:p",
    );
  });

  it("returns undefined for a restore clawops started", () => {
    const event = parseEvent(
      RestoreJobStateChangeEventSchema,
      loadFixture("aws.backup", "restore-job-completed"),
    );
    expect(restoreTestingPlanArn(event)).toBeUndefined();
  });
});

describe("Function: alarmKind", () => {
  it.each([
    ["metric-alarm", "metric"],
    ["ok", "metric"],
    ["metric-math", "metric-math"],
    ["anomaly", "anomaly-detection"],
    ["composite", "composite"],
  ])("classifies %s as %s", (fixture, kind) => {
    const event = parseEvent(AlarmStateChangeEventSchema, loadFixture("aws.cloudwatch", fixture));
    expect(alarmKind(event.detail)).toBe(kind);
  });
});

describe("Function: alarmTriggeringAlarms", () => {
  it("lists the alarms that triggered a composite alarm", () => {
    const event = parseEvent(AlarmStateChangeEventSchema, loadFixture("aws.cloudwatch", "composite"));
    expect(alarmTriggeringAlarms(event.detail.state)).toEqual([
      {
        arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:clawops-test-fleet-gateway-unhealthy",
        state: { value: "ALARM", timestamp: "2026-03-02T12:04:40.989+0000" },
      },
    ]);
  });

  it.each([
    ["metric alarm reason data", { value: "ALARM" as const, reasonData: '{"version":"1.0","threshold":1}' }],
    ["reason data that is not JSON", { value: "ALARM" as const, reasonData: "free text" }],
    ["no reason data", { value: "ALARM" as const }],
    [
      "entries without an arn",
      { value: "ALARM" as const, reasonData: '{"triggeringAlarms":[{"state":{}}]}' },
    ],
  ])("returns an empty list for %s", (_case, state) => {
    expect(alarmTriggeringAlarms(state)).toEqual([]);
  });
});

function catchError(act: () => unknown): EventValidationError {
  try {
    act();
  } catch (error) {
    return error as EventValidationError;
  }
  throw new Error("expected the call to throw");
}

function issueLines(act: () => unknown): string[] {
  return catchError(act).issues.map((issue) => `${issue.path}: ${issue.problem}`);
}
