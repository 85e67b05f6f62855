import type { ResolvedConfig } from "@clawops/core/config";
import type { IConstruct } from "constructs";

const configs = new WeakMap<IConstruct, ResolvedConfig>();

/** Attaches the resolved clawops configuration to an app; every stack reads it back with `configOf`. */
export function attachConfig(app: IConstruct, config: ResolvedConfig): void {
  configs.set(app.node.root, config);
}

/** The resolved configuration of the app a construct belongs to. */
export function configOf(scope: IConstruct): ResolvedConfig {
  const config = configs.get(scope.node.root);
  if (!config) throw new Error("clawops config not attached: build the app with addStacks(app, config)");
  return config;
}
