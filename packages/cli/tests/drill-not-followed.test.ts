/**
 * `clawops drill` after the drill started: what the operator is told when the CLI cannot follow it to the end
 * (the execution ended but its record cannot be read, credentials that expire mid-drill, a dry run whose result
 * cannot be read).
 */
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../src/program.js";
import { argv, captureStreams } from "./capture.js";
import { DRILL_STATE_MACHINE, deployedStage } from "./deployed-stage.js";

const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBClient);
const ssm = mockClient(SSMClient);
const MOCKS = [sfn, dynamo, ssm];

const deployed = deployedStage(DRILL_STATE_MACHINE);

/** Runs the CLI while time passes on a fake clock (the drill polls every `--poll` seconds). */
async function runWithClock(...args: string[]) {
  const io = captureStreams();
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    let done = false;
    const pending = run(argv("drill", "--stage", "prod", "--region", "eu-west-1", ...args), {
      streams: io,
      stageLookup: deployed,
      env: {},
    }).finally(() => {
      done = true;
    });
    while (!done) await vi.advanceTimersByTimeAsync(1000);
    return { code: await pending, err: io.stderrText(), out: io.stdoutText() };
  } finally {
    vi.useRealTimers();
  }
}

const RESTORE = "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-RestoreDrill:cli";
const FAILURE = "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-FailureDrill:fd";
const denied = (action: string) =>
  Object.assign(
    new Error(`User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ${action}`),
    {
      name: "AccessDeniedException",
    },
  );

beforeEach(() => {
  for (const m of MOCKS) m.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string }) => ({
    executionArn: input.stateMachineArn.endsWith("FailureDrill") ? FAILURE : RESTORE,
  }));
  ssm.on(GetParameterCommand).resolves({
    Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
  });
});
afterEach(() => {
  for (const m of MOCKS) m.reset();
});

describe("Command: clawops drill, started but not followed to the end", () => {
  it("gives the verdict of a restore drill that ended when its record cannot be read (exit 0)", async () => {
    // The state machine ends (DrillPassed) with its whole state: ReportWhileCleaningUp put { passed, result,
    // cleanup } at $.report, `result` being the Report task's answer (restore-drill.asl.json).
    const answer = { passed: true, failed: false, reason: null, fileSystems: [] };
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({
        plan: { drillId: "cli", startedAt: "2026-11-30T00:00:00.000Z", branches: [] },
        outcomes: [],
        report: { passed: true, result: answer, cleanup: [] },
      }),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    dynamo.on(QueryCommand).rejects(denied("dynamodb:Query"));

    const { code, err, out } = await runWithClock("--poll", "1");

    expect(err).not.toContain("runs on");
    expect(err).toContain("its record could not be read (AccessDeniedException");
    expect(out).not.toContain("the execution ended SUCCEEDED");
    expect(code, out).toBe(0);
  });

  it("says a restore drill that ended and failed failed when its record cannot be read (exit 1)", async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: "FAILED", error: "States.TaskFailed", cause: "boom" });
    sfn.on(GetExecutionHistoryCommand).rejects(denied("states:GetExecutionHistory"));
    dynamo.on(QueryCommand).rejects(denied("dynamodb:Query"));

    const { code, err, out } = await runWithClock("--poll", "1");

    expect(err).not.toContain("runs on");
    expect(out).toContain("States.TaskFailed: boom");
    expect(code).toBe(1);
  });

  it.each([
    ["ExpiredTokenException", "The security token included in the request is expired"],
    ["ExpiredToken", "The provided token has expired."],
    ["CredentialsProviderError", "Token is expired. To refresh this SSO session run 'aws sso login'"],
    ["TokenRefreshRequired", "The SSO session has expired or is invalid"],
  ])(
    "points to the running drill when the credentials expire while following it (%s, exit 1)",
    async (name, message) => {
      sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error(message), { name }));

      const { code, err } = await runWithClock("--poll", "1");

      expect(err).not.toContain("a bug in clawops");
      expect(err).toContain(`was started and runs on: ${RESTORE}`);
      expect(err).toContain(`your credentials expired (${name}: ${message})`);
      expect(err).toContain(
        `aws sso login, or however you sign in), then follow it with: aws stepfunctions describe-execution --execution-arn ${RESTORE} --region eu-west-1`,
      );
      expect(code).toBe(1);
    },
  );

  it("points to the running failure drill when AWS answers following it with an error (exit 1)", async () => {
    sfn.on(DescribeExecutionCommand).rejects(
      new SFNServiceException({
        name: "ServiceUnavailable",
        $fault: "server",
        $metadata: { httpStatusCode: 503 },
        message: "Service is unavailable",
      }),
    );

    const { code, err } = await runWithClock("--failure");

    expect(err).not.toContain("a bug in clawops");
    expect(err).toContain(`failure drill was started and runs on: ${FAILURE}`);
    expect(err).toContain("AWS answered with an error (ServiceUnavailable: Service is unavailable)");
    expect(code).toBe(1);
  });

  it("says a dry run stopped nothing when its result cannot be read (exit 2)", async () => {
    sfn.on(DescribeExecutionCommand).rejects(denied("states:DescribeExecution"));

    const { code, err } = await runWithClock("--failure", "--dry-run");

    expect(err).not.toContain("runs on");
    expect(err).toContain("dry run");
    expect(err).toContain("stops nothing, but its result could not be read: AWS denied");
    expect(err).toContain(
      `aws stepfunctions describe-execution --execution-arn ${FAILURE} --region eu-west-1`,
    );
    expect(code).toBe(2);
  });
});
