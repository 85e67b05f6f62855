import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type DynamoDBClientConfig,
} from "@aws-sdk/client-dynamodb";

/** dynalite ships no types: its factory returns a plain `http.Server` answering the DynamoDB JSON protocol. */
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)("dynalite") as Dynalite;

/** The local DynamoDB server misbehaved (a table never became ACTIVE). */
export class LocalDynamoError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LocalDynamoError";
  }
}

/** A running in-process DynamoDB-compatible server (dynalite, in memory). */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: pass it as the client's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server and drops its data. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on a free loopback port, with an in-memory store. Tables are ACTIVE at once
 * (`createTableMs: 0`). dynalite has no TTL sweeper (and no UpdateTimeToLive): an item past its `expiresAt`
 * stays readable, so readers must filter on `expiresAt` themselves, as they must on AWS, where deletion of
 * expired items can lag by days.
 */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Requests dynalite is still working on: closing its store under them throws "Database is closed" from a
  // callback (an uncaught exception), so close() lets them finish first.
  let inFlight = 0;
  server.on("request", (_request: unknown, response: NodeJS.EventEmitter) => {
    inFlight += 1;
    response.once("close", () => {
      inFlight -= 1;
    });
  });
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closed ??= (async () => {
        const deadline = Date.now() + 5_000;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise<void>((resolve, reject) => {
          // Keep-alive sockets of SDK clients would hold the server open until their idle timeout.
          server.closeAllConnections();
          server.close((error?: Error) => (error ? reject(error) : resolve()));
        });
      })();
      return closed;
    },
  };
}

/**
 * Client settings for the local server: its endpoint, a region and dummy credentials (dynalite checks no
 * signature). Use `new DynamoDBClient(dynamoClientConfig(endpoint))`; `makeClient` is for the AWS-simulated services.
 */
export function dynamoClientConfig(endpoint: string, region = "us-east-1"): DynamoDBClientConfig {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    maxAttempts: 2,
  };
}

/**
 * Creates the state table with the Core stack's schema: `pk` (S) hash key, `sk` (S) range key, on-demand billing.
 * The stack's TTL attribute `expiresAt` is not set here (dynalite cannot); see `startDynamo`.
 */
export async function createStateTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  // dynalite answers CREATING and flips to ACTIVE on its next tick (createTableMs: 0); wait for it, bounded.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new LocalDynamoError(`table ${name} did not become ACTIVE`);
}
