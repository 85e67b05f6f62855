import { z } from "zod";
import { lifecycleHookIssues } from "./lifecycle-hooks.js";

/** Log retention values CloudWatch Logs accepts (days). "Never expire" is not one: the checklist wants a set retention. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const schedule = z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, {
  message: 'an EventBridge schedule expression such as "rate(5 minutes)" or "cron(0 3 ? * SUN *)"',
});

const isoDate = z.iso.date({ message: "a date as YYYY-MM-DD" });
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), {
    message: `an ARN of ${service} (arn:aws:${service}:...)`,
  });

/** Lifecycle hook settings of the reference fleet (aws-cdk-lib leaves DefaultResult unset unless told). */
export const LifecycleHooksSchema = z.object({
  /** Seconds a launching instance waits for the launch gate before the default result applies. @default 600 */
  launchHeartbeatSeconds: z.number().int().min(30).max(7200).default(600),
  /** @default 300 */
  terminateHeartbeatSeconds: z.number().int().min(30).max(7200).default(300),
  /** What happens when the gate never answers: the instance is not put in service. @default "ABANDON" */
  launchDefaultResult: z.enum(["ABANDON", "CONTINUE"]).default("ABANDON"),
  /** A failed drain must not keep a terminating instance forever. @default "CONTINUE" */
  terminateDefaultResult: z.enum(["ABANDON", "CONTINUE"]).default("CONTINUE"),
});

/** A fleet clawops creates: the reference deployment that meets the production checklist. */
export const ReferenceFleetSchema = z.object({
  mode: z.literal("reference"),
  /** Prefix of the fleet's resource names and tags. @default "openclaw" */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}$/, { message: "lowercase letters, digits and dashes, 2-31 long" })
    .default("openclaw"),
  /** @default "t4g.small" */
  instanceType: z
    .string()
    .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, { message: "an EC2 instance type such as t4g.small" })
    .default("t4g.small"),
  /** @default 2 */
  minSize: z.number().int().min(0).default(2),
  /** @default 2 */
  desiredCapacity: z.number().int().min(0).default(2),
  /** @default 4 */
  maxSize: z.number().int().min(1).default(4),
  /** @default "10.40.0.0/16" */
  vpcCidr: z.cidrv4({ message: "an IPv4 CIDR such as 10.40.0.0/16" }).default("10.40.0.0/16"),
  /** @default 2 */
  maxAzs: z.number().int().min(1).max(6).default(2),
  /** NAT gateways for the allowlisted internet egress (0 = no internet at all, only VPC endpoints). @default 1 */
  natGateways: z.number().int().min(0).max(6).default(1),
  /** Directory of the operator's git repository holding the soul documents. @default "soul" */
  soulDocumentsDir: z.string().min(1).default("soul"),
  /** OpenClaw npm package version installed on the instances. @default "latest" */
  openclawVersion: z.string().min(1).default("latest"),
  /** @default 300 */
  healthCheckGracePeriodSeconds: z.number().int().min(0).max(7200).default(300),
  lifecycleHooks: LifecycleHooksSchema.prefault({}),
  /** Days AWS Backup keeps daily recovery points. @default 35 */
  backupRetentionDays: z.number().int().min(1).default(35),
  /** Also create an AWS Backup restore testing plan for the file systems. @default false */
  restoreTestingPlan: z.boolean().default(false),
});

