import { readFileSync } from "node:fs";
import { type ResolvedConfig, resolveConfig } from "@clawops/core/config";
import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { getStack } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { inject } from "vitest";
import defaultConfig from "../../clawops.config.js";
import { type SynthOptions, synthesizeApp } from "../build.js";
import type { SynthesizedStacks } from "./global-setup.js";

/** A cdk-nag finding as synthesis records it on the stack artifact. */
export interface NagFinding {
  readonly level: string;
  readonly path: string;
  readonly message: string;
}

export interface BuiltApp {
  readonly config: ResolvedConfig;
  /** The CloudFormation template of one stack, for `Template` assertions. */
  template(fn: FunctionalStack<unknown>): Template;
  /** cdk-nag errors and warnings left without a suppression. */
  nagFindings(fn: FunctionalStack<unknown>): NagFinding[];
}

export interface BuildAppOptions extends SynthOptions {
  /** Synthesize in this process even for the default config (needed to `use()` a stack's resources). @default false */
  readonly live?: boolean;
}

/**
 * The app for a test at stage "test" with cdk-nag applied. With the default config it reads the synthesis
 * the global setup made once for the whole run; with another config (or `live`) it synthesizes here.
 * Nag findings come from the stack artifacts' messages: `Annotations.fromStack()` would re-synthesize and
 * SST's unique-id aspect throws.
 */
export async function buildApp(options: BuildAppOptions = {}): Promise<BuiltApp> {
  const stage = options.stage ?? "test";
  const file = inject("synthesizedStacksFile");
  if (!options.config && !options.live && stage === "test" && file) {
    const stacks = JSON.parse(readFileSync(file, "utf8")) as SynthesizedStacks;
    const config = resolveConfig(defaultConfig, stage);
    const entry = (fn: FunctionalStack<unknown>) => {
      const found = stacks[`${stage}-${config.app.name}-${fn.name}`];
      if (!found) throw new Error(`stack ${fn.name} was not synthesized (is it added in stacks/index.ts?)`);
      return found;
    };
    return {
      config,
      template: (fn) => Template.fromJSON(entry(fn).template as Record<string, unknown>),
      nagFindings: (fn) => entry(fn).nag,
    };
  }
  const { config, assembly } = await synthesizeApp({ ...options, stage });
  const stackOf = (fn: FunctionalStack<unknown>): Stack => getStack(fn) as unknown as Stack;
  return {
    config,
    template: (fn) => Template.fromStack(stackOf(fn)),
    nagFindings: (fn) =>
      assembly
        .getStackArtifact(stackOf(fn).artifactId)
        .messages.filter((m) => String(m.entry.data).includes("AwsSolutions-"))
        .map((m) => ({ level: m.level, path: m.id, message: String(m.entry.data) })),
  };
}

/** What the pseudo-parameters read as in the test app (us-east-1, the CDK's dummy account). */
const PSEUDO: Record<string, string> = {
  "AWS::Partition": "aws",
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "123456789012",
};

/**
 * A CloudFormation string as text: a literal, a pseudo-parameter `Ref`, or an `Fn::Join` of those. Any other
 * `Ref` reads `<LogicalId>`, any other intrinsic (another stack's export, an attribute) `<unresolved>`: text that
 * matches no ARN pattern.
 */
export function cfnText(value: unknown): string {
  if (typeof value === "string") return value;
  const { Ref, "Fn::Join": join } = value as { Ref?: string; "Fn::Join"?: [string, unknown[]] };
  if (Ref) return PSEUDO[Ref] ?? `<${Ref}>`;
  if (join) return join[1].map(cfnText).join(join[0]);
  return "<unresolved>";
}
