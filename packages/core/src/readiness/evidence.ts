import type { EvalReport } from "./evals.js";
import type { ProbeOutcome } from "./probes.js";

/** A piece of evidence that could not be gathered, and why (checks that read it report `unknown`). */
export interface Unavailable {
  readonly unavailable: string;
}

/** Evidence that may be missing because its API call failed. */
export type Gathered<T> = T | Unavailable;

/** True when the evidence could not be gathered. */
export function isUnavailable(value: unknown): value is Unavailable {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Unavailable).unavailable === "string"
  );
}

/** One Auto Scaling activity (DescribeScalingActivities), enough to find the last replacement. */
export interface ScalingActivity {
  readonly description: string;
  readonly cause: string;
  readonly statusCode: string;
  readonly startTime: string;
  readonly endTime?: string;
}

export interface AutoScalingGroupEvidence {
  readonly name: string;
  readonly healthCheckType: string;
  readonly subnetIds: readonly string[];
  readonly launchTemplateId?: string;
  readonly launchTemplateVersion?: string;
  readonly instances: readonly {
    readonly instanceId: string;
    readonly lifecycleState: string;
    readonly healthStatus: string;
  }[];
  readonly activities: readonly ScalingActivity[];
}

export interface InstanceEvidence {
  readonly instanceId: string;
  readonly state: string;
  readonly subnetId?: string;
  /** Every public IPv4 address of the instance, on any interface (comma-separated); absent when none. */
  readonly publicIpv4?: string;
  readonly ipv6Addresses: readonly string[];
  /** `required` or `optional` (IMDSv2). */
  readonly httpTokens?: string;
  readonly httpEndpoint?: string;
  readonly volumes: readonly { readonly volumeId: string; readonly encrypted?: boolean }[];
}

export interface LaunchTemplateEvidence {
  readonly id: string;
  readonly version: string;
  /** `MetadataOptions.HttpTokens`; unset leaves it to the account's default, then to the AMI. */
  readonly httpTokens?: string;
  /** `LaunchTemplateData.ImageId` (an AMI id, or a `resolve:ssm:` parameter). */
  readonly imageId?: string;
  /**
   * The AMI id a `resolve:ssm:` image resolves to (ssm:GetParameter on the parameter, as EC2 does at launch).
   * Read only when the AMI decides HttpTokens; unavailable when the parameter could not be read.
   */
  readonly resolvedImageId?: Gathered<string>;
  /**
   * `HttpTokens` of the account's instance metadata defaults in the region (GetInstanceMetadataDefaults
   * `AccountLevel`): `null` when the account has none. Read only when the template leaves HttpTokens unset;
   * unavailable when the call failed.
   */
  readonly accountHttpTokens?: Gathered<string | null>;
  /**
   * `HttpTokensEnforced` of the same `AccountLevel` is `enabled`: EC2 refuses to launch an instance whose
   * HttpTokens does not resolve to `required`. Read only when the template does not set HttpTokens `required`;
   * unavailable when the call failed.
   */
  readonly accountHttpTokensEnforced?: Gathered<boolean>;
  /**
   * `ImdsSupport` of the template's AMI (DescribeImages; `v2.0` makes launches require IMDSv2): `null` when
   * the AMI sets none. Read only when neither the template nor the account decides HttpTokens.
   */
  readonly imageImdsSupport?: Gathered<string | null>;
  readonly associatePublicIp: boolean;
  /** Each EBS block device's `Encrypted`; `undefined` when unset (the account's default then decides). */
  readonly ebsEncrypted: readonly (boolean | undefined)[];
  /**
   * `ec2:GetEbsEncryptionByDefault` of the account and region: when on, every new volume is encrypted, so a
   * device with `Encrypted` unset is too. Read only when a device leaves it unset; unavailable when the call
   * failed.
   */
  readonly ebsEncryptionByDefault?: Gathered<boolean>;
  /** Decoded user data (scanned for credentials, never stored in a report). */
  readonly userData: string;
}

export interface LifecycleHookEvidence {
  readonly name: string;
  readonly transition: string;
  readonly heartbeatTimeout?: number;
  readonly defaultResult?: string;
}

export interface IpRule {
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  readonly ipv6Cidrs: readonly string[];
  readonly prefixListIds: readonly string[];
  readonly groupIds: readonly string[];
}

export interface SecurityGroupEvidence {
  readonly groupId: string;
  readonly inbound: readonly IpRule[];
  readonly outbound: readonly IpRule[];
}

export interface PrefixListEvidence {
  readonly id: string;
  readonly name: string;
}

