import { IAMClient, paginateSimulatePrincipalPolicy } from "@aws-sdk/client-iam";
import { LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import {
  GetResourcePolicyCommand,
  paginateListSecrets,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { client } from "@clawops/core/aws";
import {
  type FunctionEnvironmentEvidence,
  lookAlikeSecretArns,
  type PolicyDocument,
  READ_SECRET,
  type SecretEvidence,
  type SimulationEvidence,
} from "@clawops/core/readiness";

/**
 * Every secret (paginated) with its resource policy (one call per secret: grows with secrets, not instances). A
 * secret whose policy cannot be read (its own resource policy may deny the readiness role GetResourcePolicy)
 * keeps the reason, so the other secrets are still judged.
 */
export async function describeSecrets(): Promise<SecretEvidence[]> {
  const sm = client(SecretsManagerClient);
  const listed: { arn: string; name: string; kmsKeyId?: string }[] = [];
  for await (const page of paginateListSecrets({ client: sm, pageSize: 100 }, {}))
    for (const s of page.SecretList ?? [])
      listed.push({ arn: s.ARN ?? "", name: s.Name ?? "", ...(s.KmsKeyId ? { kmsKeyId: s.KmsKeyId } : {}) });
  return Promise.all(
    listed.map(async (s): Promise<SecretEvidence> => {
      try {
        const { ResourcePolicy } = await sm.send(new GetResourcePolicyCommand({ SecretId: s.arn }));
        return {
          ...s,
          resourcePolicy: ResourcePolicy ? (JSON.parse(ResourcePolicy) as PolicyDocument) : null,
        };
      } catch (error) {
        const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return { ...s, resourcePolicy: null, policyUnreadable: `secretsmanager:GetResourcePolicy: ${why}` };
      }
    }),
  );
}

/** One role to simulate and the secret it must (only) read. */
export interface SimulatedReader {
  readonly roleArn: string;
  readonly secretArn: string;
}

/**
 * `iam:SimulatePrincipalPolicy` per role (paginated): GetSecretValue on its own secret, every other secret and
 * look-alike ARNs. The simulator ignores resource policies for roles; `describeSecrets` covers those.
 */
export async function simulateSecretReads(
  readers: readonly SimulatedReader[],
  secrets: readonly SecretEvidence[],
): Promise<SimulationEvidence[]> {
  const iam = client(IAMClient);
  const results: SimulationEvidence[] = [];
  for (const reader of readers) {
    const arns = [
      ...new Set([
        reader.secretArn,
        ...secrets.map((s) => s.arn),
        ...readers.map((r) => r.secretArn),
        ...lookAlikeSecretArns(reader.secretArn),
      ]),
    ];
    const pages = paginateSimulatePrincipalPolicy(
      { client: iam, pageSize: 100 },
      { PolicySourceArn: reader.roleArn, ActionNames: [READ_SECRET], ResourceArns: arns },
    );
    for await (const page of pages)
      for (const r of page.EvaluationResults ?? [])
        results.push({
          principalArn: reader.roleArn,
          action: r.EvalActionName ?? READ_SECRET,
          resourceArn: r.EvalResourceName ?? "",
          decision: r.EvalDecision ?? "implicitDeny",
          missingContextKeys: r.MissingContextValues ?? [],
        });
  }
  return results;
}

/** Environment variables of every Lambda function in the region (paginated), for the credential scan. */
export async function describeFunctionEnvironments(): Promise<FunctionEnvironmentEvidence[]> {
  const found: FunctionEnvironmentEvidence[] = [];
  for await (const page of paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {}))
    for (const fn of page.Functions ?? [])
      found.push({ functionName: fn.FunctionName ?? "", variables: fn.Environment?.Variables ?? {} });
  return found;
}
