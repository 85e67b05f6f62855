import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type ClawopsEnvironment, isRetryable, logger, PermanentError, RetryableError } from "@clawops/core";
import type { AlertRouterSettings } from "@clawops/core/alerts";
import { client } from "@clawops/core/aws";
import type { AlarmStateChangeEvent } from "@clawops/core/events";
import secretsManager from "@middy/secrets-manager";
import type { DeliveryClock } from "./slack.js";
import { AlertState } from "./state.js";

/** Everything the router uses besides the event; tests and the sandbox replace parts of it. */
export interface RouterDeps {
  readonly settings: AlertRouterSettings;
  readonly state: AlertState;
  readonly clock: DeliveryClock;
  readonly tags: (alarmArn: string | undefined) => Promise<Record<string, string>>;
  readonly graph?: (event: AlarmStateChangeEvent) => Promise<Uint8Array | undefined>;
  readonly warn: (message: string, extra: Record<string, unknown>) => void;
  /** Per-request Slack timeout. @default 5000 */
  readonly slackTimeoutMs?: number;
  /** @default a DocumentClient over the factory's DynamoDB client */
  readonly db?: DynamoDBDocumentClient;
}

/** Real time. */
export const systemClock: DeliveryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Fills in the production defaults. */
export function routerDeps(
  settings: AlertRouterSettings,
  env: ClawopsEnvironment,
  options: Partial<Omit<RouterDeps, "settings">> & Pick<RouterDeps, "tags">,
): RouterDeps {
  const clock = options.clock ?? systemClock;
  if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set for the alert router");
  const db =
    options.db ??
    DynamoDBDocumentClient.from(client(DynamoDBClient), { marshallOptions: { removeUndefinedValues: true } });
  return {
    settings,
    clock,
    tags: options.tags,
    state:
      options.state ?? new AlertState(db, env.stateTable, settings.alerts.stateTtlDays, () => clock.now()),
    ...(options.graph ? { graph: options.graph } : {}),
    ...(options.slackTimeoutMs ? { slackTimeoutMs: options.slackTimeoutMs } : {}),
    warn: options.warn ?? ((message, extra) => logger.warn(message, extra)),
  };
}

/** middy builds the Secrets Manager client itself: hand it the factory's (so the sandbox can answer it). */
function FactorySecretsManager(): SecretsManagerClient {
  return client(SecretsManagerClient);
}

/**
 * The Slack token from the router's own secret, fetched by `@middy/secrets-manager` on the first
 * invocation and cached for 15 minutes, set on the context as `slack` (JSON `{ "botToken": ... }`).
 * Prefetch is off: the handler is built on the first invocation, and a prefetch outside Lambda would need
 * a region at import and leave a timer running.
 */
export function slackSecretMiddleware(secretArn: string, cacheKey = "clawops-alerts-slack") {
  const fetch = secretsManager({
    AwsClient: FactorySecretsManager as unknown as typeof SecretsManagerClient,
    fetchData: { slack: secretArn },
    setToContext: true,
    cacheKey,
    cacheExpiry: 15 * 60 * 1000,
    disablePrefetch: true,
  });
  return {
    before: async (request: Parameters<NonNullable<typeof fetch.before>>[0]) => {
      try {
        await fetch.before?.(request);
      } catch (error) {
        throw secretFetchError(error);
      }
    },
  };
}

/**
 * middy reports a failed fetch as "Failed to resolve internal values" with the SDK errors in
 * `cause.data`: name them in the message (the DLQ reason) and keep AWS's retryable/permanent verdict.
 */
export function secretFetchError(error: unknown): Error {
  const causes = ((error as { cause?: { data?: unknown[] } }).cause?.data ?? [error]) as Error[];
  const reason = causes.map((cause) => `${cause.name}: ${cause.message}`).join("; ");
  const message = `the Slack secret could not be read: ${reason}`;
  return causes.some(isRetryable)
    ? new RetryableError(message, { cause: error })
    : new PermanentError(message, { cause: error });
}