/** A fleet that already exists, described by ids and ARNs (no synth-time lookups: the app synthesizes offline). */
export const ImportedFleetSchema = z.object({
  mode: z.literal("import"),
  autoScalingGroupName: z.string().min(1),
  instanceRoleArn: arn("iam"),
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { message: "a VPC id (vpc-...)" }),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: "a subnet id (subnet-...)" })).min(1),
  availabilityZones: z.array(z.string().min(1)).min(1),
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]+$/, { message: "a security group id (sg-...)" }))
    .min(1),
  workspaceFileSystemId: z.string().regex(/^fs-[0-9a-f]+$/, { message: "an EFS file system id (fs-...)" }),
  runtimeFileSystemId: z.string().regex(/^fs-[0-9a-f]+$/, { message: "an EFS file system id (fs-...)" }),
  workspaceAccessPointId: z
    .string()
    .regex(/^fsap-[0-9a-f]+$/, { message: "an EFS access point id (fsap-...)" }),
  runtimeAccessPointId: z
    .string()
    .regex(/^fsap-[0-9a-f]+$/, { message: "an EFS access point id (fsap-...)" }),
  /** Security group of the file systems' mount targets. @default the first of `securityGroupIds` */
  fileSystemSecurityGroupId: z
    .string()
    .regex(/^sg-[0-9a-f]+$/, { message: "a security group id (sg-...)" })
    .optional(),
  secretArn: arn("secretsmanager"),
  kmsKeyArn: arn("kms"),
  backupVaultName: z.string().min(2),
  backupPlanId: z.string().min(1),
  gatewayLogGroupName: z.string().min(1),
  sessionLogGroupName: z.string().min(1),
  /** SSM parameter holding the soul-document manifest: `{"files": {<path>: <SHA-256>}}` (a flat map is refused). */
  manifestParameterName: z.string().startsWith("/", { message: "an SSM parameter name starting with /" }),
  /**
   * ARN of the fleet's own AWS Backup restore testing plan: its completed restore jobs of the fleet's file systems
   * (recovery points in `backupVaultName`) are validated by a drill. Checked at synth (a plan's ARN, in the app's
   * region). @default none: restore-testing jobs start no drill
   */
  restoreTestingPlanArn: z.string().min(1).optional(),
  /**
   * The account's own SSM parameter the launch template's image names (`resolve:ssm:<name>`), if it does: the
   * readiness checks may read exactly it (ssm:GetParameter) to tell the AMI's IMDS support. AWS's public
   * parameters (`/aws/service/...`) need nothing. @default none: an account parameter stays unread (`unknown`)
   */
  imageParameterName: z
    .string()
    .regex(/^(?!arn:)[^:]+$/, { message: "an SSM parameter name (not an ARN, no :version selector)" })
    .optional(),
});

export const FleetSchema = z.discriminatedUnion("mode", [ReferenceFleetSchema, ImportedFleetSchema], {
  error: 'fleet.mode must be "reference" (clawops creates the fleet) or "import" (an existing fleet by ids)',
});

/** How clawops judges an OpenClaw gateway healthy. Port, path and test are configuration, not constants. */
export const GatewaySchema = z.object({
  /** @default 18789 */
  port: z.number().int().min(1).max(65535).default(18789),
  /** @default "/health" */
  path: z.string().startsWith("/", { message: 'a URL path starting with "/"' }).default("/health"),
  /** Also require a JSON body with `"ok": true` (some builds answer it). @default false */
  requireJsonOk: z.boolean().default(false),
  /** Seconds curl waits for the gateway on each probe. @default 5 */
  probeTimeoutSeconds: z.number().int().min(1).max(60).default(5),
});

export const SEVERITIES = ["critical", "high", "warning", "info"] as const;
export const SeveritySchema = z.enum(SEVERITIES);

/** One routing rule: alerts of this severity go to this channel, optionally mentioning a user group. */
export const RouteSchema = z.object({
  severity: SeveritySchema,
  /** Slack channel id (C...) or name as configured in `channels`. */
  channel: z.string().min(1),
  /** A Slack mention such as `<!subteam^S0123>` or `<!here>`, added to the message. */
  mention: z
    .string()
    .regex(/^<!(subteam\^[A-Z0-9]+|here|channel)>$/, {
      message: "a Slack mention such as <!subteam^S0123ABC> or <!here>",
    })
    .optional(),
});

export const SlackSchema = z.object({
  /** Channel used when no route matches. */
  defaultChannel: z.string().min(1),
  routes: z.array(RouteSchema).default([]),
  /** What to do with INSUFFICIENT_DATA transitions. @default "post-as-info" */
  insufficientData: z.enum(["ignore", "post-as-info"]).default("post-as-info"),
  /** Slack Web API base URL (the sandbox points it at its local server). @default "https://slack.com/api/" */
  apiUrl: z.url().default("https://slack.com/api/"),
  /** Channel names used in `defaultChannel` and `routes`, mapped to Slack channel ids (C...). @default {} */
  channels: z.record(z.string(), z.string().min(1)).default({}),
  /** Upload a CloudWatch graph of the metric into an ALARM's thread. @default true */
  metricGraphs: z.boolean().default(true),
});