export interface SubnetEvidence {
  readonly subnetId: string;
  readonly mapPublicIpOnLaunch: boolean;
  readonly assignIpv6OnCreation: boolean;
  /** Targets of the routes of the subnet's route table (explicit association, else the main table). */
  readonly routeTargets: readonly {
    readonly destination: string;
    readonly target: string;
    /** `blackhole` when the target is gone (a deleted gateway): the route carries no traffic. @default active */
    readonly state?: string;
  }[];
}

export interface NetworkEvidence {
  /** The IPv4 CIDRs of the group's VPCs (primary and secondary). */
  readonly vpcCidrs: readonly string[];
  /** The IPv6 CIDRs associated with the group's VPCs (`Ipv6CidrBlockAssociationSet`). */
  readonly vpcIpv6Cidrs: readonly string[];
  readonly securityGroups: readonly SecurityGroupEvidence[];
  readonly subnets: readonly SubnetEvidence[];
  readonly prefixLists: readonly PrefixListEvidence[];
}

export interface FileSystemEvidence {
  readonly fileSystemId: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  /** The file system policy document, parsed; `null` when it has none. */
  readonly policy: PolicyDocument | null;
}

/** An IAM-style policy document as JSON. */
export interface PolicyDocument {
  readonly Statement?: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface SecretEvidence {
  readonly arn: string;
  readonly name: string;
  readonly kmsKeyId?: string;
  /** `null` when the secret has none, or when it could not be read (`policyUnreadable` then says why). */
  readonly resourcePolicy: PolicyDocument | null;
  /** Why GetResourcePolicy failed for this secret (e.g. its own policy denies the readiness role). */
  readonly policyUnreadable?: string;
}

/** One `iam:SimulatePrincipalPolicy` result. */
export interface SimulationEvidence {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  /** `allowed`, `explicitDeny` or `implicitDeny`. */
  readonly decision: string;
  /** Context keys the simulation needed and did not have: the decision is then inconclusive. */
  readonly missingContextKeys: readonly string[];
}

export interface AlarmEvidence {
  readonly name: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly actionsEnabled: boolean;
  readonly state: string;
  /** `TreatMissingData`; unset means `missing`. */
  readonly treatMissingData?: string;
  /** The alarm's period in seconds (one monitor run's, for the Lifecycle stack's alarm). */
  readonly periodSeconds?: number;
  /**
   * Newest datapoint of the alarm's metric within its window (`metricDataWindowMinutes`; looked up for
   * clawops' own `Clawops` namespace only): an ISO time, `null` when there is none, unavailable when
   * GetMetricData failed. The state alone does not prove data: with TreatMissingData `notBreaching` (the
   * Lifecycle stack's) or `ignore`, an alarm whose metric stopped arriving stays `OK`.
   */
  readonly latestDatapointAt?: Gathered<string | null>;
}

/** How far back the gateway metric must have a datapoint at least (the health monitor publishes every minute). */
export const METRIC_DATA_WINDOW_MINUTES = 15;

/**
 * How far back an alarm's metric must have a datapoint: `METRIC_DATA_WINDOW_MINUTES`, or three of the alarm's
 * periods when longer (a monitor on `rate(1 hour)` publishes once an hour, and its alarm takes that period).
 */
export function metricDataWindowMinutes(periodSeconds: number | undefined): number {
  return Math.max(METRIC_DATA_WINDOW_MINUTES, Math.ceil((3 * (periodSeconds ?? 60)) / 60));
}

export interface LogGroupEvidence {
  readonly name: string;
  /** `undefined` means "never expire". */
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
  /** Time of the newest event found within the freshness window, if any. */
  readonly latestEventAt?: string;
  /**
   * Why the search for an event stopped before FilterLogEvents said it had scanned everything (its page budget
   * ran out with a nextToken pending): no event found then proves nothing.
   */
  readonly eventScanIncomplete?: string;
}

export interface BackupRuleEvidence {
  readonly name: string;
  readonly schedule: string;
  readonly vaultName: string;
  readonly deleteAfterDays?: number;
}

/**
 * One backup selection as GetBackupSelection returns it. AWS Backup assigns a resource when it is not in
 * `notResources` and either matches `resources` AND every one of `conditions`, or has one of `listOfTags`.
 */
export interface BackupSelectionEvidence {
  readonly name: string;
  /** ARNs, wildcard ARNs or `*`. */
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** Tag conditions, all of which must hold: `StringEquals`, `StringNotEquals`, `StringLike`, `StringNotLike`. */
  readonly conditions: readonly {
    readonly operator: string;
    readonly tagKey: string;
    readonly value: string;
  }[];
  /** Tags (StringEquals) any one of which assigns a resource on its own. */
  readonly listOfTags: readonly { readonly tagKey: string; readonly value: string }[];
}

export interface BackupEvidence {
  readonly plan: {
    readonly id: string;
    readonly name: string;
    readonly rules: readonly BackupRuleEvidence[];
  } | null;
  /** The plan's resource assignments (every page of ListBackupSelections). */
  readonly selections: readonly BackupSelectionEvidence[];
  /**
   * Tags of the fleet's file systems (file system id → tags), read only when a selection assigns by tag
   * (Conditions or ListOfTags); absent otherwise.
   */
  readonly fileSystemTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly vault: { readonly name: string; readonly encryptionKeyArn?: string } | null;
  readonly jobs: readonly {
    readonly resourceArn: string;
    readonly state: string;
    readonly completedAt?: string;
    readonly createdAt: string;
  }[];
}

/**
 * A restore drill as the drills flow records it. A `clawops drill` covers every fleet file system (or those
 * asked for); a restore-testing validation covers the one file system its job restored.
 */
export interface RestoreDrillRecord {
  readonly drillId: string;
  readonly at: string;
  readonly passed: boolean;
  readonly reason?: string;
  readonly fileSystems: readonly {
    readonly fileSystemId: string;
    readonly rpoSeconds: number | null;
    readonly rtoSeconds: number | null;
    readonly mismatches: readonly { readonly path: string; readonly reason: string }[];
    /** This file system's own result (the drill's `passed` when the record does not say). */
    readonly passed?: boolean;
    /** Why its branch could not finish, when it could not. */
    readonly failure?: string;
  }[];
}

/** The last failure drill (gateway stopped on one instance) and what it measured, seconds; `null` = never seen. */
export interface FailureDrillRecord {
  readonly drillId: string;
  readonly at: string;
  readonly alarmSeconds: number | null;
  readonly alertDeliveredSeconds: number | null;
  readonly replacementSeconds: number | null;
  readonly windows: {
    readonly alarmSeconds: number;
    readonly alertSeconds: number;
    readonly replacementSeconds: number;
  };
}

/** A Lambda function's environment, for the "no secrets in environment variables" scan. */
export interface FunctionEnvironmentEvidence {
  readonly functionName: string;
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * Everything a readiness run knows, gathered once (batched, paginated) and then read by every check.
 * Each key may be `Unavailable` when its calls failed; the checks reading it then report `unknown`.
 */
export interface Evidence {
  readonly autoScalingGroup: Gathered<AutoScalingGroupEvidence | null>;
  readonly instances: Gathered<readonly InstanceEvidence[]>;
  readonly launchTemplate: Gathered<LaunchTemplateEvidence | null>;
  readonly lifecycleHooks: Gathered<readonly LifecycleHookEvidence[]>;
  readonly network: Gathered<NetworkEvidence>;
  readonly fileSystems: Gathered<readonly FileSystemEvidence[]>;
  readonly secrets: Gathered<readonly SecretEvidence[]>;
  readonly simulations: Gathered<readonly SimulationEvidence[]>;
  readonly functionEnvironments: Gathered<readonly FunctionEnvironmentEvidence[]>;
  readonly alarms: Gathered<readonly AlarmEvidence[]>;
  readonly logGroups: Gathered<readonly LogGroupEvidence[]>;
  readonly backup: Gathered<BackupEvidence>;
  /**
   * For each fleet file system, the newest drill record that covered it (newest first; a drill that covered
   * several appears once). Empty when no drill ever ran.
   */
  readonly restoreDrills: Gathered<readonly RestoreDrillRecord[]>;
  readonly failureDrill: Gathered<FailureDrillRecord | null>;
  readonly evals: Gathered<{ readonly latest: EvalReport | null; readonly lastScheduled: EvalReport | null }>;
  /** The deployed soul-document manifest: path → SHA-256. */
  readonly manifest: Gathered<Readonly<Record<string, string>> | null>;
  /** On-instance probe outcome per InService instance id. */
  readonly probes: Gathered<Readonly<Record<string, ProbeOutcome>>>;
}

/**
 * The evidence value, for a check that declared the key (the runner has already turned an unavailable key
 * into `unknown`, so this throws only when a check reads a key it did not declare).
 */
export function available<T>(value: Gathered<T>): T {
  if (isUnavailable(value)) throw new Error(`evidence not available: ${value.unavailable}`);
  return value as T;
}
