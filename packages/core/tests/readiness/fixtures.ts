import {
  type Evidence,
  type ReadinessProbeResult,
  type ReadinessSettings,
  soulDocumentsDigest,
} from "@clawops/core/readiness";

export const NOW = new Date("2026-03-02T08:00:00Z");
export const ACCOUNT = "123456789012";
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/clawops-test-fleet-instance`;
export const ROUTER = `arn:aws:iam::${ACCOUNT}:role/clawops-test-alert-router`;
export const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:clawops/test/fleet-AbCdEf`;
export const ALERTS_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:clawops/test/alerts-GhIjKl`;
export const OTHER_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:payroll/db-MnOpQr`;
export const SOUL_SHA = "a".repeat(64);
export const AGENTS_SHA = "b".repeat(64);
export const SKILL_SHA = "c".repeat(64);

/** Settings of a fleet that meets the checklist. */
export function settings(overrides: Partial<ReadinessSettings> = {}): ReadinessSettings {
  return {
    stage: "test",
    region: "us-east-1",
    fleet: {
      name: "openclaw",
      autoScalingGroupName: "clawops-test-openclaw",
      launchHookName: "openclaw-launch-gate",
      terminateHookName: "openclaw-terminate-drain",
      instanceRoleArn: ROLE,
      securityGroupIds: ["sg-0fleet"],
      subnetIds: ["subnet-0a", "subnet-0b"],
      workspace: {
        fileSystemId: "fs-0work",
        accessPointId: "fsap-0work",
        mountPath: "/mnt/openclaw/workspace",
      },
      runtime: { fileSystemId: "fs-0run", accessPointId: "fsap-0run", mountPath: "/mnt/openclaw/runtime" },
      secretArn: SECRET,
      kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`,
      backupVaultName: "clawops-test-openclaw",
      backupPlanId: "plan-1",
      gatewayLogGroupName: "/openclaw/test/openclaw/gateway",
      sessionLogGroupName: "/openclaw/test/openclaw/sessions",
      manifestParameterName: "/clawops/test/soul-manifest",
    },
    alerts: { secretArn: ALERTS_SECRET, routerRoleArn: ROUTER },
    routedAlarms: { namePrefixes: [], names: [] },
    readiness: {
      schedule: "rate(1 hour)",
      recoveryProcedure: { path: "docs/recovery.md", reviewedAt: "2026-02-01", reviewedBy: "dana" },
      recoveryReviewMaxAgeDays: 90,
      logsFreshMinutes: 60,
      attestations: [
        { id: "soul-documents.pr-review", by: "sam", at: "2026-02-01", expires: "2026-08-01" },
        { id: "credentials.integration-bot-accounts", by: "sam", at: "2026-02-01", expires: "2026-08-01" },
        { id: "network.tailscale-access", by: "sam", at: "2026-02-01", expires: "2026-08-01" },
        { id: "skill-evals.ci-pipeline", by: "sam", at: "2026-02-01", expires: "2026-08-01" },
      ],
    },
    evals: { minCasesPerSkill: 3, maxAgeDays: 7 },
    logRetentionDays: 365,
    egressAllowlist: [{ name: "anthropic-api", cidr: "160.79.104.0/23", port: 443 }],
    approvalGates: [
      {
        id: "crm-delete",
        description: "Any deletion of CRM records",
        testedAt: "2026-02-10",
        testedBy: "sam",
      },
    ],
    drillMaxDaysWithoutPass: 8,
    lifecycle: { launchDeadlineSeconds: 900, launchHeartbeatSeconds: 600, terminateHeartbeatSeconds: 300 },
    ...overrides,
  };
}

/**
 * What the probe prints on a healthy instance. The digest and the skill count follow the (overridden) documents
 * and skills unless given.
 */
export function probeResult(overrides: Partial<ReadinessProbeResult> = {}): ReadinessProbeResult {
  const result = {
    workspaceWrite: "erofs",
    runtimeWrite: "allowed",
    imdsV1Status: 401,
    egressExit: 28,
    credentialScan: { status: "clean", count: 0, files: [] },
    soulDocuments: { "SOUL.md": SOUL_SHA, "AGENTS.md": AGENTS_SHA, "skills/crm-cleanup/SKILL.md": SKILL_SHA },
    soulDocumentCount: 3,
    soulUnreadableCount: 0,
    skills: ["crm-cleanup"],
    approvals: { status: "exposed", ask: ["on-miss"] },
    ...overrides,
  } as const;
  return {
    soulDigest: soulDocumentsDigest(result.soulDocuments),
    skillCount: result.skills.length,
    ...result,
  };
}

const sim = (principalArn: string, resourceArn: string, decision: string) => ({
  principalArn,
  action: "secretsmanager:GetSecretValue",
  resourceArn,
  decision,
  missingContextKeys: [],
});

/** Evidence of a fleet that meets every machine-verifiable item. */
export function goodEvidence(): Evidence {
  const fsArn = (id: string) => `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${id}`;
  return {
    autoScalingGroup: {
      name: "clawops-test-openclaw",
      healthCheckType: "EC2",
      subnetIds: ["subnet-0a", "subnet-0b"],
      launchTemplateId: "lt-0abc",
      launchTemplateVersion: "3",
      instances: [
        { instanceId: "i-01", lifecycleState: "InService", healthStatus: "Healthy" },
        { instanceId: "i-02", lifecycleState: "InService", healthStatus: "Healthy" },
      ],
      activities: [],
    },
    instances: ["i-01", "i-02"].map((instanceId) => ({
      instanceId,
      state: "running",
      subnetId: "subnet-0a",
      ipv6Addresses: [],
      httpTokens: "required",
      httpEndpoint: "enabled",
      volumes: [{ volumeId: `vol-${instanceId}`, encrypted: true }],
    })),
    launchTemplate: {
      id: "lt-0abc",
      version: "3",
      httpTokens: "required",
      associatePublicIp: false,
      ebsEncrypted: [true],
      userData: "#!/bin/bash\necho start",
    },
    lifecycleHooks: [
      {
        name: "openclaw-launch-gate",
        transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        heartbeatTimeout: 600,
        defaultResult: "ABANDON",
      },
      {
        name: "openclaw-terminate-drain",
        transition: "autoscaling:EC2_INSTANCE_TERMINATING",
        heartbeatTimeout: 300,
        defaultResult: "CONTINUE",
      },
    ],
    network: {
      vpcCidrs: ["10.40.0.0/16"],
      vpcIpv6Cidrs: ["2600:1f18:4b2:5e00::/56"],
      securityGroups: [
        {
          groupId: "sg-0fleet",
          inbound: [],
          outbound: [
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrs: ["160.79.104.0/23"],
              ipv6Cidrs: [],
              prefixListIds: [],
              groupIds: [],
            },
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrs: ["10.40.0.0/16"],
              ipv6Cidrs: [],
              prefixListIds: [],
              groupIds: [],
            },
            {
              protocol: "tcp",
              fromPort: 2049,
              toPort: 2049,
              cidrs: [],
              ipv6Cidrs: [],
              prefixListIds: [],
              groupIds: ["sg-0efs"],
            },
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrs: [],
              ipv6Cidrs: [],
              prefixListIds: ["pl-63a5400a"],
              groupIds: [],
            },
          ],
        },
      ],
      subnets: ["subnet-0a", "subnet-0b"].map((subnetId) => ({
        subnetId,
        mapPublicIpOnLaunch: false,
        assignIpv6OnCreation: false,
        routeTargets: [
          { destination: "10.40.0.0/16", target: "local" },
          { destination: "0.0.0.0/0", target: "nat-0abc" },
        ],
      })),
      prefixLists: [{ id: "pl-63a5400a", name: "com.amazonaws.us-east-1.s3" }],
    },
    fileSystems: [
      {
        fileSystemId: "fs-0work",
        encrypted: true,
        kmsKeyId: "key",
        policy: {
          Statement: [
            {
              Sid: "TlsOnly",
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
              Sid: "WorkspaceReadOnly",
              Effect: "Deny",
              Principal: { AWS: ROLE },
              Action: "elasticfilesystem:ClientWrite",
            },
          ],
        },
      },
      { fileSystemId: "fs-0run", encrypted: true, kmsKeyId: "key", policy: null },
    ],
    secrets: [
      { arn: SECRET, name: "clawops/test/fleet", resourcePolicy: null },
      {
        arn: ALERTS_SECRET,
        name: "clawops/test/alerts",
        resourcePolicy: {
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Action: "secretsmanager:GetSecretValue",
              Condition: { StringNotEquals: { "aws:PrincipalArn": ROUTER } },
            },
          ],
        },
      },
      { arn: OTHER_SECRET, name: "payroll/db", resourcePolicy: null },
    ],
    simulations: [
      sim(ROLE, SECRET, "allowed"),
      sim(ROLE, ALERTS_SECRET, "implicitDeny"),
      sim(ROLE, OTHER_SECRET, "implicitDeny"),
      sim(ROLE, `${SECRET.slice(0, -7)}-admin-XyZ123`, "implicitDeny"),
      sim(ROUTER, ALERTS_SECRET, "allowed"),
      sim(ROUTER, SECRET, "implicitDeny"),
      sim(ROUTER, OTHER_SECRET, "implicitDeny"),
    ],
    functionEnvironments: [
      {
        functionName: "clawops-test-router",
        variables: { CLAWOPS_STAGE: "test", SLACK_SECRET_ARN: ALERTS_SECRET },
      },
    ],
    alarms: [
      {
        name: "clawops-test-unhealthy-gateways",
        namespace: "Clawops",
        metricName: "UnhealthyGateways",
        dimensions: { service: "lifecycle-monitor", Stage: "test", Fleet: "openclaw" },
        actionsEnabled: true,
        state: "OK",
        treatMissingData: "notBreaching",
        latestDatapointAt: "2026-03-02T07:59:00.000Z",
      },
    ],
    logGroups: [
      { name: "/openclaw/test/openclaw/gateway", retentionInDays: 365, kmsKeyId: "key" },
      {
        name: "/openclaw/test/openclaw/sessions",
        retentionInDays: 365,
        kmsKeyId: "key",
        latestEventAt: "2026-03-02T07:45:00Z",
      },
    ],
    backup: {
      plan: {
        id: "plan-1",
        name: "openclaw-daily",
        rules: [
          {
            name: "daily",
            schedule: "cron(0 5 ? * * *)",
            vaultName: "clawops-test-openclaw",
            deleteAfterDays: 35,
          },
        ],
      },
      selections: [
        {
          name: "openclaw-file-systems",
          resources: [fsArn("fs-0work"), fsArn("fs-0run")],
          notResources: [],
          conditions: [],
          listOfTags: [],
        },
      ],
      vault: { name: "clawops-test-openclaw", encryptionKeyArn: "key" },
      jobs: ["fs-0work", "fs-0run"].map((id) => ({
        resourceArn: fsArn(id),
        state: "COMPLETED",
        createdAt: "2026-03-02T05:00:00Z",
        completedAt: "2026-03-02T05:20:00Z",
      })),
    },
    restoreDrills: [
      {
        drillId: "drill-0301",
        at: "2026-03-01T03:00:00Z",
        passed: true,
        fileSystems: [
          { fileSystemId: "fs-0work", rpoSeconds: 3600, rtoSeconds: 900, mismatches: [] },
          { fileSystemId: "fs-0run", rpoSeconds: 3600, rtoSeconds: 1200, mismatches: [] },
        ],
      },
    ],
    failureDrill: {
      drillId: "fdrill-0225",
      at: "2026-02-25T10:00:00Z",
      alarmSeconds: 150,
      alertDeliveredSeconds: 20,
      replacementSeconds: 420,
      windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 600 },
    },
    evals: {
      latest: {
        runAt: "2026-03-01T02:00:00Z",
        ingestedAt: "2026-03-01T02:10:00Z",
        scheduled: true,
        skills: [
          {
            skill: "crm-cleanup",
            cases: { normal: 2, "decline-escalate": 1, edge: 1, untagged: 0 },
            passed: 4,
            failed: 0,
            failures: [],
          },
        ],
      },
      lastScheduled: {
        runAt: "2026-03-01T02:00:00Z",
        ingestedAt: "2026-03-01T02:10:00Z",
        scheduled: true,
        skills: [
          {
            skill: "crm-cleanup",
            cases: { normal: 2, "decline-escalate": 1, edge: 1, untagged: 0 },
            passed: 4,
            failed: 0,
            failures: [],
          },
        ],
      },
    },
    manifest: { "AGENTS.md": AGENTS_SHA, "SOUL.md": SOUL_SHA, "skills/crm-cleanup/SKILL.md": SKILL_SHA },
    probes: { "i-01": { ok: true, result: probeResult() }, "i-02": { ok: true, result: probeResult() } },
  };
}

/** A deep-cloneable mutation of evidence (tests edit the clone). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