export const AlertsSchema = z.object({
  /** Which CloudWatch alarms are routed: name prefixes and exact names (clawops' own alarms are always routed). */
  alarmNamePrefixes: z.array(z.string().min(1)).default([]),
  alarmNames: z.array(z.string().min(1)).default([]),
  /** Alarms flipping within this many seconds are grouped into one message. @default 60 */
  stormWindowSeconds: z.number().int().min(10).max(900).default(60),
  /** How many alarms in one window make a storm. @default 5 */
  stormThreshold: z.number().int().min(2).default(5),
  /** Email for the dead-letter-queue alarm's SNS fallback (an alert about alerts not reaching Slack). */
  fallbackEmail: z.email({ message: "an email address" }).optional(),
  /**
   * Severity of alarms that carry no `severity` tag, by exact alarm name or by a prefix ending in `*`
   * (`"clawops-prod-fleet-*": "critical"`); the longest match wins. @default {}
   */
  alarmSeverities: z.record(z.string().min(1), SeveritySchema).default({}),
  /** Severity when neither a tag, `alarmSeverities` nor the name (`...-critical`) says. @default "high" */
  defaultSeverity: SeveritySchema.default("high"),
  /** Days alert threads and dedup keys are kept in the state table (DynamoDB TTL). @default 14 */
  stateTtlDays: z.number().int().min(1).max(365).default(14),
});

export const LifecycleSchema = z.object({
  /** Healthy probes in a row before a launch is completed with CONTINUE. @default 2 */
  healthyProbesRequired: z.number().int().min(1).max(20).default(2),
  /** @default 15 */
  probeIntervalSeconds: z.number().int().min(5).max(300).default(15),
  /** After this many seconds without a healthy gateway the launch is ABANDONed. @default 900 */
  launchDeadlineSeconds: z
    .number()
    .int()
    .min(60)
    .max(7200 * 10)
    .default(900),
  /** @default 120 */
  drainTimeoutSeconds: z.number().int().min(10).max(3600).default(120),
  /** Reconciler for lifecycle events EventBridge did not deliver. @default "rate(5 minutes)" */
  reconcileSchedule: schedule.default("rate(5 minutes)"),
  /** systemd unit the terminate drain stops. @default "openclaw-gateway" */
  gatewayServiceName: z
    .string()
    .regex(/^[A-Za-z0-9@._-]+$/, { message: "a systemd unit name such as openclaw-gateway" })
    .default("openclaw-gateway"),
  /**
   * The launch hook's HeartbeatTimeout when it differs from the fleet's (imported fleets: set it). The launch
   * deadline must end before AWS ends the action: `launchDeadlineSeconds + probeIntervalSeconds <= min(100 × this,
   * 48 h)`. @default the reference fleet's launchHeartbeatSeconds, 300 for imported fleets
   */
  hookHeartbeatSeconds: z.number().int().min(30).max(7200).optional(),
});

/**
 * The monitor's schedule: a `rate()` of at most an hour. The unhealthy-gateways alarm takes one period per run
 * (stacks/Lifecycle.ts), which a cron expression does not give, and an alarm evaluates at most a day.
 */
const monitorSchedule = z
  .string()
  .regex(/^rate\((\d+) (minute|minutes|hour|hours)\)$/, {
    message: 'a rate() of minutes or hours such as "rate(1 minute)" (the alarm takes one period per run)',
  })
  .refine((s) => {
    const [, n = "0", unit = ""] = /^rate\((\d+) (\w+)\)$/.exec(s) ?? [];
    const seconds = Number(n) * (unit.startsWith("hour") ? 3600 : 60);
    return seconds >= 60 && seconds <= 3600;
  }, "a rate between 1 minute and 1 hour");

export const MonitorSchema = z.object({
  /** @default "rate(1 minute)" */
  schedule: monitorSchedule.default("rate(1 minute)"),
  /** Consecutive failed probes before the instance is marked Unhealthy. @default 3 */
  unhealthyAfter: z.number().int().min(1).max(60).default(3),
});

