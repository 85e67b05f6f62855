import type middy from "@middy/core";
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lazyCaptureLambdaHandler, tracingEnabled } from "../../src/handler/tracing.js";
import { tracer } from "../../src/observability.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const request = (): middy.Request<unknown, unknown, Error, Context> => ({
  event: {},
  context: { functionName: "clawops-test-fn" } as Context,
  response: undefined,
  error: null,
  internal: {},
});

describe("Function: tracingEnabled", () => {
  it.each([
    { initType: "", traceEnabled: "", dev: "", expected: false, why: "outside Lambda" },
    { initType: "on-demand", traceEnabled: "", dev: "", expected: true, why: "in Lambda by default" },
    { initType: "on-demand", traceEnabled: "false", dev: "", expected: false, why: "turned off" },
    {
      initType: "provisioned-concurrency",
      traceEnabled: "true",
      dev: "",
      expected: true,
      why: "provisioned",
    },
    { initType: "on-demand", traceEnabled: "", dev: "true", expected: false, why: "Powertools dev mode" },
  ])("is $expected $why", ({ initType, traceEnabled, dev, expected }) => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", initType || undefined);
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", traceEnabled || undefined);
    vi.stubEnv("POWERTOOLS_DEV", dev || undefined);

    expect(tracingEnabled()).toBe(expected);
  });
});

describe("Function: lazyCaptureLambdaHandler", () => {
  it("never loads the tracer where tracing is off", async () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", undefined);
    const load = vi.spyOn(tracer, "load");
    const middleware = lazyCaptureLambdaHandler({ captureResponse: false });

    await middleware.before?.(request());
    await middleware.after?.(request());
    await middleware.onError?.(request());

    expect(load).not.toHaveBeenCalled();
  });

  it("loads the tracer once, on the first traced invocation", async () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "true");
    const load = vi.spyOn(tracer, "load");
    const middleware = lazyCaptureLambdaHandler({ captureResponse: false });
    expect(load).not.toHaveBeenCalled();

    for (let i = 0; i < 2; i++) {
      const r = request();
      await middleware.before?.(r);
      await middleware.after?.(r);
    }

    expect(load).toHaveBeenCalledTimes(1);
    expect((await tracer.load()).constructor.name).toBe("Tracer");
  });
});
