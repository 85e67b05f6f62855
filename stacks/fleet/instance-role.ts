import { RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { NagSuppressions } from "cdk-nag";
import type { FleetStorage } from "./storage.js";

/**
 * What the SSM agent needs for Run Command (the gateway probes) and Session Manager, without the
 * AmazonSSMManagedInstanceCore policy's `ssm:GetParameter*` on every parameter of the account.
 */
const SSM_AGENT_ACTIONS = [
  "ssm:DescribeAssociation",
  "ssm:DescribeDocument",
  "ssm:GetDocument",
  "ssm:ListAssociations",
  "ssm:ListInstanceAssociations",
  "ssm:UpdateAssociationStatus",
  "ssm:UpdateInstanceAssociationStatus",
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
] as const;

/** The fleet's instance role, with no permission yet (`grantInstanceAccess` adds exactly what it needs). */
export function createInstanceRole(scope: Stack): iam.Role {
  return new iam.Role(scope, "InstanceRole", {
    assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
    description:
      "OpenClaw instances: own secret, workspace read-only, runtime read-write, SSM, own log groups",
  });
}

/**
 * The deployment's credentials secret (model provider and integration keys), KMS-encrypted. Its resource policy
 * denies reading it to every principal but the instance role, so no other grant in the account can reach it.
 */
export function createFleetSecret(
  scope: Stack,
  key: kms.IKey,
  instanceRole: iam.IRole,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, "Secret", {
    description: "OpenClaw credentials (JSON of environment variables); read only by the fleet's instances",
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  secret.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "OnlyTheFleetReadsIt",
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ["secretsmanager:GetSecretValue"],
      resources: ["*"],
      conditions: { StringNotEquals: { "aws:PrincipalArn": instanceRole.roleArn } },
    }),
  );
  NagSuppressions.addResourceSuppressions(secret, [
    {
      id: "AwsSolutions-SMG4",
      reason:
        "It holds API keys issued by third parties (model provider, Composio); they are rotated at the provider and put here by the operator, there is no rotation Lambda to run.",
    },
  ]);
  return secret;
}

/** Resources the instance role is granted access to. */
export interface InstanceAccess {
  readonly secret: secretsmanager.ISecret;
  readonly key: kms.IKey;
  readonly storage: FleetStorage;
  readonly logGroups: readonly logs.ILogGroup[];
}

/** Grants the instance role exactly what an OpenClaw instance needs, each statement naming its resources. */
export function grantInstanceAccess(role: iam.Role, access: InstanceAccess): void {
  const stack = Stack.of(role);
  const { storage } = access;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "ReadOwnSecret",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: [access.secret.secretArn],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "DecryptOwnSecret",
      actions: ["kms:Decrypt"],
      resources: [access.key.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `secretsmanager.${stack.region}.amazonaws.com` } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "MountWorkspaceReadOnly",
      actions: ["elasticfilesystem:ClientMount"],
      resources: [storage.workspace.fileSystemArn],
      conditions: {
        StringEquals: { "elasticfilesystem:AccessPointArn": storage.workspaceAccessPoint.accessPointArn },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "MountRuntimeReadWrite",
      actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      resources: [storage.runtime.fileSystemArn],
      conditions: {
        StringEquals: { "elasticfilesystem:AccessPointArn": storage.runtimeAccessPoint.accessPointArn },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: "SsmManagedInstance", actions: [...SSM_AGENT_ACTIONS], resources: ["*"] }),
  );
  for (const group of access.logGroups) group.grantWrite(role);
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: "AwsSolutions-IAM5",
        reason:
          "The SSM agent's actions (ssmmessages, ec2messages, ssm:UpdateInstanceInformation and association calls) support no resource-level permissions; this is the minimal set for Run Command and Session Manager.",
        appliesTo: ["Resource::*"],
      },
    ],
    true,
  );
}
