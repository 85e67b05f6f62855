import { getBooleanFromEnv, isRunningInLambda } from "@aws-lambda-powertools/commons/utils/env";
import type middy from "@middy/core";
import type { Context } from "aws-lambda";
import { tracer } from "../observability.js";

type Middleware = middy.MiddlewareObj<unknown, unknown, Error, Context>;
type Request = middy.Request<unknown, unknown, Error, Context>;

/**
 * True where the Powertools Tracer would record anything: inside a real Lambda execution environment and
 * `POWERTOOLS_TRACE_ENABLED` not `false` (the Tracer's own rule; read through Powertools' env helpers).
 */
export function tracingEnabled(): boolean {
  try {
    return isRunningInLambda() && getBooleanFromEnv({ key: "POWERTOOLS_TRACE_ENABLED", defaultValue: true });
  } catch {
    return false;
  }
}

/**
 * Powertools' `captureLambdaHandler` (a `## handler` subsegment, cold start and service annotations, the error
 * as metadata), loaded on the first invocation that traces. Where tracing is off (sandbox, tests, CLI,
 * `POWERTOOLS_TRACE_ENABLED=false`) the X-Ray SDK is never loaded.
 */
export function lazyCaptureLambdaHandler(options: { captureResponse: boolean }): Middleware {
  let enabled: boolean | undefined;
  let inner: Promise<Middleware> | undefined;
  const load = (): Promise<Middleware> | undefined => {
    enabled ??= tracingEnabled();
    if (!enabled) return undefined;
    inner ??= Promise.all([tracer.load(), import("@aws-lambda-powertools/tracer/middleware")]).then(
      ([loaded, { captureLambdaHandler }]) => captureLambdaHandler(loaded, options) as Middleware,
    );
    return inner;
  };
  return {
    before: async (request: Request) => {
      await (await load())?.before?.(request);
    },
    after: async (request: Request) => {
      await (await load())?.after?.(request);
    },
    onError: async (request: Request) => {
      await (await load())?.onError?.(request);
    },
  };
}
