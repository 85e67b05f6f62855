import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { evaluateReadiness } from "@clawops/core/readiness";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { goodEvidence, NOW, settings } from "../../../packages/core/tests/readiness/fixtures.js";
import { describeLogGroups } from "../gather-monitoring.js";

const logs = mockClient(CloudWatchLogsClient);
afterEach(() => logs.reset());

/** The session-logs check over the log groups as gathered, with FilterLogEvents answering `pages` in turn. */
async function sessionLogsCheck(
  pages: { events: { timestamp: number; message: string }[]; nextToken?: string }[],
) {
  const s = settings();
  logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix: string }) => ({
    logGroups: [{ logGroupName: input.logGroupNamePrefix, retentionInDays: s.logRetentionDays }],
  }));
  let page = 0;
  logs.on(FilterLogEventsCommand).callsFake(() => pages[page++] ?? { events: [] });
  const groups = await describeLogGroups(
    [s.fleet.gatewayLogGroupName, s.fleet.sessionLogGroupName],
    s.fleet.sessionLogGroupName,
    new Date(NOW.getTime() - s.readiness.logsFreshMinutes * 60_000),
  );
  const report = evaluateReadiness({ ...goodEvidence(), logGroups: groups }, s, { runId: "r", now: NOW });
  return { check: report.checks.find((c) => c.id === "monitoring.session-logs"), calls: page };
}

const empty = (token: string) => ({ events: [], nextToken: token });
const event = { timestamp: NOW.getTime() - 5 * 60_000, message: "session started" };

describe("Function: describeLogGroups for the session-logs check", () => {
  it("is unknown, not failed, when FilterLogEvents still has pages to scan after the budget", async () => {
    // Prepare: five empty pages, each with a nextToken (FilterLogEvents scans stream by stream); the event is on the sixth.
    const { check, calls } = await sessionLogsCheck([
      empty("t1"),
      empty("t2"),
      empty("t3"),
      empty("t4"),
      empty("t5"),
      { events: [event] },
    ]);
    expect(calls).toBe(5);
    expect(check?.status).toBe("unknown");
    expect(check?.details).toEqual(["FilterLogEvents still had more to scan after 5 pages"]);
  });

  it("fails when the scan finished without an event", async () => {
    const { check } = await sessionLogsCheck([empty("t1"), { events: [] }]);
    expect(check?.status).toBe("fail");
  });

  it("passes on an event found on a later page", async () => {
    const { check } = await sessionLogsCheck([empty("t1"), { events: [event], nextToken: "t2" }]);
    expect(check?.status).toBe("pass");
  });
});
