import type { ResolvedConfig } from "@clawops/core/config";
import { NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { App } from "sst/constructs";
import { Alerts } from "./Alerts.js";
import { FUNCTION_NODEJS } from "./bundling.js";
import { Core } from "./Core.js";
import { attachConfig, sstLogRetention } from "./config.js";
import { Drills } from "./Drills.js";
import { FailureDrill } from "./FailureDrill.js";
import { Fleet } from "./Fleet.js";
import { Lifecycle } from "./Lifecycle.js";
import { Readiness } from "./Readiness.js";

/** Defaults every clawops Lambda gets; stacks only add what is specific to a function. */
export function applyFunctionDefaults(app: App, config: ResolvedConfig): void {
  app.setDefaultFunctionProps({
    runtime: "nodejs24.x",
    architecture: "arm_64",
    memorySize: 256,
    timeout: 30,
    tracing: "active",
    logRetention: sstLogRetention(config.settings.logRetentionDays),
    nodejs: {
      ...FUNCTION_NODEJS,
      esbuild: {
        ...FUNCTION_NODEJS.esbuild,
        mainFields: [...FUNCTION_NODEJS.esbuild.mainFields],
        plugins: [...FUNCTION_NODEJS.esbuild.plugins],
      },
    },
    environment: {
      CLAWOPS_STAGE: app.stage,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_METRICS_NAMESPACE: "Clawops",
      // Off by default: the Tracer would load the X-Ray SDK at every cold start (settings.handlerTracing).
      POWERTOOLS_TRACE_ENABLED: String(config.settings.handlerTracing),
    },
  });
}

/** Adds every clawops stack to the app, in dependency order, for the given resolved configuration. */
export function addStacks(app: App, config: ResolvedConfig): void {
  attachConfig(app, config);
  applyFunctionDefaults(app, config);
  app.stack(Core);
  // Flow stacks: one line each, in dependency order (Fleet before the flows that use(Fleet)).
  app.stack(Fleet);
  app.stack(Drills);
  app.stack(Lifecycle);
  app.stack(Alerts);
  app.stack(FailureDrill);
  app.stack(Readiness);
  suppressSstInternals(app);
}

/**
 * SST v2 gives every stack a custom-resource Lambda of its own (it uploads function code and writes stack
 * metadata). We do not control its runtime or role; say so once, for every stack, instead of per test.
 */
function suppressSstInternals(app: App): void {
  for (const stack of app.node.children) {
    for (const child of (stack as IConstruct).node.children) {
      // CDK's singleton that sets log retention on functions' log groups (one per stack that has functions).
      if (!child.node.id.startsWith("LogRetention")) continue;
      NagSuppressions.addResourceSuppressions(
        child,
        [
          {
            id: "AwsSolutions-IAM4",
            reason: "CDK's log-retention singleton uses AWSLambdaBasicExecutionRole (logs only).",
            appliesTo: [
              "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            ],
          },
          {
            id: "AwsSolutions-IAM5",
            reason:
              "CDK's log-retention singleton must set retention on log groups whose names exist only at deploy time.",
            appliesTo: ["Resource::*"],
          },
        ],
        true,
      );
    }
    const handler = (stack as IConstruct).node.tryFindChild("CustomResourceHandler");
    if (!handler) continue;
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: "AwsSolutions-L1",
          reason: "SST v2's own custom-resource handler pins nodejs22.x; clawops functions run nodejs24.x.",
        },
        {
          id: "AwsSolutions-IAM4",
          reason: "SST v2's own custom-resource handler uses AWSLambdaBasicExecutionRole (logs only).",
          appliesTo: [
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
          ],
        },
      ],
      true,
    );
  }
}
