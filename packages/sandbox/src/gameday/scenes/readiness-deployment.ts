import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { EFSClient, PutFileSystemPolicyCommand } from "@aws-sdk/client-efs";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { makeClient } from "@clawops/core/aws";
import { manifestOf, readSoulDocuments } from "@clawops/core/fleet";
import type { AlertsIdentity } from "@clawops/core/readiness";
import type { SimInstance } from "../../aws/world.js";
import type { ReadinessProbeHost } from "../../readiness-probe.js";
import type { Sandbox } from "../../sandbox.js";

/** The soul documents the sandbox deploys: the repository's own `soul/` directory. */
const SOUL_DIR = fileURLToPath(new URL("../../../../../soul", import.meta.url));

/** What the stacks deploy around the fleet that readiness verifies, as the sandbox holds it. */
export interface ReadinessDeployment {
  /** The workspace file system's directory (the deployed soul documents). */
  readonly workspaceDir: string;
  readonly runtimeDir: string;
  /** The Alerts stack's isolated Slack secret and its only reader. */
  readonly alerts: AlertsIdentity;
  /** Where each instance's probe looks: the shared mounts, or an instance's own diverged copy. */
  readonly host: ReadinessProbeHost;
  /**
   * Gives one instance its own copy of the workspace (its mount no longer shows the EFS workspace) and returns
   * that directory: what a drift on one instance looks like from the probe.
   */
  divergeWorkspace(instanceId: string): string;
  /** The instance shows the deployed workspace again (remounted). */
  restoreWorkspace(instanceId: string): void;
}

const deployments = new WeakMap<Sandbox, Promise<ReadinessDeployment>>();

/** Deploys the readiness-relevant resources once per sandbox (idempotent). */
export function deployForReadiness(sandbox: Sandbox): Promise<ReadinessDeployment> {
  let deployment = deployments.get(sandbox);
  if (!deployment) {
    deployment = deploy(sandbox);
    deployments.set(sandbox, deployment);
  }
  return deployment;
}

