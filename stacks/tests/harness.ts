import { type ResolvedConfig, resolveConfig } from "@clawops/core/config";
import { Aspects, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { App, getStack } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { initProject } from "sst/project.js";
import defaultConfig from "../../clawops.config.js";
import { addStacks } from "../index.js";

/** A cdk-nag finding as synthesis records it on the stack artifact. */
export interface NagFinding {
  readonly level: "error" | "warning" | "info";
  readonly path: string;
  readonly message: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly config: ResolvedConfig;
  /** The CloudFormation template of one stack, for `Template` assertions. */
  template(fn: FunctionalStack<unknown>): Template;
  /** cdk-nag errors and warnings left without a suppression, per stack. */
  nagFindings(fn: FunctionalStack<unknown>): NagFinding[];
}

export interface BuildOptions {
  /** @default "test" */
  readonly stage?: string;
  /** A whole clawops config (as in clawops.config.ts). @default the repository's clawops.config.ts */
  readonly config?: unknown;
}

let projectReady: Promise<unknown> | undefined;

/**
 * Builds the clawops SST v2 app offline, the way `sst deploy` would (initProject + App + app.finish()), with
 * cdk-nag's AwsSolutions pack applied. Needs SST_STAGE (vitest sets it) and NODE_ENV=test (no STS lookups).
 */
export async function buildApp(options: BuildOptions = {}): Promise<BuiltApp> {
  const stage = options.stage ?? "test";
  projectReady ??= initProject({ stage });
  await projectReady;
  const config = resolveConfig(options.config ?? defaultConfig, stage);
  const app = new App({ mode: "deploy", stage, name: config.app.name, region: config.app.region });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  addStacks(app, config);
  await app.finish();
  const assembly = app.synth();
  const stackOf = (fn: FunctionalStack<unknown>): Stack => getStack(fn) as unknown as Stack;
  return {
    app,
    config,
    template: (fn) => Template.fromStack(stackOf(fn)),
    nagFindings: (fn) => {
      const artifact = assembly.getStackArtifact(stackOf(fn).artifactId);
      return artifact.messages
        .filter((m) => String(m.entry.data).includes("AwsSolutions-"))
        .map((m) => ({ level: m.level, path: m.id, message: String(m.entry.data) }));
    },
  };
}
