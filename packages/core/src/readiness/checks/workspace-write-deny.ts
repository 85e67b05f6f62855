import type { PolicyStatement } from "../evidence.js";
import { wildcardMatch } from "../policy.js";

/** An EFS access point as a policy condition names it. */
export interface AccessPointRef {
  readonly id: string;
  readonly arn: string;
}

const ACCESS_POINT_KEY = "elasticfilesystem:accesspointarn";
/** Operators under which a Deny applies to requests made through one of the listed access points. */
const NAMING = new Set(["stringequals", "stringlike", "arnequals", "arnlike"]);
/** Operators under which a Deny applies to every request except those made through a listed access point. */
const EXEMPTING = new Set(["stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike"]);

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/** True when a condition value (an ARN, or a pattern for the *Like operators) designates the access point. */
function designates(value: string, accessPoint: AccessPointRef, like: boolean): boolean {
  if (value === accessPoint.arn || value.endsWith(`:access-point/${accessPoint.id}`)) return true;
  return like && wildcardMatch(value, accessPoint.arn, false);
}

/**
 * Why a `Deny elasticfilesystem:ClientWrite` statement for the instance role does NOT stop writes through the
 * workspace access point; `undefined` when it does. Unconditional, it does on its own file system (on a shared
 * one it would stop the runtime too). Conditioned, every condition must be on the access point ARN and hold for
 * the workspace's: a naming operator (StringEquals/Like, ArnEquals/Like) listing it, or an exempting one
 * (StringNotEquals/NotLike, ArnNotEquals/NotLike: "deny unless through the runtime access point") not listing
 * it. `ForAnyValue:` and `IfExists` forms judge the same for the single-valued key; anything else (another key,
 * `ForAllValues:`, `Null`) is not relied on.
 */
export function whyWorkspaceWritesAllowed(
  statement: PolicyStatement,
  workspace: AccessPointRef,
  shared: boolean,
): string | undefined {
  const name = statement.Sid ?? "statement";
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, byKey]) =>
    Object.entries(byKey ?? {}).map(([key, value]) => ({ operator, key, value })),
  );
  if (conditions.length === 0)
    return shared
      ? `${name}: denies every write, the runtime's too (workspace and runtime share the file system); condition it on the access point`
      : undefined;
  for (const { operator, key, value } of conditions) {
    if (key.toLowerCase() !== ACCESS_POINT_KEY)
      return `${name}: its ${operator} condition on ${key} limits the deny to some requests`;
    const base = operator
      .toLowerCase()
      .replace(/^foranyvalue:/, "")
      .replace(/ifexists$/, "");
    const like = base.endsWith("like");
    const listed = asList(value).some((v) => designates(v, workspace, like));
    if (NAMING.has(base)) {
      if (!listed)
        return `${name}: ${operator} on the access point does not name the workspace's (${workspace.id}), so writes through it are not denied`;
    } else if (EXEMPTING.has(base)) {
      if (listed)
        return `${name}: ${operator} exempts the workspace access point (${workspace.id}): writes through it are allowed`;
    } else return `${name}: the ${operator} operator on the access point is not one this check can rely on`;
  }
  return undefined;
}