export const DrillsSchema = z.object({
  /** Scheduled restore drill; `null` turns the schedule off (on-demand only). @default "cron(0 3 ? * SUN *)" */
  schedule: schedule.nullable().default("cron(0 3 ? * SUN *)"),
  /** Whole drill timeout; cleanup still runs after it. @default 180 */
  timeoutMinutes: z
    .number()
    .int()
    .min(10)
    .max(24 * 60)
    .default(180),
  /** Runtime data: allowed difference in bytes and file count against the source, percent. @default 5 */
  sizeTolerancePercent: z.number().min(0).max(100).default(5),
  /** Alarm when no drill has passed for this many days. @default 8 */
  maxDaysWithoutPass: z.number().int().min(1).max(90).default(8),
  /** The sweeper deletes drill resources older than this. @default 24 */
  sweeperMaxAgeHours: z.number().int().min(1).max(168).default(24),
  /** Directory of the soul documents inside the workspace file system (its access point's root). @default "/workspace" */
  workspacePath: z.string().startsWith("/").default("/workspace"),
  /** Directory of the runtime data inside the runtime file system. @default "/runtime" */
  runtimePath: z.string().startsWith("/").default("/runtime"),
  /**
   * Must stay false. For Amazon EFS, AWS Backup reports a recovery point's BackupSizeInBytes as the bytes that
   * incremental backup transferred (what changed since the previous one), not the file system's size: compared
   * with a restored runtime it fails every drill after the first backup. The drill reports the restored
   * runtime's file count and bytes as figures instead. @default false
   */
  compareRuntimeBytes: z
    .boolean()
    .default(false)
    .refine(
      (compare) => !compare,
      "false: for Amazon EFS a recovery point's BackupSizeInBytes is the delta its incremental backup transferred, not the file system's size, so a restored runtime cannot be compared with it (the drill reports the runtime's files and bytes as figures)",
    ),
});

/** The failure drill: stop one gateway and measure alarm, alert and replacement against these windows. */
export const FailureDrillSchema = z.object({
  /** Seconds from the gateway stop until the unhealthy-gateway alarm is in ALARM. @default 300 */
  alarmWithinSeconds: z.number().int().min(60).max(3600).default(300),
  /** Seconds from the alarm until the alert router delivered it to Slack (the checklist says two minutes). @default 120 */
  alertWithinSeconds: z.number().int().min(10).max(600).default(120),
  /** Seconds from the gateway stop until a replacement is InService (it passed the launch gate). @default 900 */
  replacementWithinSeconds: z.number().int().min(60).max(7200).default(900),
  /** Scheduled failure drill; `null` runs it on demand only (`clawops drill --failure`). @default null */
  schedule: schedule.nullable().default(null),
});

export const AttestationSchema = z.object({
  /** Check id this attests (e.g. `soul.pr-review`). */
  id: z.string().min(1),
  by: z.string().min(1),
  at: isoDate,
  /** After this date the attestation no longer counts. */
  expires: isoDate,
  note: z.string().optional(),
});

export const ReadinessSchema = z.object({
  /** @default "rate(1 hour)" */
  schedule: schedule.default("rate(1 hour)"),
  /** The recovery procedure document (path in the operator's repository) and its last review. */
  recoveryProcedure: z
    .object({ path: z.string().min(1), reviewedAt: isoDate.optional(), reviewedBy: z.string().optional() })
    .default({ path: "docs/recovery.md" }),
  /** A review older than this many days fails the check. @default 90 */
  recoveryReviewMaxAgeDays: z.number().int().min(1).default(90),
  /** Session logs must have arrived within this many minutes. @default 60 */
  logsFreshMinutes: z.number().int().min(1).default(60),
  attestations: z.array(AttestationSchema).default([]),
  /** An approval gate's recorded test (testedAt) counts for this many days. @default 90 */
  approvalTestMaxAgeDays: z.number().int().min(1).default(90),
  /** The last failure drill (and observed replacement) counts for this many days. @default 30 */
  failureDrillMaxAgeDays: z.number().int().min(1).default(30),
  /** Every file system must have a completed backup this recent (daily plus slack). @default 26 */
  backupMaxAgeHours: z.number().int().min(1).default(26),
  /** Replacement window when no failure drill states one. @default 600 */
  replacementWindowSeconds: z.number().int().min(60).default(600),
  /** An IPv4 address outside the allowlist that the on-instance egress probe must fail to reach. @default "1.1.1.1" */
  egressProbeHost: z.ipv4({ message: "an IPv4 address outside the egress allowlist" }).default("1.1.1.1"),
  /** @default 443 */
  egressProbePort: z.number().int().min(1).max(65535).default(443),
  /** Seconds before the egress probe calls it a timeout. @default 5 */
  egressProbeTimeoutSeconds: z.number().int().min(1).max(30).default(5),
});

