import * as dynamodb from "@aws-sdk/client-dynamodb";
import type { ServiceModel } from "./simulator.js";

type CommandClass = new (input: Record<string, unknown>) => Parameters<dynamodb.DynamoDBClient["send"]>[0];

/**
 * DynamoDB is not modelled: every command of a factory-made DynamoDB client is forwarded to the real
 * DynamoDB-compatible server on loopback (dynalite), so conditions, indexes and errors are the real thing.
 * The input arrives already marshalled (lib-dynamodb marshals before the interceptor) and the raw output
 * goes back up the caller's stack, where lib-dynamodb unmarshals it.
 */
export function dynamoDbProxyModel(endpoint: string, region = "us-east-1"): ServiceModel & { close(): void } {
  const client = new dynamodb.DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    maxAttempts: 1,
  });
  const commands = new Proxy({} as Record<string, ServiceModel["commands"][string]>, {
    get(_target, name) {
      if (typeof name !== "string") return undefined;
      const Command = (dynamodb as unknown as Record<string, CommandClass | undefined>)[`${name}Command`];
      if (!Command) return undefined;
      return async (input: Record<string, unknown>) => {
        const { $metadata: _metadata, ...output } = (await client.send(
          new Command(input),
        )) as unknown as Record<string, unknown>;
        return output;
      };
    },
  });
  return { service: "DynamoDB", commands, close: () => client.destroy() };
}
