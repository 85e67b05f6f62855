import type { ResolvedConfig } from "@clawops/core/config";
import { aws_logs as logs } from "aws-cdk-lib";
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

/** SST v2 takes log retention by name (`"one_year"`), CDK by days: the name for a number of days. */
export function sstLogRetention(days: number): Lowercase<keyof typeof logs.RetentionDays> {
  const key = (Object.keys(logs.RetentionDays) as (keyof typeof logs.RetentionDays)[]).find(
    (name) => logs.RetentionDays[name] === days,
  );
  if (!key) throw new RangeError(`${days} is not a CloudWatch Logs retention`);
  return key.toLowerCase() as Lowercase<keyof typeof logs.RetentionDays>;
}
