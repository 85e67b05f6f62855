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

/** The principals a statement names: `*` for everyone, else the AWS ARNs / account ids / service names. */
export function principalsOf(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (principal === "*") return ["*"];
  if (typeof principal !== "object" || principal === null) return [];
  return Object.values(principal as Record<string, unknown>).flatMap(asList);
}

/** True when the statement names `*` (anyone) as principal, directly or as `{"AWS": "*"}`. */
export function isPublicPrincipal(statement: PolicyStatement): boolean {
  return principalsOf(statement).includes("*");
}

/** True when the statement's principal includes the role (by ARN, or everyone). */
export function statementCoversPrincipal(statement: PolicyStatement, roleArn: string): boolean {
  if (statement.NotPrincipal !== undefined) return true;
  return principalsOf(statement).some((p) => p === "*" || p === roleArn);
}