export const EvalsSchema = z.object({
  /** Minimum cases per skill (normal, decline/escalate, edge). @default 3 */
  minCasesPerSkill: z.number().int().min(1).default(3),
  /** The last scheduled eval run must be at most this old. @default 7 */
  maxAgeDays: z.number().int().min(1).default(7),
});

/** An action that needs a human's approval before the agent may do it (checklist section 8). */
export const ApprovalGateSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: "lowercase letters, digits and dashes" }),
  /** The specific, testable rule, e.g. "Any deletion of CRM records". */
  description: z
    .string()
    .min(10, { message: 'a specific rule (10+ characters), e.g. "Any deletion of CRM records"' }),
  /** When the gate was last tested and by whom (the attestation). */
  testedAt: isoDate.optional(),
  testedBy: z.string().optional(),
});

/** One allowed outbound destination of the fleet, on port 443 unless said otherwise. */
export const EgressRuleSchema = z
  .object({
    name: z.string().min(1),
    cidr: z.union([z.cidrv4(), z.cidrv6()], { error: "an IPv4 or IPv6 CIDR" }).optional(),
    prefixListId: z
      .string()
      .regex(/^pl-[0-9a-f]+$/, { message: "a managed prefix list id (pl-...)" })
      .optional(),
    port: z.number().int().min(1).max(65535).default(443),
  })
  .refine((rule) => (rule.cidr === undefined) !== (rule.prefixListId === undefined), {
    message: "exactly one of cidr or prefixListId",
  })
  .refine((rule) => rule.cidr !== "0.0.0.0/0" && rule.cidr !== "::/0", {
    message: "a specific destination, not the whole internet (0.0.0.0/0 or ::/0)",
    path: ["cidr"],
  });

/** Every setting of a stage, before the checks across settings. */
const StageSettingsObjectSchema = z.object({
  fleet: FleetSchema,
  gateway: GatewaySchema.prefault({}),
  slack: SlackSchema,
  alerts: AlertsSchema.prefault({}),
  lifecycle: LifecycleSchema.prefault({}),
  monitor: MonitorSchema.prefault({}),
  drills: DrillsSchema.prefault({}),
  failureDrill: FailureDrillSchema.prefault({}),
  readiness: ReadinessSchema.prefault({}),
  evals: EvalsSchema.prefault({}),
  /** Log retention in days for the fleet's and clawops' log groups. @default 365 */
  logRetentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(365),
  /**
   * Powertools Tracer on every clawops function: a `## handler` subsegment with cold-start and service
   * annotations. It loads the X-Ray SDK (about 120 KB, a third of a function's code) on each cold start's first
   * invocation, so it is off unless you are chasing something; Lambda's own active tracing (init, invocation,
   * overhead, joined to the workflows' traces) is on either way. @default false
   */
  handlerTracing: z.boolean().default(false),
  egressAllowlist: z.array(EgressRuleSchema).default([]),
  approvalGates: z.array(ApprovalGateSchema).default([]),
});

/** Everything an operator sets for one stage. */
export const StageSettingsSchema = StageSettingsObjectSchema.superRefine((settings, ctx) => {
  // A deadline or drain timeout the lifecycle hooks cannot outlive would end in AWS's default result, not clawops'.
  for (const { path, message } of lifecycleHookIssues(settings))
    ctx.addIssue({ code: "custom", path, message });
});

export const ClawopsConfigSchema = z.object({
  app: z.object({
    /** SST app name. @default "clawops" */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { message: "lowercase letters, digits and dashes" })
      .default("clawops"),
    /** @default "us-east-1" */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: "an AWS region such as us-east-1" })
      .default("us-east-1"),
  }),
  /** Settings shared by every stage. */
  defaults: z.record(z.string(), z.unknown()).default({}),
  /** Per-stage overrides, merged over `defaults`. */
  stages: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});

export type StageSettings = z.infer<typeof StageSettingsSchema>;
export type StageSettingsInput = z.input<typeof StageSettingsSchema>;
export type FleetSettings = z.infer<typeof FleetSchema>;
export type ReferenceFleetSettings = z.infer<typeof ReferenceFleetSchema>;
export type ImportedFleetSettings = z.infer<typeof ImportedFleetSchema>;
export type Severity = z.infer<typeof SeveritySchema>;
