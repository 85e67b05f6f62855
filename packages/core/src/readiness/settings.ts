import type { StageSettings } from "../config/schema.js";
import type { FleetDescription } from "../fleet/description.js";

/** The parts of the fleet description the readiness checks compare against. */
export type ReadinessFleet = Pick<
  FleetDescription,
  | "name"
  | "autoScalingGroupName"
  | "launchHookName"
  | "terminateHookName"
  | "instanceRoleArn"
  | "securityGroupIds"
  | "subnetIds"
  | "workspace"
  | "runtime"
  | "secretArn"
  | "kmsKeyArn"
  | "backupVaultName"
  | "backupPlanId"
  | "gatewayLogGroupName"
  | "sessionLogGroupName"
  | "manifestParameterName"
>;

/** The alerts path's isolated secret and the only role that may read it (from the Alerts stack). */
export interface AlertsIdentity {
  readonly secretArn: string;
  readonly routerRoleArn: string;
}

/** Knobs of the readiness run that are not in the operator's config (derived by the stack). */
export interface ReadinessSettings {
  readonly stage: string;
  readonly region: string;
  readonly fleet: ReadinessFleet;
  /** `undefined` when the Alerts stack is not deployed: the isolation check is then `unknown`. */
  readonly alerts?: AlertsIdentity;
  /** Alarm names/prefixes the alerts path routes (clawops' own `clawops-<stage>-` is always routed). */
  readonly routedAlarms: { readonly namePrefixes: readonly string[]; readonly names: readonly string[] };
  readonly readiness: ReadinessOptions;
  readonly evals: StageSettings["evals"];
  readonly logRetentionDays: number;
  readonly egressAllowlist: StageSettings["egressAllowlist"];
  readonly approvalGates: StageSettings["approvalGates"];
  /** A restore drill must have passed within this many days. */
  readonly drillMaxDaysWithoutPass: number;
  readonly lifecycle: {
    readonly launchDeadlineSeconds: number;
    /**
     * The launch hook's HeartbeatTimeout the gate heartbeats by (lifecycle.hookHeartbeatSeconds, else the reference
     * fleet's hook, else 300 s); absent in settings written before it existed.
     */
    readonly launchHeartbeatSeconds?: number | undefined;
    /** The terminate hook's HeartbeatTimeout the drain heartbeats by, where clawops knows it (reference fleets). */
    readonly terminateHeartbeatSeconds?: number | undefined;
  };
}

/** The readiness section of the config, with the fields the checks read. */
export type ReadinessOptions = Omit<StageSettings["readiness"], keyof ReadinessTuning> &
  Partial<ReadinessTuning>;

/** Tuning with defaults (added to the config schema as optional fields). */
export interface ReadinessTuning {
  /** An approval gate's recorded test counts for this many days. @default 90 */
  readonly approvalTestMaxAgeDays: number;
  /** A failure drill counts for this many days. @default 30 */
  readonly failureDrillMaxAgeDays: number;
  /** Every file system must have a completed backup this recent. @default 26 */
  readonly backupMaxAgeHours: number;
  /** A host:port outside the allowlist that the egress probe must fail to reach. @default 1.1.1.1:443 */
  readonly egressProbeHost: string;
  readonly egressProbePort: number;
  /** Seconds the egress probe waits before calling it a timeout. @default 5 */
  readonly egressProbeTimeoutSeconds: number;
  /** Replacement window used when no failure drill states one. @default 600 */
  readonly replacementWindowSeconds: number;
}

/** Defaults of the tuning fields. */
export const READINESS_TUNING_DEFAULTS: ReadinessTuning = {
  approvalTestMaxAgeDays: 90,
  failureDrillMaxAgeDays: 30,
  backupMaxAgeHours: 26,
  egressProbeHost: "1.1.1.1",
  egressProbePort: 443,
  egressProbeTimeoutSeconds: 5,
  replacementWindowSeconds: 600,
};

/** The tuning values in effect. */
export function tuning(settings: ReadinessSettings): ReadinessTuning {
  const r = settings.readiness;
  return {
    approvalTestMaxAgeDays: r.approvalTestMaxAgeDays ?? READINESS_TUNING_DEFAULTS.approvalTestMaxAgeDays,
    failureDrillMaxAgeDays: r.failureDrillMaxAgeDays ?? READINESS_TUNING_DEFAULTS.failureDrillMaxAgeDays,
    backupMaxAgeHours: r.backupMaxAgeHours ?? READINESS_TUNING_DEFAULTS.backupMaxAgeHours,
    egressProbeHost: r.egressProbeHost ?? READINESS_TUNING_DEFAULTS.egressProbeHost,
    egressProbePort: r.egressProbePort ?? READINESS_TUNING_DEFAULTS.egressProbePort,
    egressProbeTimeoutSeconds:
      r.egressProbeTimeoutSeconds ?? READINESS_TUNING_DEFAULTS.egressProbeTimeoutSeconds,
    replacementWindowSeconds:
      r.replacementWindowSeconds ?? READINESS_TUNING_DEFAULTS.replacementWindowSeconds,
  };
}
