import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { BackupClient } from "@aws-sdk/client-backup";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EFSClient } from "@aws-sdk/client-efs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { client } from "@clawops/core/aws";
import type { Clock } from "../../src/clock.js";

/** The process-wide clients clawops' functions use (`client(Ctor)`), whose retries the fault tests move. */
const CLIENTS = [
  AutoScalingClient,
  BackupClient,
  CloudWatchClient,
  DynamoDBClient,
  EC2Client,
  EFSClient,
  EventBridgeClient,
  LambdaClient,
  SecretsManagerClient,
  SFNClient,
  SQSClient,
  SSMClient,
] as const;

/** The smithy retry middleware's view of a failed attempt. */
interface RetryErrorInfo {
  readonly errorType: "THROTTLING" | "TRANSIENT" | "SERVER_ERROR" | "CLIENT_ERROR";
}
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}
interface ResolvedRetryConfig {
  retryStrategy: () => Promise<unknown>;
}

const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 0 });

/**
 * The SDK's standard retry policy (the clients' `maxAttempts` of 5, throttling, transient and 5xx errors
 * retried, exponential backoff from 500 ms for throttling and 100 ms otherwise, capped at 20 s) with its
 * waits on the sandbox clock instead of real timers, and without jitter or the adaptive mode's client-side
 * rate limiter (which measures real time). Without it, a throttled call's retries take real seconds during
 * which a test's clock runs ahead by minutes: a launch gate would pass its deadline for the sandbox's sake.
 */
export function clockRetryStrategy(clock: Clock, maxAttempts = 5) {
  return {
    mode: "standard",
    acquireInitialRetryToken: async () => token(0),
    async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
      const count = previous.getRetryCount() + 1;
      if (info.errorType === "CLIENT_ERROR" || count >= maxAttempts) throw new Error("no retry left");
      const base = info.errorType === "THROTTLING" ? 500 : 100;
      await clock.sleep(Math.min(20_000, base * 2 ** (count - 1)));
      return token(count);
    },
    recordSuccess: () => undefined,
  };
}

/** Gives clawops' process-wide SDK clients `clockRetryStrategy` until the returned undo runs. */
export function sdkRetriesOnClock(clock: Clock): () => void {
  const strategy = clockRetryStrategy(clock);
  const restores = CLIENTS.map((Ctor) => {
    const config = (client(Ctor as never) as { config: ResolvedRetryConfig }).config;
    const original = config.retryStrategy;
    config.retryStrategy = async () => strategy;
    return () => {
      config.retryStrategy = original;
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
}
