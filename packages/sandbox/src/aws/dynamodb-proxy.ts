import type { ServiceModel } from "./simulator.js";

/**
 * DynamoDB is not modelled: every command of a factory-made DynamoDB client goes over HTTP to the real
 * DynamoDB-compatible server on loopback (dynalite), so conditions, indexes, errors and the SDK's own
 * (de)serialization, lib-dynamodb's marshalling included, are the real thing. The simulator still applies
 * injected faults and records each call.
 */
export function dynamoDbProxyModel(
  endpoint: string,
  _region = "us-east-1",
): ServiceModel & { close(): void } {
  return { service: "DynamoDB", endpoint, commands: {}, close: () => {} };
}
