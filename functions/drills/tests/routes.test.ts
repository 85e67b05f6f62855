import { matchesPattern } from "@clawops/core/events";
import { describe, expect, it } from "vitest";
import { loadFixture, withField } from "../../../packages/core/tests/events/fixtures.js";
import { drillRoutes } from "../routes.js";

const STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:clawops-test-restore-drill";
const PLAN =
  "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:clawops_weekly_efs-8f1c2d3e-4a5b-6c7d";
const OTHER_PLAN = "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:team_b_weekly-1a2b3c4d";
const startsDrill = (routes: ReturnType<typeof drillRoutes>, event: unknown) =>
  routes.some((route) => "stateMachine" in route.target && matchesPattern(route.pattern, event));

describe("Function: drillRoutes", () => {
  it("starts a validation only for this stage's restore testing plan's COMPLETED jobs", () => {
    const routes = drillRoutes(STATE_MACHINE, PLAN);
    const job = loadFixture("aws.backup", "restore-testing-job");

    expect(startsDrill(routes, job)).toBe(true);
    expect(startsDrill(routes, withField(job, "detail.restoreTestingPlanArn", OTHER_PLAN))).toBe(false);
  });

  it("starts no drill for any restore-testing job when the stage has no restore testing plan", () => {
    const routes = drillRoutes(STATE_MACHINE);

    expect(routes.map((route) => route.id)).toEqual(["DrillExecutionEnded"]);
    expect(startsDrill(routes, loadFixture("aws.backup", "restore-testing-job"))).toBe(false);
  });
});
