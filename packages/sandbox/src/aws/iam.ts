import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

/** One statement of an identity policy, as data. */
export interface IamStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A role and its inline policies (name → document), kept as data so checks can read and drift them. */
export interface SandboxRole {
  readonly roleName: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly assumeRolePolicy: string;
  readonly policies: Map<string, { Version?: string; Statement: IamStatement[] }>;
}

export interface IamModel extends ServiceModel {
  readonly roles: Map<string, SandboxRole>;
}

const list = (value: string | readonly string[]) => (typeof value === "string" ? [value] : [...value]);

/** IAM's wildcard match: `*` any run, `?` one character; actions case-insensitively, resources exactly. */
export function iamWildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

/**
 * Evaluates a role's identity policies for one action on one resource, as `iam:SimulatePrincipalPolicy` does
 * for a role: an explicit Deny wins, then an Allow, else an implicit deny. A statement with a condition on a
 * key the caller did not supply does not apply, and the key is reported as missing. Resource policies are not
 * consulted (as AWS's simulator does not for roles).
 */
export function simulate(
  statements: readonly IamStatement[],
  action: string,
  resource: string,
  context: ReadonlyMap<string, readonly string[]>,
): { decision: "allowed" | "explicitDeny" | "implicitDeny"; missing: string[] } {
  const missing = new Set<string>();
  const applies = (s: IamStatement) => {
    if (!list(s.Action).some((a) => iamWildcard(a, action, true))) return false;
    if (!list(s.Resource).some((r) => iamWildcard(r, resource, false))) return false;
    for (const byKey of Object.values(s.Condition ?? {}))
      for (const [key, expected] of Object.entries(byKey)) {
        const actual = context.get(key.toLowerCase());
        if (!actual) {
          missing.add(key);
          return false;
        }
        const wanted = Array.isArray(expected) ? expected.map(String) : [String(expected)];
        if (!actual.some((v) => wanted.some((w) => iamWildcard(w, v, false)))) return false;
      }
    return true;
  };
  const matching = statements.filter(applies);
  const decision = matching.some((s) => s.Effect === "Deny")
    ? "explicitDeny"
    : matching.some((s) => s.Effect === "Allow")
      ? "allowed"
      : "implicitDeny";
  return { decision, missing: [...missing] };
}

const NO_ROLE = (name: string) => awsError("NoSuchEntity", `The role with name ${name} cannot be found.`);

/** IAM roles with inline policies, and the policy simulator the readiness checks call. */
export function iamModel(world: SandboxWorld): IamModel {
  const roles = new Map<string, SandboxRole>();
  const byName = (name: unknown) => {
    const role = roles.get(String(name ?? ""));
    if (!role) throw NO_ROLE(String(name));
    return role;
  };
  const byArn = (arn: unknown) => {
    const role = [...roles.values()].find((r) => r.arn === arn);
    if (!role) throw awsError("NoSuchEntity", `PolicySourceArn ${String(arn)} does not exist.`);
    return role;
  };
  return {
    service: "IAM",
    roles,
    commands: {
      CreateRole(input: Input) {
        const roleName = String(input.RoleName ?? "");
        if (roles.has(roleName))
          throw awsError("EntityAlreadyExists", `Role with name ${roleName} already exists.`);
        const role: SandboxRole = {
          roleName,
          arn: `arn:aws:iam::${world.account}:role${String(input.Path ?? "/")}${roleName}`,
          createdAt: world.clock.now(),
          assumeRolePolicy: String(input.AssumeRolePolicyDocument ?? "{}"),
          policies: new Map(),
        };
        roles.set(roleName, role);
        return { Role: { RoleName: roleName, Arn: role.arn, CreateDate: new Date(role.createdAt) } };
      },
      GetRole(input: Input) {
        const role = byName(input.RoleName);
        return {
          Role: {
            RoleName: role.roleName,
            Arn: role.arn,
            CreateDate: new Date(role.createdAt),
            AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicy),
          },
        };
      },
      PutRolePolicy(input: Input) {
        const role = byName(input.RoleName);
        const document = JSON.parse(String(input.PolicyDocument ?? "{}")) as {
          Statement: IamStatement | IamStatement[];
        };
        const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
        role.policies.set(String(input.PolicyName), { Statement: statements });
        return {};
      },
      DeleteRolePolicy(input: Input) {
        const role = byName(input.RoleName);
        if (!role.policies.delete(String(input.PolicyName)))
          throw awsError(
            "NoSuchEntity",
            `The role policy with name ${String(input.PolicyName)} cannot be found.`,
          );
        return {};
      },
      ListRolePolicies(input: Input) {
        const page = paginate([...byName(input.RoleName).policies.keys()], {
          maxResults: input.MaxItems as number | undefined,
          nextToken: input.Marker as string | undefined,
          defaultSize: 100,
        });
        return {
          PolicyNames: page.items,
          IsTruncated: page.nextToken !== undefined,
          ...(page.nextToken ? { Marker: page.nextToken } : {}),
        };
      },
      GetRolePolicy(input: Input) {
        const role = byName(input.RoleName);
        const policy = role.policies.get(String(input.PolicyName));
        if (!policy)
          throw awsError(
            "NoSuchEntity",
            `The role policy with name ${String(input.PolicyName)} cannot be found.`,
          );
        return {
          RoleName: role.roleName,
          PolicyName: input.PolicyName,
          PolicyDocument: encodeURIComponent(JSON.stringify(policy)),
        };
      },
      SimulatePrincipalPolicy(input: Input) {
        const role = byArn(input.PolicySourceArn);
        const statements = [...role.policies.values()].flatMap((p) => p.Statement);
        const context = new Map<string, string[]>();
        for (const entry of (input.ContextEntries as
          | { ContextKeyName: string; ContextKeyValues: string[] }[]
          | undefined) ?? [])
          context.set(entry.ContextKeyName.toLowerCase(), entry.ContextKeyValues);
        const actions = (input.ActionNames as string[] | undefined) ?? [];
        const resources = (input.ResourceArns as string[] | undefined) ?? ["*"];
        const results = actions.flatMap((action) =>
          resources.map((resource) => {
            const { decision, missing } = simulate(statements, action, resource, context);
            return {
              EvalActionName: action,
              EvalResourceName: resource,
              EvalDecision: decision,
              MissingContextValues: missing,
              MatchedStatements: [],
            };
          }),
        );
        const page = paginate(results, {
          maxResults: input.MaxItems as number | undefined,
          nextToken: input.Marker as string | undefined,
          defaultSize: 100,
        });
        return {
          EvaluationResults: page.items,
          IsTruncated: page.nextToken !== undefined,
          ...(page.nextToken ? { Marker: page.nextToken } : {}),
        };
      },
    },
  };
}
