import type { PolicyStatement } from "../evidence.js";
import {
  arnMatches,
  statementCoversAction,
  statementCoversAnonymous,
  statementCoversResource,
  wildcardMatch,
} from "../policy.js";

/** An EFS access point as a policy condition names it. */
export interface AccessPointRef {
  readonly id: string;
  readonly arn: string;
}

const ACCESS_POINT_KEY = "elasticfilesystem:accesspointarn";
const PRINCIPAL_ARN_KEY = "aws:principalarn";
/** Operators under which a Deny applies to requests whose value is one of the listed ones. */
const NAMING = new Set(["stringequals", "stringlike", "arnequals", "arnlike"]);
/** Operators under which a Deny applies to every request except those whose value is listed. */
const EXEMPTING = new Set(["stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike"]);

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * One kind of ClientWrite request: through an access point, or (`accessPoint` undefined) on a mount of the file
 * system without one, whose request context has no `elasticfilesystem:AccessPointArn` at all (root can always
 * `mount -t efs -o iam fs-…:/ /mnt`). `principalArn` is the instance role's, or undefined for an anonymous
 * client (a mount without the `iam` option), whose request has no `aws:PrincipalArn`.
 */
interface WriteRequest {
  readonly principalArn?: string;
  readonly accessPoint?: AccessPointRef;
}

/**
 * True when a condition value designates the request's actual value, as the operator (`base`, lower case, without
 * `IfExists`) compares: `Arn*` component by component with wildcards (ArnEquals and ArnLike behave alike),
 * `StringLike` with wildcards over the whole value, `StringEquals` exactly; all case-sensitive.
 */
function designates(value: string, key: string, request: WriteRequest, base: string): boolean {
  const actual = key === PRINCIPAL_ARN_KEY ? request.principalArn : request.accessPoint?.arn;
  if (actual === undefined) return false;
  if (base.startsWith("arn")) return arnMatches(value, actual);
  if (base.endsWith("like")) return wildcardMatch(value, actual, false);
  return value === actual;
}

/**
 * Whether one condition holds for the request, as IAM evaluates it: a key missing from the request makes a
 * positive operator false and a negated one true, `...IfExists` true, `ForAnyValue:` false, and `Null` tests
 * the absence itself. `why` says why it does not hold (or why the check does not rely on it).
 */
function conditionHolds(
  operator: string,
  key: string,
  value: unknown,
  request: WriteRequest,
): { readonly holds: boolean; readonly why?: string } {
  const lowerKey = key.toLowerCase();
  if (lowerKey !== ACCESS_POINT_KEY && lowerKey !== PRINCIPAL_ARN_KEY)
    return { holds: false, why: `its ${operator} condition on ${key} limits the deny to some requests` };
  const present =
    lowerKey === PRINCIPAL_ARN_KEY ? request.principalArn !== undefined : request.accessPoint !== undefined;
  const lower = operator.toLowerCase();
  const absentWhy = `${key} is then absent and its ${operator} condition is false`;
  if (lower === "null") {
    const holds = asList(value).some((v) => (v.toLowerCase() === "true") === !present);
    return holds ? { holds } : { holds, why: present ? `its ${operator} condition is false` : absentWhy };
  }
  const anyValue = lower.startsWith("foranyvalue:");
  const ifExists = lower.endsWith("ifexists");
  const base = lower.replace(/^foranyvalue:/, "").replace(/ifexists$/, "");
  if (!NAMING.has(base) && !EXEMPTING.has(base))
    return { holds: false, why: `the ${operator} operator on ${key} is not one this check can rely on` };
  if (!present) {
    const holds = !anyValue && (ifExists || EXEMPTING.has(base));
    return holds ? { holds } : { holds, why: absentWhy };
  }
  const listed = asList(value).some((v) => designates(v, lowerKey, request, base));
  const byPrincipal = lowerKey === PRINCIPAL_ARN_KEY;
  const id = request.accessPoint?.id;
  if (NAMING.has(base) && !listed)
    return {
      holds: false,
      why: byPrincipal
        ? `${operator} on aws:PrincipalArn does not name the instance role, so its writes are not denied`
        : `${operator} on the access point does not name the workspace's (${id}), so writes through it are not denied`,
    };
  if (EXEMPTING.has(base) && listed)
    return {
      holds: false,
      why: byPrincipal
        ? `${operator} on aws:PrincipalArn exempts the instance role: its writes are allowed`
        : `${operator} exempts the workspace access point (${id}): writes through it are allowed`,
    };
  return { holds: true };
}

/** What one `Deny elasticfilesystem:ClientWrite` statement for the instance role stops, and why not more. */
export interface DenyCoverage {
  /** It denies writes through the workspace access point. */
  readonly throughWorkspace: boolean;
  /** It denies writes on a mount without any access point (the file system's root). */
  readonly withoutAccessPoint: boolean;
  /** Why it falls short, one sentence each. */
  readonly why: readonly string[];
}

/**
 * Which write requests of the instance role (or, `principalArn` undefined, of an anonymous client) a
 * `Deny elasticfilesystem:ClientWrite` statement stops. Both
 * must be stopped, by this statement or another: writes through the workspace access point, and writes on a
 * mount made without any access point (the key is then absent, so `StringEquals` on the workspace's ARN does
 * not apply and root could mount the file system's root read-write). Unconditional, it stops both on its own
 * file system (on a shared one it would stop the runtime too). Conditions may be on the access point ARN and
 * on `aws:PrincipalArn`; anything else (another key, `ForAllValues:`) is not relied on.
 */
