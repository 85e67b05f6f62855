import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { type ClawopsEnvironment, readEnvironment } from "../environment.js";
import { ClawopsError, isRetryable, PermanentError, RetryableError } from "../errors.js";
import { logger, metrics } from "../observability.js";
import { deadLetterRecordOf, sendToDeadLetterQueue } from "./dead-letter.js";
import { lazyCaptureLambdaHandler } from "./tracing.js";

/** What a clawops handler function receives besides its parsed input. */
export interface HandlerContext {
  readonly logger: typeof logger;
  readonly metrics: typeof metrics;
  readonly env: ClawopsEnvironment;
  readonly lambda: Context;
}

/**
 * How the function is invoked, which decides what a failure does:
 * - `event`: asynchronously (EventBridge, schedules). A permanent failure is sent to the dead-letter queue with
 *   its reason and the invocation succeeds (no retry loop); a retryable one is thrown, Lambda retries it and
 *   finally hands it to the same queue (the function's on-failure destination).
 * - `task`: synchronously by Step Functions. Every failure is thrown with its error name, so the state
 *   machine's Retry/Catch can match it.
 */
export type InvocationKind = "event" | "task";

export interface LambdaHandlerOptions<TInput, TResult> {
  /** Turns the raw event into the typed input; anything it throws is a permanent failure. */
  readonly parse: (event: unknown) => TInput;
  readonly handler: (input: TInput, context: HandlerContext) => Promise<TResult>;
  /** @default "event" */
  readonly kind?: InvocationKind;
  /** @default readEnvironment() at each invocation (cheap; in the sandbox each function's own, see withFunctionEnvironment) */
  readonly env?: ClawopsEnvironment;
}

/** Result of an `event` invocation whose input was dead-lettered instead of handled. */
export interface DeadLettered {
  readonly deadLettered: true;
  readonly reason: string;
}

/** The stage the Powertools singleton's `Stage` default dimension holds (one per process in Lambda). */
let metricsStage: string | undefined;

/**
 * Makes a Lambda handler from a function of (input, context): middy with Powertools Tracer (loaded on the first
 * traced invocation, see `lazyCaptureLambdaHandler`), Logger (with the Lambda context) and Metrics (EMF), input
 * parsing with a clear error, and clawops' one error convention.
 */
export function lambdaHandler<TInput, TResult>(options: LambdaHandlerOptions<TInput, TResult>) {
  const kind = options.kind ?? "event";
  const environment = () => options.env ?? readEnvironment();

  const run = async (event: unknown, lambda: Context): Promise<TResult | DeadLettered> => {
    const env = environment();
    // Every metric names its stage: two stages in one account share the namespace and the fleet's name, and
    // each stage's alarms must read only their own (stacks add the same `Stage` dimension to them). Default
    // dimensions outlive an invocation, and Powertools warns whenever one is set again: set it on a change only.
    if (metricsStage !== env.stage) {
      metrics.setDefaultDimensions({ Stage: env.stage });
      metricsStage = env.stage;
    }
    let input: TInput;
    try {
      input = options.parse(event);
    } catch (error) {
      throw new PermanentError(`invalid input: ${(error as Error).message}`, { cause: error });
    }
    try {
      return await options.handler(input, { logger, metrics, env, lambda });
    } catch (error) {
      throw kind === "task" ? asTaskError(error) : error;
    }
  };

  const onError = async (request: middy.Request<unknown, unknown, Error, Context>) => {
    const error = request.error;
    if (!error) return;
    logger.error("invocation failed", { error, retryable: isRetryable(error) });
    if (kind === "task" || isRetryable(error)) return;
    const env = environment();
    const record = deadLetterRecordOf(error, request.context.functionName, request.event);
    try {
      await sendToDeadLetterQueue(record, env);
    } catch (sendError) {
      // A throw here skips the metrics middleware's flush: publish what the invocation counted first.
      metrics.publishStoredMetrics();
      throw sendError;
    }
    request.response = { deadLettered: true, reason: record.reason } satisfies DeadLettered;
  };

  return (
    middy<unknown, TResult | DeadLettered, Error, Context>()
      .use(lazyCaptureLambdaHandler({ captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      // No ColdStart metric: one per function (a function_name dimension) is a custom metric billed for every
      // hour it is sent (bench/cost.ts); cold starts are in every log line (cold_start) and in Lambda's REPORT.
      .use(logMetrics(metrics, { captureColdStartMetric: false }))
      .use({ onError })
      .handler(run)
  );
}

/**
 * A Step Functions task fails under its error's name, and the workflows retry by name: `RetryableError` and
 * clawops' own classified errors. An AWS error the SDK gave up on (throttled past its retries, a 5xx) would
 * otherwise reach the state machine as `ThrottlingException` and fail the run at once, so it is renamed
 * `RetryableError` (its message names the original; the original is its cause). Anything else keeps its name.
 */
function asTaskError(error: unknown): unknown {
  if (error instanceof ClawopsError || !isRetryable(error)) return error;
  const original = error as Error;
  return new RetryableError(`${original.name}: ${original.message}`, { cause: error });
}

/** True for a result that says the input went to the dead-letter queue. */
export function isDeadLettered(result: unknown): result is DeadLettered {
  return typeof result === "object" && result !== null && (result as DeadLettered).deadLettered === true;
}
