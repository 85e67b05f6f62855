import type { SecretEvidence, SimulationEvidence } from "../evidence.js";
import {
  isPublicPrincipal,
  principalNamesRole,
  principalsOf,
  statementCoversAction,
  statementsOf,
} from "../policy.js";
import type { CheckResult } from "../types.js";
import { fail, pass, unknown } from "./result.js";

export const READ_SECRET = "secretsmanager:GetSecretValue";

/**
 * Judges the simulation of one role reading secrets: it must be allowed on `own` and denied everywhere else.
 * A result that needed context keys the simulation did not have is inconclusive, never a pass.
 */
export function judgeRoleSimulations(
  simulations: readonly SimulationEvidence[],
  roleArn: string,
  own: string,
  label: string,
): CheckResult {
  const mine = simulations.filter((s) => s.principalArn === roleArn && s.action === READ_SECRET);
  const target = mine.find((s) => s.resourceArn === own);
  const problems: string[] = [];
  const unsure: string[] = [];
  if (!target) unsure.push(`${own}: not simulated`);
  else if (target.missingContextKeys.length > 0)
    unsure.push(`${own}: needs context ${target.missingContextKeys.join(", ")}`);
  else if (target.decision !== "allowed")
    problems.push(`${label} cannot read its own secret ${own} (${target.decision})`);
  for (const s of mine.filter((x) => x.resourceArn !== own)) {
    if (s.decision === "allowed") problems.push(`${label} can read ${s.resourceArn}`);
    else if (s.missingContextKeys.length > 0)
      unsure.push(
        `${s.resourceArn}: ${s.decision} unless context ${s.missingContextKeys.join(", ")} says otherwise`,
      );
  }
  if (problems.length > 0)
    return fail(`The ${label} is not limited to its own secret.`, [...problems, ...unsure]);
  if (unsure.length > 0)
    return unknown("The simulation was inconclusive (conditions need context keys).", unsure);
  return pass(
    `The ${label} can read ${own} and none of the other ${mine.length - 1} secret ARNs simulated (look-alikes included).`,
  );
}

/**
 * True when the principal is the secret's own account: a grant to it only delegates to the account's IAM
 * policies, which the simulations judge. Another account's root is a reader outside the simulations' sight.
 */
function isOwnAccount(principal: string, secretArn: string): boolean {
  const [, partition, , , account] = secretArn.split(":");
  return principal === account || principal === `arn:${partition}:iam::${account}:root`;
}

/**
 * Scans secrets' resource policies, which `iam:SimulatePrincipalPolicy` ignores for roles: who besides the
 * expected reader is granted GetSecretValue, and is either role granted another secret. A policy that could not
 * be read hides nothing it can see: the scan fails on the grants it found, and is `unknown` (naming the
 * unreadable ones) only when it found none.
 */
export function scanSecretPolicies(
  secrets: readonly SecretEvidence[],
  readers: readonly { readonly secretArn: string; readonly roleArn: string }[],
): CheckResult {
  const problems: string[] = [];
  const unsure: string[] = [];
  const unreadable = secrets.filter((s) => s.policyUnreadable !== undefined);
  for (const secret of unreadable)
    unsure.push(`${secret.name}: resource policy not readable (${secret.policyUnreadable})`);
  for (const secret of secrets) {
    const expected = readers.filter((r) => r.secretArn === secret.arn).map((r) => r.roleArn);
    const guarded = readers.map((r) => r.roleArn);
    for (const statement of statementsOf(secret.resourcePolicy)) {
      if (statement.Effect !== "Allow" || !statementCoversAction(statement, READ_SECRET)) continue;
      // Allow + NotPrincipal grants everyone except those listed: as wide as "*".
      const everyone = isPublicPrincipal(statement)
        ? 'everyone ("*")'
        : statement.NotPrincipal !== undefined
          ? "everyone but those in NotPrincipal"
          : undefined;
      if (everyone) {
        if (statement.Condition) unsure.push(`${secret.name}: grants ${everyone} under conditions`);
        else problems.push(`${secret.name}: grants GetSecretValue to ${everyone}`);
        continue;
      }
      for (const principal of principalsOf(statement)) {
        // A role's session (assumed-role/<name>/i-…) is that role: it reads what the grant allows.
        if (isOwnAccount(principal, secret.arn) || expected.some((r) => principalNamesRole(principal, r)))
          continue;
        if (guarded.some((r) => principalNamesRole(principal, r)))
          problems.push(`${secret.name}: grants ${principal}, which must read only its own secret`);
        else if (expected.length > 0) problems.push(`${secret.name}: also readable by ${principal}`);
      }
    }
  }
  if (problems.length > 0)
    return fail("A secret's resource policy widens who can read it.", [...problems, ...unsure]);
  if (unreadable.length > 0)
    return unknown(
      `${unreadable.length} secret resource policy(ies) could not be read; the others grant nothing extra.`,
      unsure,
    );
  if (unsure.length > 0)
    return unknown("Some resource policies grant access under conditions; review them.", unsure);
  return pass(`No resource policy of the ${secrets.length} secret(s) grants reads beyond the expected role.`);
}

/**
 * ARNs that a too-broad policy would also match: a longer name with the same prefix, a sibling under the same
 * path, and the same name with another random suffix (a recreated secret). A role scoped to exactly its ARN is
 * denied all of them; `secret:clawops/prod/*` or `secret:fleet*` is not.
 */
export function lookAlikeSecretArns(secretArn: string): string[] {
  const match = /^(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:)(.+?)(-[A-Za-z0-9]{6})?$/.exec(secretArn);
  if (!match) return [];
  const [, base, name] = match as unknown as [string, string, string];
  const slash = name.lastIndexOf("/");
  const sibling = slash >= 0 ? `${name.slice(0, slash)}/clawops-lookalike` : "clawops-lookalike";
  return [
    `${base}${name}-admin-Xy12Ab`,
    `${base}${name}2-Qr34St`,
    `${base}${sibling}-Uv56Wx`,
    `${base}${name}-Zz99Zz`,
  ];
}
