import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../src/program.js";
import { argv, captureStreams } from "./capture.js";
import { DRILL_STATE_MACHINE, deployedStage } from "./deployed-stage.js";

const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
const autoscaling = mockClient(AutoScalingClient);
const sqs = mockClient(SQSClient);
const ssm = mockClient(SSMClient);
const MOCKS = [sfn, dynamo, lambda, autoscaling, sqs, ssm];

const deployed = deployedStage(DRILL_STATE_MACHINE);

/** The region each recorded call's client sends to. */
async function regionsOf(mocks: readonly ReturnType<typeof mockClient>[]): Promise<string[]> {
  const clients = mocks.flatMap((m) =>
    m.calls().map((c) => c.thisValue as { config: { region: () => Promise<string> } }),
  );
  return [...new Set(await Promise.all(clients.map((c) => c.config.region())))];
}

/** Runs the CLI while time passes on a fake clock (the drill polls every `--poll` seconds). */
async function runWithClock(args: string[], io = captureStreams()) {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    let done = false;
    const pending = run(argv(...args), { streams: io, stageLookup: deployed, env: {} }).finally(() => {
      done = true;
    });
    while (!done) await vi.advanceTimersByTimeAsync(1000);
    return { code: await pending, io };
  } finally {
    vi.useRealTimers();
  }
}

