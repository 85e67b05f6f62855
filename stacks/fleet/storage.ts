import { RemovalPolicy } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as efs from "aws-cdk-lib/aws-efs";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";

/** Props of `FleetStorage`. */
export interface FleetStorageProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly key: kms.IKey;
  /** Prefix of the file systems' Name tags. */
  readonly namePrefix: string;
  /** The role the file system policy denies workspace writes to. */
  readonly instanceRole: iam.IRole;
}

/** POSIX identity every access to the file systems runs as (the access points enforce it). */
export const FLEET_POSIX_USER = { uid: "1000", gid: "1000" } as const;

/**
 * The fleet's two EFS file systems, KMS-encrypted, TLS enforced by file system policy:
 * - workspace: the soul documents, mounted read-only; its policy also denies `ClientWrite` (and root access)
 *   to the instance role, because a read-only mount alone does not stop root from remounting read-write;
 * - runtime: sessions, memory and logs, mounted read-write.
 * Separate file systems (not two directories of one) so that no grant or mount option on the runtime can ever
 * reach the soul documents, and each has its own recovery points.
 */
export class FleetStorage extends Construct {
  readonly workspace: efs.FileSystem;
  readonly runtime: efs.FileSystem;
  readonly workspaceAccessPoint: efs.AccessPoint;
  readonly runtimeAccessPoint: efs.AccessPoint;

  constructor(scope: Construct, id: string, props: FleetStorageProps) {
    super(scope, id);
    const fileSystem = (fsId: string, name: string) => {
      const fs = new efs.FileSystem(this, fsId, {
        fileSystemName: `${props.namePrefix}-${name}`,
        vpc: props.vpc,
        vpcSubnets: props.subnets,
        securityGroup: props.securityGroup,
        encrypted: true,
        kmsKey: props.key,
        performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
        throughputMode: efs.ThroughputMode.ELASTIC,
        // AWS Backup's plan (backup.ts) protects the file systems; EFS's own default plan would duplicate it.
        enableAutomaticBackups: false,
        // CDK's "deny anonymous access" default adds an Allow of ClientWrite and ClientRootAccess to every
        // principal that mounts through a mount target, which would let any role with ClientMount write the
        // soul documents. This policy grants nothing to "*" instead: anonymous NFS clients get nothing, and a
        // principal writes only where its own IAM policy allows (the soul writer; runtime: the instances).
        allowAnonymousAccess: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      fs.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "EnforceTls",
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ["*"],
          resources: ["*"],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
      return fs;
    };
    this.workspace = fileSystem("Workspace", "workspace");
    this.runtime = fileSystem("Runtime", "runtime");
    this.workspace.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "WorkspaceIsReadOnlyForInstances",
        effect: iam.Effect.DENY,
        principals: [new iam.ArnPrincipal(props.instanceRole.roleArn)],
        actions: ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
        resources: ["*"],
      }),
    );
    this.workspaceAccessPoint = this.workspace.addAccessPoint("WorkspaceAccessPoint", {
      path: "/workspace",
      posixUser: FLEET_POSIX_USER,
      createAcl: { ownerUid: FLEET_POSIX_USER.uid, ownerGid: FLEET_POSIX_USER.gid, permissions: "755" },
    });
    this.runtimeAccessPoint = this.runtime.addAccessPoint("RuntimeAccessPoint", {
      path: "/runtime",
      posixUser: FLEET_POSIX_USER,
      createAcl: { ownerUid: FLEET_POSIX_USER.uid, ownerGid: FLEET_POSIX_USER.gid, permissions: "750" },
    });
  }
}
