import { type ResolvedConfig, resolveConfig } from "@clawops/core/config";
import { Aspects } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks } from "cdk-nag";
import { App } from "sst/constructs";
import { initProject } from "sst/project.js";
import defaultConfig from "../clawops.config.js";
import { addStacks } from "./index.js";

export interface SynthOptions {
  /** @default "dev" */
  readonly stage?: string;
  /** A whole clawops config (as in clawops.config.ts). @default the repository's clawops.config.ts */
  readonly config?: unknown;
  /** Apply cdk-nag's AwsSolutions pack. @default true */
  readonly nag?: boolean;
}

export interface SynthesizedApp {
  readonly app: App;
  readonly config: ResolvedConfig;
  readonly assembly: CloudAssembly;
}

/**
 * In "deploy" mode SST v2 runs `npm install --omit=dev` in each function's artifact folder, always (its check
 * is on an array, so even with nothing to install). Under `npm test`/`npx`, npm exports
 * `npm_config_local_prefix=<repo>`, and that child install then prunes the repository's own devDependencies
 * (vitest, tsx, ...) mid-run. Offline synthesis needs no install: make it a dry run, scoped to the artifact.
 */
export function isolateSstPackageInstall(): () => void {
  const { npm_config_local_prefix: prefix, npm_config_dry_run: dryRun } = process.env;
  delete process.env.npm_config_local_prefix;
  process.env.npm_config_dry_run = "true";
  // Put both back once synthesized: a later npm (a test's `npm pack`) must not inherit a dry run.
  return () => {
    if (prefix === undefined) delete process.env.npm_config_local_prefix;
    else process.env.npm_config_local_prefix = prefix;
    if (dryRun === undefined) delete process.env.npm_config_dry_run;
    else process.env.npm_config_dry_run = dryRun;
  };
}

let project: { stage: string; ready: Promise<unknown> } | undefined;

/**
 * Builds the clawops SST v2 app offline, as `sst deploy` would (initProject, App, `app.finish()` so functions
 * are bundled, synth), without any AWS call. SST skips STS and bootstrap lookups when NODE_ENV is "test".
 */
export async function synthesizeApp(options: SynthOptions = {}): Promise<SynthesizedApp> {
  const stage = options.stage ?? "dev";
  const restoreNpm = isolateSstPackageInstall();
  try {
    if (!project || project.stage !== stage) project = { stage, ready: initProject({ stage }) };
    await project.ready;
    const config = resolveConfig(options.config ?? defaultConfig, stage);
    const app = new App({ mode: "deploy", stage, name: config.app.name, region: config.app.region });
    if (options.nag ?? true) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    addStacks(app, config);
    await app.finish();
    return { app, config, assembly: app.synth() };
  } finally {
    restoreNpm();
  }
}