/** A drill that passes, keeps its restored file systems, and is recorded under the name the CLI gave it. */
function aDrillThatKeeps(kept: string[]) {
  let name = "";
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    name = input.name;
    return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:RestoreDrill:${name}` };
  });
  sfn.on(DescribeExecutionCommand).resolves({ status: "SUCCEEDED", output: "{}" });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: kept.map((id, i) => ({
      id: i + 1,
      timestamp: new Date(),
      type: "TaskStateExited",
      stateExitedEventDetails: {
        name: "FinishCleanup",
        output: JSON.stringify({
          drillId: name,
          keep: true,
          cleanup: {
            reports: [],
            kept: [id],
            howToRemove: [`aws efs delete-file-system --file-system-id ${id}`],
          },
        }),
      },
    })),
  });
  dynamo.on(QueryCommand).callsFake(() => ({
    Items: [
      {
        drillId: { S: name },
        startedAt: { S: "2026-03-01T10:00:00Z" },
        passed: { BOOL: true },
        verdict: {
          S: JSON.stringify({
            drillId: name,
            passed: true,
            failed: false,
            fileSystems: ["fs-0a", "fs-0b"].map((fileSystemId) => ({
              fileSystemId,
              recoveryPointArn: "arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1",
              rpoSeconds: 3600,
              rtoSeconds: 900,
              filesVerified: 3,
              bytesVerified: 100,
              mismatches: [],
              passed: true,
            })),
          }),
        },
      },
    ],
  }));
}

describe("Function: run against a deployed stage", () => {
  let savedRegion: string | undefined;
  beforeEach(() => {
    for (const m of MOCKS) m.reset();
    savedRegion = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
  });
  afterEach(() => {
    process.env.AWS_REGION = savedRegion;
  });

  it("sends every call of clawops drill to --region, not to AWS_REGION", async () => {
    aDrillThatKeeps([]);
    const { code } = await runWithClock(["drill", "--stage", "prod", "--region", "eu-west-1", "--poll", "1"]);
    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(await regionsOf([sfn, dynamo])).toEqual(["eu-west-1"]);
  });

  it("runs clawops drill with --region when no AWS_REGION is set", async () => {
    delete process.env.AWS_REGION;
    aDrillThatKeeps([]);
    const { code, io } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--poll",
      "1",
    ]);
    expect(io.stderrText()).not.toContain("no AWS region");
    expect(code).toBe(0);
    expect(await regionsOf([sfn, dynamo])).toEqual(["eu-west-1"]);
  });

  it("sends every call of clawops drill --failure to --region, not to AWS_REGION", async () => {
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
    });
    sfn.on(StartExecutionCommand).resolves({
      executionArn: "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-FailureDrill:dry",
    });
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ plan: ["stop the gateway on i-0b", "record the result"] }),
    });
    const { code } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--failure",
      "--dry-run",
    ]);
    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(await regionsOf([ssm, sfn])).toEqual(["eu-west-1"]);
  });

  it("sends every call of clawops status to --region, not to AWS_REGION", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: "clawops-prod-openclaw",
          MinSize: 2,
          MaxSize: 4,
          DesiredCapacity: 2,
          Instances: [],
        } as never,
      ],
    });
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(QueryCommand).resolves({ Items: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    const io = captureStreams();
    const code = await run(argv("status", "--stage", "prod", "--region", "eu-west-1", "--json"), {
      streams: io,
      stageLookup: deployed,
      env: {},
    });
    expect(code).toBe(0);
    expect(autoscaling.calls()).toHaveLength(1);
    expect(sqs.calls()).toHaveLength(1);
    expect(await regionsOf([autoscaling, dynamo, sqs])).toEqual(["eu-west-1"]);
  });

  it("names each file system clawops drill --keep left and the command that removes it", async () => {
    aDrillThatKeeps(["fs-0restored1", "fs-0restored2"]);
    const { code, io } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--keep",
      "--poll",
      "1",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? "{}")).toMatchObject(
      {
        keep: true,
      },
    );
    const out = io.stdoutText();
    expect(out).toContain("Kept for inspection (2)");
    expect(out).toContain(
      "fs-0restored1: aws efs delete-file-system --file-system-id fs-0restored1 --region eu-west-1",
    );
    expect(out).toContain(
      "fs-0restored2: aws efs delete-file-system --file-system-id fs-0restored2 --region eu-west-1",
    );
  });

  it("adds the kept file systems to clawops drill --keep --json", async () => {
    aDrillThatKeeps(["fs-0restored1"]);
    const { io } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--keep",
      "--json",
      "--poll",
      "1",
    ]);
    expect(JSON.parse(io.stdoutText()).kept).toEqual([
      {
        fileSystemId: "fs-0restored1",
        howToRemove: "aws efs delete-file-system --file-system-id fs-0restored1 --region eu-west-1",
      },
    ]);
  });

  it("reports a readiness run that was dead-lettered as a run that could not be made, with its reason (exit 2)", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(
        JSON.stringify({ deadLettered: true, reason: "ConfigError: CLAWOPS_SETTINGS.fleet.name is missing" }),
      ) as never,
    });
    const io = captureStreams();
    const code = await run(argv("readiness", "--stage", "prod", "--region", "eu-west-1"), {
      streams: io,
      stageLookup: deployed,
      env: {},
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain(
      "the readiness run could not be made: ConfigError: CLAWOPS_SETTINGS.fleet.name is missing",
    );
    expect(io.stderrText()).not.toContain("unexpected error");
    expect(io.stdoutText()).toBe("");
  });

  /** A readiness run with one failing check, as the readiness function answers it. */
  const aFailingReadinessRun = () =>
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(
        JSON.stringify({
          runId: "r-1",
          at: "2026-03-01T10:00:00.000Z",
          stage: "prod",
          fleet: "openclaw",
          areas: [{ area: "network", status: "fail", pass: 0, fail: 1, unknown: 0, attested: 0 }],
          checks: [
            {
              id: "network.no-inbound",
              area: "network",
              title: "No inbound access to the gateway",
              severity: "critical",
              status: "fail",
              explanation: "sg-0a allows 0.0.0.0/0 on 18789",
              details: [],
              remediation: "remove the rule",
            },
          ],
          passed: false,
        }),
      ) as never,
    });

  it("writes readiness --html into a directory it creates, after printing the report (exit 1 for the failing check)", async () => {
    aFailingReadinessRun();
    const file = join(await mkdtemp(join(tmpdir(), "clawops-html-")), "reports", "prod", "readiness.html");
    const io = captureStreams();
    const code = await run(argv("readiness", "--stage", "prod", "--region", "eu-west-1", "--html", file), {
      streams: io,
      stageLookup: deployed,
      env: {},
    });
    expect(code).toBe(1);
    expect(io.stdoutText()).toContain("No inbound access to the gateway");
    expect(io.stderrText()).toContain(`HTML report written to ${file}`);
    expect(await readFile(file, "utf8")).toContain("No inbound access to the gateway");
  });

  it("prints the readiness report and names the file when its --html page cannot be written (exit 2)", async () => {
    aFailingReadinessRun();
    const file = await mkdtemp(join(tmpdir(), "clawops-html-")); // a directory: no page can be written there
    const io = captureStreams();
    const code = await run(argv("readiness", "--stage", "prod", "--region", "eu-west-1", "--html", file), {
      streams: io,
      stageLookup: deployed,
      env: {},
    });
    expect(io.stdoutText()).toContain("No inbound access to the gateway");
    expect(io.stderrText()).toContain(`error: could not write the HTML report to ${file} (EISDIR)`);
    expect(io.stderrText()).not.toContain("a bug in clawops");
    expect(code).toBe(2);
  });

  it.each([
    ["--dry-run", ["--dry-run"]],
    ["--instance", ["--instance", "i-0123456789abcdef0"]],
  ])("refuses %s without --failure and starts no restore drill (exit 2)", async (_, extra) => {
    aDrillThatKeeps([]);
    const { code, io } = await runWithClock(["drill", "--stage", "prod", "--region", "eu-west-1", ...extra]);
    expect(code).toBe(2);
    expect(io.stderrText()).toContain("apply to the failure drill only: add --failure");
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it("marks a failure drill's dry run as one in --json, so its passed is not read as a drill that passed", async () => {
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
    });
    sfn.on(StartExecutionCommand).resolves({
      executionArn: "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-FailureDrill:dry",
    });
    sfn.on(DescribeExecutionCommand).resolves({
      status: "SUCCEEDED",
      output: JSON.stringify({ plan: ["stop the gateway on i-0b", "record the result"] }),
    });
    const { code, io } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--failure",
      "--dry-run",
      "--json",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toMatchObject({ passed: true, dryRun: true });
  });

  it("exits 2 (could not start) when the failure drill is refused, and 1 when it ran and failed", async () => {
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
    });
    sfn.on(StartExecutionCommand).resolves({
      executionArn: "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-FailureDrill:x",
    });
    const ended = (error: string, cause: string) =>
      sfn.on(DescribeExecutionCommand).resolves({ status: "FAILED", error, cause });
    ended("FailureDrillRefused", "only 1 healthy gateway; a drill needs at least 2 so one keeps serving");
    const refused = await runWithClock(["drill", "--stage", "prod", "--region", "eu-west-1", "--failure"]);
    expect(refused.code).toBe(2);
    expect(refused.io.stdoutText()).toContain("FailureDrillRefused: only 1 healthy gateway");
    ended("States.TaskFailed", "the stop command failed");
    const failed = await runWithClock(["drill", "--stage", "prod", "--region", "eu-west-1", "--failure"]);
    expect(failed.code).toBe(1);
  });

  const deniedDescribe = () =>
    Object.assign(
      new Error(
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: states:DescribeExecution",
      ),
      { name: "AccessDeniedException" },
    );

  it.each([
    ["the failure drill", ["--failure"], "failure drill", "clawops-prod-FailureDrill:fd"],
    ["a restore drill", ["--poll", "1"], "restore drill cli-", "clawops-prod-RestoreDrill:cli"],
  ])(
    "says %s was started and how to follow it when the credentials may start but not follow it (exit 1)",
    async (_, extra, drill, execution) => {
      ssm.on(GetParameterCommand).resolves({
        Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
      });
      const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:${execution}`;
      sfn.on(StartExecutionCommand).resolves({ executionArn });
      sfn.on(DescribeExecutionCommand).rejects(deniedDescribe());
      const { code, io } = await runWithClock([
        "drill",
        "--stage",
        "prod",
        "--region",
        "eu-west-1",
        ...extra,
      ]);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
      expect(code).toBe(1);
      const err = io.stderrText();
      expect(err).toContain(`${drill}`);
      expect(err).toContain(`was started and runs on: ${executionArn}`);
      expect(err).toContain("not authorized to perform: states:DescribeExecution");
      expect(err).toContain(
        `aws stepfunctions describe-execution --execution-arn ${executionArn} --region eu-west-1`,
      );
      expect(err).not.toContain("AWS denied a call the command needs");
      expect(err).not.toContain("error:");
    },
  );

  it("prints a started but unfollowed failure drill as data with --json (exit 1)", async () => {
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Value: "arn:aws:states:eu-west-1:123456789012:stateMachine:clawops-prod-FailureDrill" },
    });
    const executionArn = "arn:aws:states:eu-west-1:123456789012:execution:clawops-prod-FailureDrill:fd";
    sfn.on(StartExecutionCommand).resolves({ executionArn });
    sfn.on(DescribeExecutionCommand).rejects(deniedDescribe());
    const { code, io } = await runWithClock([
      "drill",
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--failure",
      "--json",
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(io.stdoutText())).toMatchObject({ started: true, followed: false, executionArn });
  });

  it("says AWS denied a call, naming it, instead of reporting a bug, when a permission is missing (exit 2)", async () => {
    const io = captureStreams();
    const denied = Object.assign(
      new Error(
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: states:StartExecution",
      ),
      { name: "AccessDeniedException" },
    );
    sfn.on(StartExecutionCommand).rejects(denied);
    const code = await run(argv("drill", "--stage", "prod", "--region", "eu-west-1"), {
      streams: io,
      stageLookup: deployed,
      env: {},
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain(
      "AWS denied a call the command needs (AccessDeniedException: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: states:StartExecution)",
    );
    expect(io.stderrText()).not.toContain("a bug in clawops");
  });
});
