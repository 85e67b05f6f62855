import type { PolicyDocument, PolicyStatement } from "./evidence.js";

/** The statements of a policy document, whether `Statement` is one object or a list. */
export function statementsOf(policy: PolicyDocument | null): PolicyStatement[] {
  if (!policy?.Statement) return [];
  return Array.isArray(policy.Statement) ? [...policy.Statement] : [policy.Statement as PolicyStatement];
}

const asList = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive as IAM actions are. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

/** True when the statement applies to `action` (honouring `NotAction`). */
export function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined)
    return !asList(statement.NotAction).some((p) => wildcardMatch(p, action));
  return asList(statement.Action).some((p) => wildcardMatch(p, action));
}

/** The principals a `Principal` or `NotPrincipal` element lists: `*` for everyone, else ARNs / account ids / services. */
function listedPrincipals(element: unknown): string[] {
  if (element === "*") return ["*"];
  if (typeof element !== "object" || element === null) return [];
  return Object.values(element as Record<string, unknown>).flatMap(asList);
}

/** The principals a statement names: `*` for everyone, else the AWS ARNs / account ids / service names. */
export function principalsOf(statement: PolicyStatement): string[] {
  return listedPrincipals(statement.Principal);
}

/** True when the statement names `*` (anyone) as principal, directly or as `{"AWS": "*"}`. */
export function isPublicPrincipal(statement: PolicyStatement): boolean {
  return principalsOf(statement).includes("*");
}

/**
 * IAM's `Arn*` condition operators (`ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`: the first two behave
 * identically): each of the six colon-delimited components is compared on its own, and each may hold `*` and
 * `?` wildcards, which never match across a colon. A pattern without six components matches nothing.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  const split = (value: string) => {
    const parts = value.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const want = split(pattern);
  const have = split(arn);
  if (!want || !have) return false;
  return want.every((component, i) => wildcardMatch(component, have[i]!, false));
}

/** True when `principal` (as a policy names it) is the role's ARN or the account that holds the role. */
function principalIsRoleOrAccount(principal: string, roleArn: string): boolean {
  const [, partition, , , account] = roleArn.split(":");
  return (
    principal === roleArn || principal === account || principal === `arn:${partition}:iam::${account}:root`
  );
}

/** True when `principal` is the role's ARN or one of its sessions (`arn:…:sts::<account>:assumed-role/<name>/…`). */
export function principalNamesRole(principal: string, roleArn: string): boolean {
  const [, partition, , , account, resource = ""] = roleArn.split(":");
  const roleName = resource.split("/").pop() ?? "";
  return (
    principal === roleArn ||
    principal.startsWith(`arn:${partition}:sts::${account}:assumed-role/${roleName}/`)
  );
}

/**
 * True when `principal` (as a policy names it) designates the role: its ARN, one of its sessions, or its
 * account (an account principal stands for every principal of that account, the role included).
 */
export function principalDesignatesRole(principal: string, roleArn: string): boolean {
  return principalNamesRole(principal, roleArn) || principalIsRoleOrAccount(principal, roleArn);
}

/** The principals a `NotPrincipal` exempts (`*` for everyone). */
function exemptedBy(statement: PolicyStatement): string[] {
  return listedPrincipals(statement.NotPrincipal);
}

/**
 * True when the statement applies to every request of the role: its principal is everyone, the role or the
 * role's account (one session, `assumed-role/<name>/i-…`, covers that session only, not the role); with
 * `NotPrincipal` (everyone except those listed) when the list does not exempt the role, any of its sessions
 * or its account.
 */
export function statementCoversPrincipal(statement: PolicyStatement, roleArn: string): boolean {
  if (statement.NotPrincipal !== undefined)
    return !exemptedBy(statement).some((p) => p === "*" || principalDesignatesRole(p, roleArn));
  return principalsOf(statement).some((p) => p === "*" || principalIsRoleOrAccount(p, roleArn));
}

/**
 * True when the statement reaches an anonymous (unauthenticated) request: only `*` does, as `Principal` or as
 * a `NotPrincipal` that lists specific principals (anyone else is covered).
 */
export function statementCoversAnonymous(statement: PolicyStatement): boolean {
  if (statement.NotPrincipal !== undefined) return !exemptedBy(statement).includes("*");
  return isPublicPrincipal(statement);
}

/** True when the statement applies to the resource ARN (`Resource` patterns, or not excluded by `NotResource`). */
export function statementCoversResource(statement: PolicyStatement, resourceArn: string): boolean {
  if (statement.NotResource !== undefined)
    return !asList(statement.NotResource).some((p) => wildcardMatch(p, resourceArn, false));
  if (statement.Resource === undefined) return true;
  return asList(statement.Resource).some((p) => wildcardMatch(p, resourceArn, false));
}
