import { describe, expect, it } from "vitest";
import { readEnvironment, withFunctionEnvironment } from "../../src/environment.js";

describe("Function: withFunctionEnvironment", () => {
  it("gives each function its own settings, even when their calls interleave", async () => {
    const read = async (settings: string) =>
      withFunctionEnvironment({ CLAWOPS_SETTINGS: settings }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return readEnvironment().settings;
      });

    const [alerts, lifecycle] = await Promise.all([read('{"flow":"alerts"}'), read('{"flow":"lifecycle"}')]);

    expect(alerts).toBe('{"flow":"alerts"}');
    expect(lifecycle).toBe('{"flow":"lifecycle"}');
  });

  it("falls back to the process environment outside a function", () => {
    expect(readEnvironment().region).toBe(process.env.AWS_REGION);
  });
});