const role = (arn: string) => arn.split("/").pop() ?? arn;
const policy = (statements: readonly Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

/**
 * What the Fleet, Alerts, Lifecycle, Drills and Readiness stacks deploy beyond EC2 and Auto Scaling (which
 * `seedFleet` builds), put into the simulated account through the same API calls or, where the description
 * fixes the ids, as model data: the workspace and runtime file systems (real directories, the workspace
 * holding the repository's soul documents) with the policy denying ClientWrite, the manifest parameter, the
 * instance and router roles, the alerts secret, the log groups with the configured retention, the backup plan, selection and vault, and the functions with their environment.
 */
async function deploy(sandbox: Sandbox): Promise<ReadinessDeployment> {
  const { description: fleet, config } = sandbox;
  const models = sandbox.aws.models;
  const { world, efs, backup, lambda } = models;
  const stage = config.stage;

  // The file systems are the fleet's (the sandbox may have seeded them already: they are kept as they are).
  const fileSystem = (id: string, accessPointId: string, name: string, path: string) => {
    const existing = efs.fileSystems.get(id);
    const dir = existing?.dir ?? join(models.fileRoot, "efs", id);
    if (!existing)
      efs.fileSystems.set(id, {
        fileSystemId: id,
        arn: world.arn("elasticfilesystem", `file-system/${id}`),
        creationToken: `${fleet.name}-${name}`,
        creationTime: world.clock.now(),
        dir,
        encrypted: true,
        kmsKeyId: fleet.kmsKeyArn,
        tags: [{ Key: "Name", Value: `${fleet.autoScalingGroupName}-${name}` }],
      });
    if (!efs.accessPoints.has(accessPointId))
      efs.accessPoints.set(accessPointId, {
        accessPointId,
        arn: world.arn("elasticfilesystem", `access-point/${accessPointId}`),
        fileSystemId: id,
        rootPath: path,
        clientToken: `${fleet.name}-${name}`,
        tags: [],
      });
    mkdirSync(join(dir, path), { recursive: true });
    return { dir: join(dir, path), seeded: existing !== undefined };
  };
  const { workspacePath, runtimePath } = config.settings.drills;
  const workspace = fileSystem(
    fleet.workspace.fileSystemId,
    fleet.workspace.accessPointId,
    "workspace",
    workspacePath,
  );
  const runtime = fileSystem(fleet.runtime.fileSystemId, fleet.runtime.accessPointId, "runtime", runtimePath);
  const workspaceDir = workspace.dir;
  const runtimeDir = runtime.dir;
  const documents = readSoulDocuments(SOUL_DIR);
  if (!workspace.seeded)
    for (const [path, content] of Object.entries(documents)) {
      mkdirSync(dirname(join(workspaceDir, path)), { recursive: true });
      writeFileSync(join(workspaceDir, path), content);
    }

  const efsClient = makeClient(EFSClient);
  await efsClient.send(
    new PutFileSystemPolicyCommand({
      FileSystemId: fleet.workspace.fileSystemId,
      Policy: policy([
        {
          Sid: "InstancesMountReadOnly",
          Effect: "Allow",
          Principal: { AWS: fleet.instanceRoleArn },
          Action: "elasticfilesystem:ClientMount",
          Resource: efs.fileSystems.get(fleet.workspace.fileSystemId)?.arn,
        },
        {
          Sid: "DenyClientWrite",
          Effect: "Deny",
          Principal: { AWS: fleet.instanceRoleArn },
          Action: "elasticfilesystem:ClientWrite",
          Resource: efs.fileSystems.get(fleet.workspace.fileSystemId)?.arn,
        },
      ]),
    }),
  );
  await makeClient(SSMClient).send(
    new PutParameterCommand({
      Name: fleet.manifestParameterName,
      Type: "String",
      Value: JSON.stringify(manifestOf(readSoulDocuments(workspaceDir))),
      Overwrite: true,
    }),
  );

  const secrets = makeClient(SecretsManagerClient);
  // The Alerts stack's Slack secret (the alerts scene may have made it already: then it is reused).
  const alertsSecretName = `clawops-${stage}-alerts-slack`;
  const alertsSecretArn = await secrets
    .send(
      new CreateSecretCommand({
        Name: alertsSecretName,
        SecretString: JSON.stringify({ botToken: sandbox.slack.token }),
        KmsKeyId: fleet.kmsKeyArn,
      }),
    )
    .then((r) => r.ARN ?? "")
    .catch(async (error: Error) => {
      if (error.name !== "ResourceExistsException") throw error;
      const { ARN = "" } = await secrets.send(new DescribeSecretCommand({ SecretId: alertsSecretName }));
      return ARN;
    });
  const iam = makeClient(IAMClient);
  const roles: [string, string][] = [
    [role(fleet.instanceRoleArn), fleet.secretArn],
    [`clawops-${stage}-alert-router`, alertsSecretArn],
  ];
  for (const [roleName, secretArn] of roles) {
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: "{}" }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: "ReadOwnSecret",
        PolicyDocument: policy([
          { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
        ]),
      }),
    );
  }
  const routerRoleArn = `arn:aws:iam::${world.account}:role/clawops-${stage}-alert-router`;
  await secrets.send(
    new PutResourcePolicyCommand({
      SecretId: alertsSecretArn,
      ResourcePolicy: policy([
        {
          Sid: "RouterOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": routerRoleArn } },
        },
      ]),
    }),
  );

  const logs = makeClient(CloudWatchLogsClient);
  for (const name of [fleet.gatewayLogGroupName, fleet.sessionLogGroupName]) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name, kmsKeyId: fleet.kmsKeyArn }));
    await logs.send(
      new PutRetentionPolicyCommand({
        logGroupName: name,
        retentionInDays: config.settings.logRetentionDays,
      }),
    );
  }
  backup.vaults.set(fleet.backupVaultName, {
    name: fleet.backupVaultName,
    arn: world.arn("backup", `backup-vault:${fleet.backupVaultName}`),
    encryptionKeyArn: fleet.kmsKeyArn,
  });
  backup.plans.set(fleet.backupPlanId, {
    id: fleet.backupPlanId,
    name: `${fleet.autoScalingGroupName}-daily`,
    rules: [
      {
        RuleName: "daily",
        TargetBackupVaultName: fleet.backupVaultName,
        ScheduleExpression: "cron(0 5 ? * * *)",
        Lifecycle: { DeleteAfterDays: 35 },
      },
    ],
    selections: [
      {
        id: world.uuid("backup-selection"),
        name: "fleet-file-systems",
        resources: [fleet.workspace.fileSystemId, fleet.runtime.fileSystemId].map((id) =>
          world.arn("elasticfilesystem", `file-system/${id}`),
        ),
      },
    ],
  });

  const common = { CLAWOPS_STAGE: stage, CLAWOPS_STATE_TABLE: sandbox.dynamo.table };
  for (const name of ["readiness-run", "readiness-evals", "lifecycle-monitor", "lifecycle-reconcile"])
    lambda.deploy({
      functionName: `clawops-${stage}-${name}`,
      variables: { ...common, CLAWOPS_SETTINGS: "{}" },
    });
  lambda.deploy({
    functionName: `clawops-${stage}-alert-router`,
    roleArn: routerRoleArn,
    variables: { ...common, CLAWOPS_SETTINGS: JSON.stringify({ slackSecretArn: alertsSecretArn }) },
  });

  const diverged = new Map<string, string>();
  const instanceDir = (instance: SimInstance) => diverged.get(instance.instanceId) ?? workspaceDir;
  return {
    workspaceDir,
    runtimeDir,
    alerts: { secretArn: alertsSecretArn, routerRoleArn },
    host: { workspaceDir: instanceDir, runtimeDir: () => runtimeDir },
    divergeWorkspace(instanceId) {
      const own = join(models.fileRoot, "instances", instanceId, "workspace");
      if (!diverged.has(instanceId)) {
        rmSync(own, { recursive: true, force: true });
        cpSync(workspaceDir, own, { recursive: true });
        diverged.set(instanceId, own);
      }
      return own;
    },
    restoreWorkspace(instanceId) {
      const own = diverged.get(instanceId);
      diverged.delete(instanceId);
      if (own) rmSync(own, { recursive: true, force: true });
    },
  };
}
