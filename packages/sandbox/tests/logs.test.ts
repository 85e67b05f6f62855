import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { makeClient } from "@clawops/core/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logsModel } from "../src/aws/logs.js";
import { SimulatedAws } from "../src/aws/simulated-aws.js";
import { SandboxClock } from "../src/clock.js";

const clock = new SandboxClock();
const aws = new SimulatedAws({ clock });
aws.simulator.register(logsModel(aws.world));
const logs = makeClient(CloudWatchLogsClient);
let uninstall: () => void;
const GROUP = "/openclaw/test/openclaw/sessions";

beforeAll(async () => {
  uninstall = aws.install();
  await logs.send(
    new CreateLogGroupCommand({ logGroupName: GROUP, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/openclaw/test/openclaw/gateway" }));
});
afterAll(() => uninstall());

describe("Function: logsModel", () => {
  it("keeps retention and KMS per group; no retention means never expire", async () => {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 365 }));
    const { logGroups = [] } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/openclaw/test/" }),
    );
    expect(logGroups.map((g) => [g.logGroupName, g.retentionInDays, g.kmsKeyId !== undefined])).toEqual([
      ["/openclaw/test/openclaw/gateway", undefined, false],
      [GROUP, 365, true],
    ]);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: GROUP }));
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(after.logGroups?.[0]?.retentionInDays).toBeUndefined();
  });

  it("refuses a retention CloudWatch does not offer", async () => {
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 42 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("finds the first event since a time, one at a time", async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "i-01" }));
    const now = clock.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: "i-01",
        logEvents: [
          { timestamp: now - 7_200_000, message: "old session" },
          { timestamp: now - 60_000, message: "recent session" },
        ],
      }),
    );
    const out = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, startTime: now - 3_600_000, limit: 1 }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(["recent session"]);
  });

  it("answers ResourceNotFoundException for an unknown group", async () => {
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: "/nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
