import type { ResolvedConfig } from "@clawops/core/config";
import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { type App, getStack } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { type SynthOptions, synthesizeApp } from "../build.js";

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
  /** cdk-nag errors and warnings left without a suppression. */
  nagFindings(fn: FunctionalStack<unknown>): NagFinding[];
}

/**
 * Builds the app for a test (stage "test" unless told) with cdk-nag applied. Reads nag findings from the
 * stack artifact's messages: `Annotations.fromStack()` would re-synthesize and SST's unique-id aspect throws.
 */
export async function buildApp(options: SynthOptions = {}): Promise<BuiltApp> {
  const { app, config, assembly } = await synthesizeApp({ stage: "test", ...options });
  const stackOf = (fn: FunctionalStack<unknown>): Stack => getStack(fn) as unknown as Stack;
  return {
    app,
    config,
    template: (fn) => Template.fromStack(stackOf(fn)),
    nagFindings: (fn) =>
      assembly
        .getStackArtifact(stackOf(fn).artifactId)
        .messages.filter((m) => String(m.entry.data).includes("AwsSolutions-"))
        .map((m) => ({ level: m.level, path: m.id, message: String(m.entry.data) })),
  };
}
