import { resolveConfig } from "@clawops/core/config";
import { Template } from "aws-cdk-lib/assertions";
import { App, Function as SstFunction, type StackContext } from "sst/constructs";
import { initProject } from "sst/project.js";
import { beforeAll, describe, expect, it } from "vitest";
import defaultConfig from "../../clawops.config.js";
import { Alerts } from "../Alerts.js";
import { Drills } from "../Drills.js";
import { FailureDrill } from "../FailureDrill.js";
import { Fleet } from "../Fleet.js";
import { applyFunctionDefaults } from "../index.js";
import { Lifecycle } from "../Lifecycle.js";
import { Readiness } from "../Readiness.js";
import { type BuiltApp, buildApp } from "./harness.js";

type FunctionProperties = { Handler?: string; Environment?: { Variables?: Record<string, unknown> } };

/** Every clawops function of a template (SST's own custom-resource functions have no `functions/` handler). */
function clawopsFunctions(template: Template): FunctionProperties[] {
  return Object.values(template.findResources("AWS::Lambda::Function"))
    .map((f) => (f as { Properties: FunctionProperties }).Properties)
    .filter((p) => String(p.Handler).startsWith("functions/"));
}

let built: BuiltApp;
beforeAll(async () => {
  built = await buildApp();
});

describe("Function defaults: handler tracing", () => {
  it("keeps the Powertools Tracer (and the X-Ray SDK it loads) off in every clawops function by default", () => {
    const functions = [Fleet, Drills, Lifecycle, Alerts, FailureDrill, Readiness].flatMap((stack) =>
      clawopsFunctions(built.template(stack)),
    );
    expect(functions.length).toBeGreaterThan(20);
    for (const fn of functions)
      expect(fn.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED, fn.Handler).toBe("false");
  });

  it("turns it on for every function when the stage sets handlerTracing", async () => {
    await initProject({ stage: "test" });
    const config = structuredClone(defaultConfig) as { defaults: Record<string, unknown> };
    config.defaults.handlerTracing = true;
    const app = new App({ mode: "deploy", stage: "test", name: "clawops", region: "us-east-1" });
    applyFunctionDefaults(app, resolveConfig(config, "test"));
    const Probe = ({ stack }: StackContext) => {
      new SstFunction(stack, "Writer", { handler: "functions/fleet/soul-writer.handler" });
    };
    app.stack(Probe);
    await app.finish();
    const [fn] = clawopsFunctions(
      Template.fromJSON(app.synth().getStackByName("test-clawops-Probe").template),
    );

    expect(fn?.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED).toBe("true");
  }, 120_000);
});
