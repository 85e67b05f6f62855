import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CLAWOPS_VERSION, readEnvironment } from "../environment.js";
import { ConfigError } from "../errors.js";

/** One AWS API call as the sandbox (or a recorder) sees it. */
export interface AwsCall {
  /** Service name without the `Client` suffix: `AutoScaling`, `SSM`, `CloudWatch`, ... */
  readonly service: string;
  /** Command name without the `Command` suffix: `SendCommand`, `CompleteLifecycleAction`, ... */
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * The factory's one extension point. While an interceptor is installed, every command of every client the
 * factory made (before or after installation) is answered by `handle` instead of the network. It runs after
 * the SDK's retry middleware, so a `ThrottlingException` it throws is retried exactly as AWS's would be.
 */
export interface ClientInterceptor {
  /** Region reported to the SDK while installed. */
  readonly region: string;
  handle(call: AwsCall): Promise<Record<string, unknown>>;
  /**
   * A real server that answers this call over HTTP instead of `handle` (the sandbox's DynamoDB-compatible
   * server): the request goes there, signed with the sandbox's credentials, and the SDK deserializes the
   * answer itself, so every middleware (lib-dynamodb's unmarshalling among them) runs as it does against AWS.
   */
  endpointFor?(call: AwsCall): string | undefined;
  /** Wraps a call sent to `endpointFor`'s server (faults before it, a record of its outcome after). */
  forwarded?<T>(call: AwsCall, send: () => Promise<T>): Promise<T>;
}

let interceptor: ClientInterceptor | undefined;

/** Installs (or with `undefined` removes) the interceptor; returns a function that restores the previous one. */
export function setClientInterceptor(next: ClientInterceptor | undefined): () => void {
  const previous = interceptor;
  interceptor = next;
  return () => {
    interceptor = previous;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK's client config type differs per service.
type AnyClientConfig = any;
interface MiddlewareClient {
  middlewareStack: {
    addRelativeTo(middleware: unknown, options: Record<string, unknown>): void;
  };
  config: { credentials?: AwsCredentialIdentityProvider };
}

/** Options every client gets, on top of the caller's. */
export interface ClientOptions {
  /** @default the environment's region (AWS_REGION), or the interceptor's */
  readonly region?: string;
  /** @default 5 */
  readonly maxAttempts?: number;
}

const SANDBOX_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: "SANDBOX", secretAccessKey: "SANDBOX" };

/**
 * Wraps the client's own resolved credential provider (the SDK's default chain, already inside every client):
 * while an interceptor is installed the sandbox's fixed credentials are used and the chain is never asked.
 * The SDK reads `config.credentials` on every request, so this also covers clients made before installation.
 * (Importing `@aws-sdk/credential-provider-node` here instead would put the chain and its STS/SSO clients into
 * every bundle's import path, even one whose only client is loaded lazily.)
 */
function interceptableCredentials(client: MiddlewareClient): void {
  const chain = client.config.credentials;
  client.config.credentials = async (props) => {
    if (interceptor) return SANDBOX_CREDENTIALS;
    if (!chain) throw new ConfigError("the AWS SDK client has no credential provider");
    return chain(props);
  };
}

/**
 * Makes an AWS SDK v3 client the clawops way: adaptive retries, a `clawops/<version>` user agent, the region
 * from the environment, and the interceptor hook. Every client in clawops comes from here.
 */
export function makeClient<C>(Ctor: new (config: AnyClientConfig) => C, options: ClientOptions = {}): C {
  const region = options.region;
  const client = new Ctor({
    region: async () => {
      const resolved = interceptor?.region ?? region ?? readEnvironment().region;
      if (!resolved)
        throw new ConfigError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass --region");
      return resolved;
    },
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 5,
    customUserAgent: [["clawops", CLAWOPS_VERSION]],
  });
  interceptableCredentials(client as unknown as MiddlewareClient);
  (client as unknown as MiddlewareClient).middlewareStack.addRelativeTo(interceptMiddleware, {
    name: "clawopsInterceptor",
    relation: "before",
    toMiddleware: "httpSigningMiddleware",
    override: true,
  });
  return client;
}

interface RequestLike {
  protocol?: string;
  hostname?: string;
  port?: number;
  headers?: Record<string, string>;
}
type Next = (args: { input: Record<string, unknown>; request?: RequestLike }) => Promise<unknown>;
interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
}

function interceptMiddleware(next: Next, context: MiddlewareContext) {
  return async (args: { input: Record<string, unknown>; request?: RequestLike }) => {
    if (!interceptor) return next(args);
    const call: AwsCall = {
      service: (context.clientName ?? "").replace(/Client$/, ""),
      command: (context.commandName ?? "").replace(/Command$/, ""),
      input: args.input,
    };
    const endpoint = interceptor.endpointFor?.(call);
    if (endpoint && args.request) {
      const url = new URL(endpoint);
      args.request.protocol = url.protocol;
      args.request.hostname = url.hostname;
      args.request.port = url.port ? Number(url.port) : undefined;
      if (args.request.headers) args.request.headers.host = url.host;
      const send = () => next(args);
      return interceptor.forwarded ? interceptor.forwarded(call, send) : send();
    }
    const output = await interceptor.handle(call);
    return {
      response: { statusCode: 200, headers: {} },
      output: { ...output, $metadata: { httpStatusCode: 200, requestId: "sandbox", attempts: 1 } },
    };
  };
}

const cache = new Map<unknown, unknown>();

/** The process-wide client of a kind, made on first use (so importing a handler makes no client at all). */
export function client<C>(Ctor: new (config: AnyClientConfig) => C): C {
  let made = cache.get(Ctor) as C | undefined;
  if (!made) {
    made = makeClient(Ctor);
    cache.set(Ctor, made);
  }
  return made;
}
