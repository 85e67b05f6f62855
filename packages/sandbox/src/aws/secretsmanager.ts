import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

/** One secret: its current value and its resource policy, kept as data so checks can read and drift it. */
export interface SandboxSecret {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  kmsKeyId?: string;
  value: string;
  versionId: string;
  /** The resource policy document (JSON text), if any. */
  policy?: string;
  description?: string;
  tags: { Key: string; Value: string }[];
}

export interface SecretsManagerModel extends ServiceModel {
  readonly secrets: Map<string, SandboxSecret>;
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";

/** Secrets Manager: values by name or ARN (ARNs end in a random 6-character suffix, as AWS makes them). */
export function secretsManagerModel(world: SandboxWorld): SecretsManagerModel {
  const secrets = new Map<string, SandboxSecret>();
  const find = (input: Input): SandboxSecret => {
    const id = String(input.SecretId ?? "");
    const found = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!found) throw awsError("ResourceNotFoundException", NOT_FOUND);
    return found;
  };
  return {
    service: "SecretsManager",
    secrets,
    commands: {
      CreateSecret(input) {
        const name = String(input.Name ?? "");
        if (secrets.has(name))
          throw awsError(
            "ResourceExistsException",
            `The operation failed because the secret ${name} already exists.`,
          );
        const suffix = world.id("s", 6).slice(2);
        const secret: SandboxSecret = {
          arn: world.arn("secretsmanager", `secret:${name}-${suffix}`),
          name,
          createdAt: world.clock.now(),
          kmsKeyId: input.KmsKeyId as string | undefined,
          value: String(input.SecretString ?? ""),
          versionId: world.uuid("secret-version"),
          description: input.Description as string | undefined,
          tags: (input.Tags as SandboxSecret["tags"] | undefined) ?? [],
        };
        secrets.set(name, secret);
        return { ARN: secret.arn, Name: name, VersionId: secret.versionId };
      },
      GetSecretValue(input) {
        const secret = find(input);
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ["AWSCURRENT"],
          CreatedDate: new Date(secret.createdAt),
        };
      },
      PutSecretValue(input) {
        const secret = find(input);
        secret.value = String(input.SecretString ?? "");
        secret.versionId = world.uuid("secret-version");
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          VersionStages: ["AWSCURRENT"],
        };
      },
      DescribeSecret(input) {
        const secret = find(input);
        return {
          ARN: secret.arn,
          Name: secret.name,
          Description: secret.description,
          KmsKeyId: secret.kmsKeyId,
          CreatedDate: new Date(secret.createdAt),
          Tags: secret.tags,
          VersionIdsToStages: { [secret.versionId]: ["AWSCURRENT"] },
        };
      },
      ListSecrets() {
        return {
          SecretList: [...secrets.values()].map((s) => ({
            ARN: s.arn,
            Name: s.name,
            KmsKeyId: s.kmsKeyId,
            Tags: s.tags,
          })),
        };
      },
      GetResourcePolicy(input) {
        const secret = find(input);
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.policy ? { ResourcePolicy: secret.policy } : {}),
        };
      },
      PutResourcePolicy(input) {
        const secret = find(input);
        const policy = String(input.ResourcePolicy ?? "");
        try {
          JSON.parse(policy);
        } catch {
          throw awsError("MalformedPolicyDocumentException", "This resource policy contains a syntax error.");
        }
        secret.policy = policy;
        return { ARN: secret.arn, Name: secret.name };
      },
      DeleteResourcePolicy(input) {
        const secret = find(input);
        secret.policy = undefined;
        return { ARN: secret.arn, Name: secret.name };
      },
    },
  };
}