export function denyCoverage(
  statement: PolicyStatement,
  workspace: AccessPointRef,
  principalArn: string | undefined,
  shared: boolean,
): DenyCoverage {
  const name = statement.Sid ?? "statement";
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, byKey]) =>
    Object.entries(byKey ?? {}).map(([key, value]) => ({ operator, key, value })),
  );
  if (conditions.length === 0)
    return shared
      ? {
          throughWorkspace: false,
          withoutAccessPoint: false,
          why: [
            `${name}: denies every write, the runtime's too (workspace and runtime share the file system); condition it on the access point`,
          ],
        }
      : { throughWorkspace: true, withoutAccessPoint: true, why: [] };
  const holdsFor = (request: WriteRequest) =>
    conditions
      .map(({ operator, key, value }) => conditionHolds(operator, key, value, request))
      .find((c) => !c.holds) ?? { holds: true };
  const workspaceWrite = holdsFor({ principalArn, accessPoint: workspace });
  const directWrite = holdsFor({ principalArn });
  const why: string[] = [];
  if (!workspaceWrite.holds) why.push(`${name}: ${workspaceWrite.why}`);
  else if (!directWrite.holds)
    why.push(
      `${name}: does not apply to a mount without an access point (${directWrite.why}): root can mount the file system's root and write`,
    );
  return { throughWorkspace: workspaceWrite.holds, withoutAccessPoint: directWrite.holds, why };
}

/**
 * Why an anonymous client can write to the file system, or `undefined` when it cannot. EFS authorizes a
 * client by IAM only when it mounts with the mount helper's `iam` option ("Mounting with IAM authorization");
 * without it the client is anonymous. The EFS guide ("Using IAM to control file system data access") says the
 * default policy "does not use IAM to authenticate, and grants full access to any anonymous client that can
 * connect to the file system using a mount target", and the console's "Prevent anonymous access" preset
 * "removes ClientMount from the set of allowed EFS actions": a policy reaches anonymous clients only through
 * statements for `*`, and they need ClientMount to mount at all. So root can remount read-write without IAM when
 * `*` is allowed both ClientMount and ClientWrite, unless a Deny for `*` stops ClientWrite on both kinds of mount.
 * An Allow's conditions are assumed to hold (`*`'s usual `AccessedViaMountTarget` does for them), except one that
 * needs a key only a signed-in caller has (`requiresSignedInCaller`): such an Allow never reaches them.
 */
export function anonymousWriteAllowed(
  statements: readonly PolicyStatement[],
  workspace: AccessPointRef,
  fileSystemArn: string,
): readonly string[] | undefined {
  const reaching = (effect: string, action: string) =>
    statements.filter(
      (s) =>
        s.Effect === effect &&
        statementCoversAnonymous(s) &&
        !(effect === "Allow" && requiresSignedInCaller(s)) &&
        statementCoversAction(s, action) &&
        statementCoversResource(s, fileSystemArn),
    );
  const writes = reaching("Allow", "elasticfilesystem:ClientWrite");
  if (reaching("Allow", "elasticfilesystem:ClientMount").length === 0 || writes.length === 0)
    return undefined;
  const denies = reaching("Deny", "elasticfilesystem:ClientWrite").map((s) =>
    denyCoverage(s, workspace, undefined, false),
  );
  if (denies.some((d) => d.throughWorkspace) && denies.some((d) => d.withoutAccessPoint)) return undefined;
  return [
    `${writes.map((s) => s.Sid ?? "statement").join(", ")}: allows "*" ClientWrite, and "*" may mount, so an anonymous client (a mount without the iam option) can write, and no Deny for "*" stops it`,
    ...denies.flatMap((d) => d.why.map((why) => `for anonymous clients, ${why}`)),
  ];
}

/**
 * Keys IAM sets only for a signed-in caller: an anonymous request has none of them (it does have
 * `aws:PrincipalType`, `Anonymous`, so that key is not one).
 */
const SIGNED_IN_KEYS =
  /^aws:(principalarn|principalaccount|principalorgid|principalorgpaths|principaltag\/.+|userid|username)$/;

/**
 * True when a statement has a condition no anonymous request can meet: a positive operator (StringEquals/Like,
 * ArnEquals/Like, also under `ForAnyValue:`, not `...IfExists`) on a key only a signed-in caller has, which IAM
 * evaluates as false when the key is absent; or `Null` `false` on such a key (the key must be present).
 */
function requiresSignedInCaller(statement: PolicyStatement): boolean {
  return Object.entries(statement.Condition ?? {}).some(([operator, byKey]) =>
    Object.entries(byKey ?? {}).some(([key, value]) => {
      if (!SIGNED_IN_KEYS.test(key.toLowerCase())) return false;
      const lower = operator.toLowerCase();
      if (lower === "null") return asList(value).every((v) => v.toLowerCase() === "false");
      const base = lower.replace(/^foranyvalue:/, "");
      return NAMING.has(base);
    }),
  );
}
