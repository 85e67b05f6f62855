import { describe, expect, it } from "vitest";
import { restoreTestingCompletedPattern } from "../../src/drills/patterns.js";
import { EventPatternError } from "../../src/events/errors.js";
import { matchesPattern, validatePattern } from "../../src/events/match.js";
import { loadFixture, withField } from "../events/fixtures.js";

const PLAN =
  "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:clawops_weekly_efs-8f1c2d3e-4a5b-6c7d";
const OTHER_PLAN = "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:team_b_weekly-1a2b3c4d";
const completed = () => loadFixture("aws.backup", "restore-testing-job");
/** The same job naming its plan as `DescribeRestoreJob` does (`createdBy`), with `state` instead of `status`. */
const createdBy = (plan: string) => {
  let event = withField(completed(), "detail.restoreTestingPlanArn", undefined);
  event = withField(event, "detail.createdBy", { restoreTestingPlanArn: plan });
  event = withField(event, "detail.status", undefined);
  return withField(event, "detail.state", "COMPLETED");
};

describe("Function: restoreTestingCompletedPattern", () => {
  it("is a pattern EventBridge accepts", () => {
    expect(() => validatePattern(restoreTestingCompletedPattern(PLAN))).not.toThrow();
  });

  it.each([
    ["a COMPLETED job of this stage's plan", true, completed()],
    ["a COMPLETED job of this stage's plan named in createdBy, with state", true, createdBy(PLAN)],
    [
      "a COMPLETED job of another stage's or team's plan",
      false,
      withField(completed(), "detail.restoreTestingPlanArn", OTHER_PLAN),
    ],
    ["a COMPLETED job of another plan named in createdBy", false, createdBy(OTHER_PLAN)],
    ["a job of this stage's plan still RUNNING", false, withField(completed(), "detail.status", "RUNNING")],
    [
      "a restore that no restore testing plan made",
      false,
      withField(completed(), "detail.restoreTestingPlanArn", undefined),
    ],
  ])("%s: matches = %s", (_case, matches, event) => {
    expect(matchesPattern(restoreTestingCompletedPattern(PLAN), event)).toBe(matches);
  });

  it("refuses an empty plan ARN instead of matching nothing or everything", () => {
    expect(() => restoreTestingCompletedPattern("")).toThrow(EventPatternError);
  });
});
