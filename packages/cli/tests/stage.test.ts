import { describe, expect, it } from "vitest";
import { NoCredentialsError } from "../src/errors.js";
import { networkFailure, run } from "../src/program.js";
import type { StageLookup } from "../src/stage-target.js";
import { argv, captureStreams } from "./capture.js";

const noCredentials: StageLookup = {
  credentials: async () => {
    throw new NoCredentialsError();
  },
  parameters: async () => ({}),
};

const notDeployed: StageLookup = { ...noCredentials, credentials: async () => {} };

describe("Function: run (no AWS account)", () => {
  it.each([["status"], ["readiness"], ["drill"], ["alerts", "test"], ["alerts", "replay"]])(
    "tells the user how to log in when %s --stage finds no credentials (exit 2)",
    async (...command) => {
      const io = captureStreams();
      const code = await run(argv(...command, "--stage", "prod"), {
        streams: io,
        stageLookup: noCredentials,
      });
      expect(code).toBe(2);
      expect(io.stderrText()).toContain("no AWS credentials found: run aws sso login or set AWS_PROFILE");
      expect(io.stdoutText()).toBe("");
    },
  );

  it("tells the user to deploy when the stage's parameters are missing, naming the region (exit 2)", async () => {
    const io = captureStreams();
    const code = await run(argv("status", "--stage", "staging", "--region", "eu-west-1"), {
      streams: io,
      stageLookup: notDeployed,
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain(
      "stage staging is not deployed in eu-west-1: run npx sst deploy --stage staging",
    );
    expect(io.stderrText()).toContain("/clawops/staging/fleet");
  });

  it("takes the region from AWS_REGION when --region is not given", async () => {
    const io = captureStreams();
    await run(argv("status", "--stage", "prod"), {
      streams: io,
      stageLookup: notDeployed,
      env: { AWS_REGION: "ap-southeast-2" },
    });
    expect(io.stderrText()).toContain("not deployed in ap-southeast-2");
  });

  it("says how to deploy the alerts stack when the stage has no /clawops/<stage>/alert-router (exit 2)", async () => {
    const fleetOnly: StageLookup = {
      credentials: async () => {},
      parameters: async () => ({
        fleet: JSON.stringify({ instanceRoleArn: "arn:aws:iam::123456789012:role/openclaw" }),
        "state-table": "clawops-prod-state",
        "dead-letter-queue-url": "https://sqs.us-east-1.amazonaws.com/123456789012/clawops-prod-dlq",
      }),
    };
    const io = captureStreams();
    const code = await run(argv("alerts", "replay", "--stage", "prod"), {
      streams: io,
      stageLookup: fleetOnly,
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain(
      "stage prod has no alerts stack (/clawops/prod/alert-router): run npx sst deploy --stage prod",
    );
  });

  it("refuses a missing evals file before reaching AWS (exit 2)", async () => {
    const io = captureStreams();
    const code = await run(argv("evals", "report", "does-not-exist.json", "--stage", "prod"), {
      streams: io,
      stageLookup: noCredentials,
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(
      /cannot read .*does-not-exist\.json: ENOENT \(write it with promptfoo eval -o/,
    );
  });

  it("says how to deploy before a failure drill on a stage that is not deployed (exit 2)", async () => {
    const io = captureStreams();
    const code = await run(argv("drill", "--failure", "--dry-run", "--stage", "prod"), {
      streams: io,
      stageLookup: notDeployed,
    });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain("stage prod is not deployed");
  });

  it.each([
    [["status"], "say where to run"],
    [["status", "--stage", "prod", "--sandbox"], "cannot be used with"],
    [["drill", "--history", "zero", "--sandbox"], "expected a whole number"],
    [["drill", "--failure", "--instance", "web-1", "--sandbox"], "expected an EC2 instance id"],
    // 16 hex digits: a 17-digit id that lost its last digit (EC2 ids have 8 or 17; the state machine refuses it).
    [
      ["drill", "--failure", "--instance", "i-0123456789abcdef", "--stage", "prod"],
      "expected an EC2 instance id",
    ],
    [["nonsense"], "unknown command"],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const io = captureStreams();
    const code = await run(argv(...args), { streams: io, stageLookup: notDeployed });
    expect(code).toBe(2);
    expect(io.stderrText()).toContain(message);
  });

  it.each([
    [[], "clawops status --stage prod"],
    [["status"], "clawops status --sandbox"],
    [["drill"], "--history 5"],
    [["readiness"], "--html readiness.html"],
    [["alerts", "test"], "clawops alerts test --stage prod"],
    [["alerts", "replay"], "--limit 10"],
    [["evals", "report"], "promptfoo eval -o results.json"],
    [["sandbox"], "game day"],
  ])("prints help with examples for %j (exit 0)", async (args, example) => {
    const io = captureStreams();
    const code = await run(argv(...args, "--help"), { streams: io });
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain(example);
  });
});

describe("Function: networkFailure", () => {
  it.each([
    [
      "a DNS failure",
      Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND", hostname: "ssm.eu-west-1.amazonaws.com" }),
      "ENOTFOUND ssm.eu-west-1.amazonaws.com",
    ],
    [
      "a refused connection behind the SDK's error",
      new Error("socket", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }),
      "ECONNREFUSED",
    ],
    ["a timeout", Object.assign(new Error("t"), { name: "TimeoutError" }), "request timed out"],
    ["anything else", new Error("AccessDenied"), undefined],
  ])("recognises %s", (_, error, expected) => {
    expect(networkFailure(error)).toBe(expected);
  });
});
