import type { ResolvedConfig } from "../config/index.js";

/** Mount points of the two EFS directories on every instance. */
export const WORKSPACE_MOUNT = "/mnt/openclaw/workspace";
export const RUNTIME_MOUNT = "/mnt/openclaw/runtime";

/** One EFS file system as the fleet uses it (workspace: read-only soul documents; runtime: read-write data). */
export interface FleetFileSystem {
  readonly fileSystemId: string;
  readonly accessPointId: string;
  readonly mountPath: string;
}

/** How clawops probes a gateway: loopback URL parts and the healthy test. Configuration, not constants. */
export interface GatewayEndpoint {
  readonly port: number;
  readonly path: string;
  readonly requireJsonOk: boolean;
  readonly probeTimeoutSeconds: number;
}

/**
 * The one typed description of the fleet that every control-plane stack, the sandbox and the readiness checks
 * receive, whether clawops created the fleet (reference mode; in a stack the ids are CDK tokens) or imported it.
 */
export interface FleetDescription {
  readonly mode: "reference" | "import";
  /** Short fleet name (tags, metric dimensions). */
  readonly name: string;
  readonly autoScalingGroupName: string;
  readonly launchHookName: string;
  readonly terminateHookName: string;
  readonly instanceRoleArn: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly availabilityZones: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly workspace: FleetFileSystem;
  readonly runtime: FleetFileSystem;
  /** The deployment's credentials secret (readable only by the instance role). */
  readonly secretArn: string;
  /** Key encrypting the file systems, backups, logs and the secret; restored drill file systems use it too. */
  readonly kmsKeyArn: string;
  readonly backupVaultName: string;
  readonly backupPlanId: string;
  readonly gatewayLogGroupName: string;
  readonly sessionLogGroupName: string;
  /** SSM parameter holding the soul-document manifest: JSON `{ "files": { "SOUL.md": "<sha256>" , ... } }`. */
  readonly manifestParameterName: string;
  readonly gateway: GatewayEndpoint;
}

/** Names of a reference fleet that are fixed by configuration (ids are only known once deployed). */
export interface FleetNames {
  readonly name: string;
  readonly autoScalingGroupName: string;
  readonly launchHookName: string;
  readonly terminateHookName: string;
  readonly backupVaultName: string;
  readonly gatewayLogGroupName: string;
  readonly sessionLogGroupName: string;
  readonly manifestParameterName: string;
}

/**
 * The names a fleet goes by in a stage. Reference mode derives them from the app, stage and fleet name (the
 * stage is part of each, so stages do not collide in one account); import mode takes them from the config.
 */
export function fleetNames(config: ResolvedConfig): FleetNames {
  const fleet = config.settings.fleet;
  const manifestParameterName = `/clawops/${config.stage}/soul-manifest`;
  if (fleet.mode === "import") {
    return {
      name: fleet.autoScalingGroupName,
      autoScalingGroupName: fleet.autoScalingGroupName,
      launchHookName: "clawops-launch-gate",
      terminateHookName: "clawops-terminate-drain",
      backupVaultName: fleet.backupVaultName,
      gatewayLogGroupName: fleet.gatewayLogGroupName,
      sessionLogGroupName: fleet.sessionLogGroupName,
      manifestParameterName: fleet.manifestParameterName,
    };
  }
  const prefix = `${config.app.name}-${config.stage}-${fleet.name}`;
  return {
    name: fleet.name,
    autoScalingGroupName: prefix,
    launchHookName: `${fleet.name}-launch-gate`,
    terminateHookName: `${fleet.name}-terminate-drain`,
    backupVaultName: prefix,
    gatewayLogGroupName: `/openclaw/${config.stage}/${fleet.name}/gateway`,
    sessionLogGroupName: `/openclaw/${config.stage}/${fleet.name}/sessions`,
    manifestParameterName,
  };
}

/** The gateway endpoint from the configuration. */
export function gatewayEndpoint(config: ResolvedConfig): GatewayEndpoint {
  const { port, path, requireJsonOk, probeTimeoutSeconds } = config.settings.gateway;
  return { port, path, requireJsonOk, probeTimeoutSeconds };
}

/** The description of an imported fleet: everything comes from `clawops.config.ts`, nothing is looked up. */
export function importedFleetDescription(config: ResolvedConfig): FleetDescription {
  const fleet = config.settings.fleet;
  if (fleet.mode !== "import") throw new Error("importedFleetDescription needs fleet.mode = import");
  const names = fleetNames(config);
  return {
    ...names,
    mode: "import",
    instanceRoleArn: fleet.instanceRoleArn,
    vpcId: fleet.vpcId,
    subnetIds: fleet.subnetIds,
    availabilityZones: fleet.availabilityZones,
    securityGroupIds: fleet.securityGroupIds,
    workspace: {
      fileSystemId: fleet.workspaceFileSystemId,
      accessPointId: fleet.workspaceAccessPointId,
      mountPath: WORKSPACE_MOUNT,
    },
    runtime: {
      fileSystemId: fleet.runtimeFileSystemId,
      accessPointId: fleet.runtimeAccessPointId,
      mountPath: RUNTIME_MOUNT,
    },
    secretArn: fleet.secretArn,
    kmsKeyArn: fleet.kmsKeyArn,
    backupPlanId: fleet.backupPlanId,
    gateway: gatewayEndpoint(config),
  };
}
