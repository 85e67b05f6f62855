import { describe, expect, it } from "vitest";
import {
  AlertDeliveryFailedEventSchema,
  ClawopsEventSchema,
  DrainFailedEventSchema,
  DrillCompletedEventSchema,
  DrillFailedEventSchema,
  FailureDrillCompletedEventSchema,
  FailureDrillStartedEventSchema,
  GatewayProbesFailingFleetWideEventSchema,
  GatewayProbesFleetWideClearedEventSchema,
  LifecycleAbandonedEventSchema,
  ReadinessDriftClearedEventSchema,
  ReadinessDriftFoundEventSchema,
} from "../../src/events/clawops.js";
import { EventValidationError } from "../../src/events/errors.js";
import { parseEvent } from "../../src/events/parse-event.js";
import { ClawopsDetailType } from "../../src/events/sources.js";
import { loadFixture, withField } from "./fixtures.js";

const schemas = {
  LifecycleAbandoned: LifecycleAbandonedEventSchema,
  DrainFailed: DrainFailedEventSchema,
  DrillCompleted: DrillCompletedEventSchema,
  DrillFailed: DrillFailedEventSchema,
  ReadinessDriftFound: ReadinessDriftFoundEventSchema,
  ReadinessDriftCleared: ReadinessDriftClearedEventSchema,
  AlertDeliveryFailed: AlertDeliveryFailedEventSchema,
  FailureDrillStarted: FailureDrillStartedEventSchema,
  FailureDrillCompleted: FailureDrillCompletedEventSchema,
  GatewayProbesFailingFleetWide: GatewayProbesFailingFleetWideEventSchema,
  GatewayProbesFleetWideCleared: GatewayProbesFleetWideClearedEventSchema,
} as const;

const detailTypes = Object.values(ClawopsDetailType);

describe("Function: clawops event schemas", () => {
  it("has one schema and one fixture per detail-type", () => {
    expect(Object.keys(schemas).sort()).toEqual([...detailTypes].sort());
  });

  it.each(detailTypes)("%sEventSchema parses its fixture", (type) => {
    const event = loadFixture("clawops", type);
    expect(parseEvent(schemas[type], event)).toMatchObject(event);
  });

  it.each(detailTypes)("ClawopsEventSchema parses %s and keeps its detail-type", (type) => {
    const parsed = parseEvent(ClawopsEventSchema, loadFixture("clawops", type));
    expect(parsed["detail-type"]).toBe(type);
  });

  it("narrows the union on detail-type", () => {
    const parsed = parseEvent(ClawopsEventSchema, loadFixture("clawops", "DrillCompleted"));
    if (parsed["detail-type"] !== "DrillCompleted") throw new Error("expected a DrillCompleted event");
    expect(parsed.detail.fileSystems[1]?.mismatches).toEqual([
      { path: "SOUL.md", reason: "sha256 differs from the deployed manifest" },
    ]);
  });

  it.each<[string, string, unknown, string]>([
    [
      "LifecycleAbandoned",
      "detail.instanceId",
      undefined,
      "detail.instanceId: expected string, got undefined",
    ],
    [
      "LifecycleAbandoned",
      "detail.lastProbe.output",
      undefined,
      "detail.lastProbe.output: expected string, got undefined",
    ],
    ["DrainFailed", "detail.reason", undefined, "detail.reason: expected string, got undefined"],
    ["DrillCompleted", "detail.passed", "yes", 'detail.passed: expected boolean, got "yes"'],
    ["DrillCompleted", "detail.fileSystems", undefined, "detail.fileSystems: expected array, got undefined"],
    ["DrillFailed", "detail.passed", true, "detail.passed: expected false, got true"],
    ["ReadinessDriftFound", "detail.runId", 7, "detail.runId: expected string, got 7"],
    [
      "ReadinessDriftCleared",
      "detail.checks",
      [{ id: "x", area: "a", title: "t", status: "maybe", severity: "low" }],
      'detail.checks[0].status: expected "pass" | "fail" | "unknown", got "maybe"',
    ],
    ["AlertDeliveryFailed", "detail.alertKey", undefined, "detail.alertKey: expected string, got undefined"],
    [
      "GatewayProbesFailingFleetWide",
      "detail.answers",
      { "HTTP 404": "ten" },
      'detail.answers.HTTP 404: expected number, got "ten"',
    ],
    [
      "GatewayProbesFailingFleetWide",
      "detail.asgName",
      undefined,
      "detail.asgName: expected string, got undefined",
    ],
    [
      "GatewayProbesFleetWideCleared",
      "detail.since",
      undefined,
      "detail.since: expected string, got undefined",
    ],
  ])("%s rejects %s set to %j", (type, path, value, message) => {
    const broken = withField(loadFixture("clawops", type), path, value);
    expect(() => parseEvent(ClawopsEventSchema, broken)).toThrow(message);
    expect(issueLines(() => parseEvent(ClawopsEventSchema, broken))).toContain(message);
  });

  it("rejects an unknown detail-type naming the ones it knows", () => {
    const forged = withField(loadFixture("clawops", "DrainFailed"), "detail-type", "SomethingElse");
    expect(() => parseEvent(ClawopsEventSchema, forged)).toThrow(EventValidationError);
    expect(issueLines(() => parseEvent(ClawopsEventSchema, forged))).toEqual([
      'detail-type: expected "LifecycleAbandoned" | "DrainFailed" | "DrillCompleted" | "DrillFailed" | "ReadinessDriftFound" | "ReadinessDriftCleared" | "AlertDeliveryFailed" | "FailureDrillStarted" | "FailureDrillCompleted" | "GatewayProbesFailingFleetWide" | "GatewayProbesFleetWideCleared", got "SomethingElse"',
    ]);
    expect(() => parseEvent(ClawopsEventSchema, forged)).toThrow(
      'detail-type: expected "LifecycleAbandoned" | "DrainFailed"',
    );
  });

  it("rejects a clawops detail-type from another source", () => {
    const forged = withField(loadFixture("clawops", "DrainFailed"), "source", "aws.autoscaling");
    expect(() => parseEvent(ClawopsEventSchema, forged)).toThrow(
      'source: expected "clawops", got "aws.autoscaling"',
    );
  });

  it("accepts a drill failure that never measured its RTO", () => {
    const parsed = parseEvent(DrillFailedEventSchema, loadFixture("clawops", "DrillFailed"));
    expect(parsed.detail.fileSystems[0]?.rtoSeconds).toBeNull();
  });
});

function issueLines(act: () => unknown): string[] {
  try {
    act();
  } catch (error) {
    return (error as EventValidationError).issues.map((issue) => `${issue.path}: ${issue.problem}`);
  }
  throw new Error("expected the call to throw");
}
