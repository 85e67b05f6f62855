import {
  READINESS_CHECKS,
  type ReadinessSettings,
  runCheck,
  soulDocumentsDigest,
} from "@clawops/core/readiness";
import { describe, expect, it } from "vitest";
import {
  ACCOUNT,
  ALERTS_SECRET,
  goodEvidence,
  NOW,
  OTHER_SECRET,
  probeResult,
  ROLE,
  ROUTER,
  SECRET,
  settings,
} from "./fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: tests edit deep clones of the fixtures freely.
type Edit = (evidence: any, settings: any) => void;

/** Edits instance i-02's probe; its digest and skill count follow the edited lists unless the edit set them. */
const probe =
  (edit: (r: ReturnType<typeof probeResult>) => void): Edit =>
  (e) => {
    const before = probeResult();
    const r = probeResult();
    edit(r);
    e.probes["i-02"] = {
      ok: true,
      result: {
        ...r,
        soulDigest: r.soulDigest === before.soulDigest ? soulDocumentsDigest(r.soulDocuments) : r.soulDigest,
        skillCount: r.skillCount === before.skillCount ? r.skills.length : r.skillCount,
      },
    };
  };

const ATTESTED = new Set([
  "soul-documents.pr-review",
  "credentials.integration-bot-accounts",
  "network.tailscale-access",
  "skill-evals.ci-pipeline",
  "backup.recovery-procedure",
  "approval-gates.each-tested",
]);

function outcome(id: string, edit?: Edit) {
  const check = READINESS_CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  const evidence = structuredClone(goodEvidence());
  const config = structuredClone(settings()) as ReadinessSettings;
  edit?.(evidence, config);
  return runCheck(check, evidence, config, NOW);
}

describe("Function: READINESS_CHECKS on a fleet that meets the checklist", () => {
  it.each(READINESS_CHECKS.map((c) => [c.id]))("%s passes (or is attested)", (id) => {
    const result = outcome(id);
    expect(result.status, result.explanation).toBe(ATTESTED.has(id) ? "attested" : "pass");
  });

  it("covers the eight areas with unique ids", () => {
    const ids = READINESS_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(READINESS_CHECKS.map((c) => c.area)).size).toBe(8);
    for (const c of READINESS_CHECKS) expect(c.id.startsWith(`${c.area}.`)).toBe(true);
  });
});

const FAILING: [string, string, Edit, "fail" | "unknown"][] = [
  [
    "infrastructure.gateway-health",
    "no gateway alarm exists",
    (e) => {
      e.alarms = [];
    },
    "fail",
  ],
  [
    "infrastructure.gateway-health",
    "the monitor publishes no data",
    (e) => {
      Object.assign(e.alarms[0], { state: "INSUFFICIENT_DATA", latestDatapointAt: null });
    },
    "fail",
  ],
  [
    "infrastructure.gateway-health",
    "the monitor stopped and the notBreaching alarm stays OK",
    (e) => {
      Object.assign(e.alarms[0], { state: "OK", treatMissingData: "notBreaching", latestDatapointAt: null });
    },
    "fail",
  ],
  [
    "infrastructure.gateway-health",
    "the metric's data could not be read (AccessDenied)",
    (e) => {
      e.alarms[0].latestDatapointAt = {
        unavailable: "cloudwatch:GetMetricData: AccessDenied: not authorized",
      };
    },
    "unknown",
  ],
  [
    "infrastructure.gateway-health",
    "the group is gone",
    (e) => {
      e.autoScalingGroup = null;
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "the terminate hook is missing",
    (e) => {
      e.lifecycleHooks.pop();
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "the launch hook continues by default",
    (e) => {
      e.lifecycleHooks[0].defaultResult = "CONTINUE";
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "another team's launch hook is listed first and clawops' own is missing (nothing is gated)",
    (e) => {
      e.lifecycleHooks[0] = { ...e.lifecycleHooks[0], name: "acme-bootstrap" };
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "another team's ABANDON launch hook is listed first and clawops' own continues by default",
    (e) => {
      e.lifecycleHooks[0].defaultResult = "CONTINUE";
      e.lifecycleHooks.unshift({ ...e.lifecycleHooks[0], name: "acme-bootstrap", defaultResult: "ABANDON" });
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "clawops' terminate hook is missing while another team's is there",
    (e) => {
      e.lifecycleHooks[1] = { ...e.lifecycleHooks[1], name: "acme-shutdown" };
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "the launch hook's heartbeat is shorter than the one the gate heartbeats by (lifecycle.hookHeartbeatSeconds)",
    (_e, s) => {
      s.lifecycle.launchHeartbeatSeconds = 900;
    },
    "fail",
  ],
  [
    "infrastructure.lifecycle-hooks",
    "the terminate hook's heartbeat is shorter than the one the drain heartbeats by",
    (_e, s) => {
      s.lifecycle.terminateHeartbeatSeconds = 600;
    },
    "fail",
  ],
  [
    "infrastructure.no-public-ip",
    "an instance has a public IPv4",
    (e) => {
      e.instances[1].publicIpv4 = "54.1.2.3";
    },
    "fail",
  ],
  [
    "infrastructure.no-public-ip",
    "an instance has a global IPv6",
    (e) => {
      e.instances[0].ipv6Addresses = ["2600:1f18:abcd::1"];
    },
    "fail",
  ],
  [
    "infrastructure.no-public-ip",
    "the template associates a public IP",
    (e) => {
      e.launchTemplate.associatePublicIp = true;
    },
    "fail",
  ],
  [
    "infrastructure.private-subnets",
    "a subnet routes to an internet gateway",
    (e) => {
      e.network.subnets[0].routeTargets.push({ destination: "::/0", target: "igw-0abc" });
    },
    "fail",
  ],
  [
    "infrastructure.private-subnets",
    "a subnet was not described",
    (e) => {
      e.network.subnets.pop();
    },
    "unknown",
  ],
  [
    "infrastructure.encryption-at-rest",
    "a volume is not encrypted",
    (e) => {
      e.instances[0].volumes[0].encrypted = false;
    },
    "fail",
  ],
  [
    "infrastructure.encryption-at-rest",
    "the launch template leaves a block device unencrypted",
    (e) => {
      e.launchTemplate.ebsEncrypted = [true, false];
    },
    "fail",
  ],
  [
    "infrastructure.replacement",
    "no replacement was ever observed",
    (e) => {
      e.failureDrill = null;
    },
    "fail",
  ],
  [
    "infrastructure.replacement",
    "the replacement was too slow",
    (e) => {
      e.failureDrill.replacementSeconds = 900;
    },
    "fail",
  ],
  [
    "infrastructure.replacement",
    "the newest failure drill saw no replacement, an older health-check replacement did",
    (e) => {
      e.failureDrill.replacementSeconds = null;
      e.autoScalingGroup.activities = [
        {
          description: "Terminating EC2 instance: i-0old",
          cause:
            "At 2026-02-20T08:00:00Z an instance was taken out of service in response to a user health-check.",
          statusCode: "Successful",
          startTime: "2026-02-20T08:00:00Z",
          endTime: "2026-02-20T08:01:00Z",
        },
        {
          description: "Launching a new EC2 instance: i-0new",
          cause:
            "At 2026-02-20T08:00:05Z an instance was started in response to a difference between desired and actual capacity",
          statusCode: "Successful",
          startTime: "2026-02-20T08:00:05Z",
          endTime: "2026-02-20T08:06:40Z",
        },
      ];
    },
    "fail",
  ],
  [
    "infrastructure.replacement",
    "the evidence is stale",
    (e) => {
      e.failureDrill.at = "2025-11-01T00:00:00Z";
    },
    "fail",
  ],
  [
    "soul-documents.workspace-read-only",
    "the write succeeds",
    probe((r) => {
      Object.assign(r, { workspaceWrite: "allowed" });
    }),
    "fail",
  ],
  [
    "soul-documents.workspace-read-only",
    "the write is only IAM-denied",
    probe((r) => {
      Object.assign(r, { workspaceWrite: "eacces" });
    }),
    "fail",
  ],
  [
    "soul-documents.workspace-read-only",
    "a probe returned garbage",
    (e) => {
      e.probes["i-02"] = { ok: false, reason: "unexpected line" };
    },
    "unknown",
  ],
  [
    "soul-documents.workspace-read-only",
    "no instance answered",
    (e) => {
      e.probes = {};
    },
    "unknown",
  ],
  [
    "soul-documents.client-write-denied",
    "only the TLS deny exists",
    (e) => {
      e.fileSystems[0].policy.Statement.pop();
    },
    "fail",
  ],
  [
    "soul-documents.client-write-denied",
    "the file system has no policy",
    (e) => {
      e.fileSystems[0].policy = null;
    },
    "fail",
  ],
  [
    "soul-documents.client-write-denied",
    "a shared file system denies without an access point condition",
    (_e, s) => {
      s.fleet.runtime.fileSystemId = "fs-0work";
    },
    "fail",
  ],
  [
    "soul-documents.runtime-separate",
    "the runtime is not writable",
    probe((r) => {
      Object.assign(r, { runtimeWrite: "denied" });
    }),
    "fail",
  ],
  [
    "soul-documents.runtime-separate",
    "both use one access point",
    (_e, s) => {
      s.fleet.runtime = s.fleet.workspace;
    },
    "fail",
  ],
  [
    "soul-documents.hashes-match",
    "a document was modified",
    probe((r) => {
      Object.assign(r, { soulDocuments: { ...r.soulDocuments, "SOUL.md": "d".repeat(64) } });
    }),
    "fail",
  ],
  [
    "soul-documents.hashes-match",
    "an unexpected file appeared",
    probe((r) => {
      Object.assign(r, {
        soulDocuments: { ...r.soulDocuments, "EVIL.md": "d".repeat(64) },
        soulDocumentCount: 4,
      });
    }),
    "fail",
  ],
  [
    "soul-documents.hashes-match",
    "a file past the listed ones differs (only the digest shows it)",
    probe((r) => {
      Object.assign(r, { soulDocumentCount: 40, soulDigest: "e".repeat(64) });
    }),
    "fail",
  ],
  [
    "soul-documents.hashes-match",
    "the digest differs only because some files could not be read",
    probe((r) => {
      Object.assign(r, { soulDocumentCount: 40, soulDigest: "e".repeat(64), soulUnreadableCount: 3 });
    }),
    "unknown",
  ],
  [
    "soul-documents.hashes-match",
    "no manifest is deployed",
    (e) => {
      e.manifest = null;
    },
    "fail",
  ],
  [
    "soul-documents.hashes-match",
    "the manifest could not be read",
    (e) => {
      e.manifest = { unavailable: "AccessDenied" };
    },
    "unknown",
  ],
  [
    "soul-documents.pr-review",
    "no attestation is recorded",
    (_e, s) => {
      s.readiness.attestations = [];
    },
    "fail",
  ],
  [
    "soul-documents.pr-review",
    "the attestation expired",
    (_e, s) => {
      s.readiness.attestations[0].expires = "2026-03-01";
    },
    "fail",
  ],
  [
    "soul-documents.daily-backup",
    "the last backup is two days old",
    (e) => {
      e.backup.jobs[0].completedAt = "2026-02-28T05:00:00Z";
    },
    "fail",
  ],
  [
    "soul-documents.restore-tested",
    "no drill ran",
    (e) => {
      e.restoreDrills = [];
    },
    "fail",
  ],
  [
    "soul-documents.restore-tested",
    "the drill did not cover the workspace",
    (e) => {
      e.restoreDrills[0].fileSystems.shift();
    },
    "fail",
  ],
  [
    "credentials.instance-role-own-secret",
    "the role reads another secret",
    (e) => {
      e.simulations[2].decision = "allowed";
    },
    "fail",
  ],
  [
    "credentials.instance-role-own-secret",
    "the role reads a look-alike",
    (e) => {
      e.simulations[3].decision = "allowed";
    },
    "fail",
  ],
  [
    "credentials.instance-role-own-secret",
    "the role cannot read its own",
    (e) => {
      e.simulations[0].decision = "implicitDeny";
    },
    "fail",
  ],
  [
    "credentials.instance-role-own-secret",
    "conditions need context keys",
    (e) => {
      e.simulations[2].missingContextKeys = ["aws:ResourceTag/team"];
    },
    "unknown",
  ],
  [
    "credentials.secret-resource-policies",
    "a secret grants everyone",
    (e) => {
      e.secrets[2].resourcePolicy = {
        Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:*" }],
      };
    },
    "fail",
  ],
  [
    "credentials.secret-resource-policies",
    "one policy is unreadable and another secret grants everyone",
    (e) => {
      e.secrets[1].resourcePolicy = null;
      e.secrets[1].policyUnreadable =
        "secretsmanager:GetResourcePolicy: AccessDeniedException: explicit deny";
      e.secrets[2].resourcePolicy = {
        Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue" }],
      };
    },
    "fail",
  ],
  [
    "credentials.secret-resource-policies",
    "one policy is unreadable and the readable ones grant nothing extra",
    (e) => {
      e.secrets[1].resourcePolicy = null;
      e.secrets[1].policyUnreadable =
        "secretsmanager:GetResourcePolicy: AccessDeniedException: explicit deny";
    },
    "unknown",
  ],
  [
    "credentials.secret-resource-policies",
    "the fleet secret grants another account (its root delegates to every principal there)",
    (e) => {
      e.secrets[0].resourcePolicy = {
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999988887777:root" },
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
          },
        ],
      };
    },
    "fail",
  ],
  [
    "credentials.secret-resource-policies",
    "another secret grants the instance role",
    (e) => {
      e.secrets[2].resourcePolicy = {
        Statement: [{ Effect: "Allow", Principal: { AWS: ROLE }, Action: "secretsmanager:GetSecretValue" }],
      };
    },
    "fail",
  ],
  [
    "credentials.secret-resource-policies",
    "the fleet secret has a second reader",
    (e) => {
      e.secrets[0].resourcePolicy = {
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:role/intern" },
            Action: "secretsmanager:GetSecretValue",
          },
        ],
      };
    },
    "fail",
  ],
  [
    "credentials.alerts-secret-isolated",
    "the router reads the fleet secret",
    (e) => {
      e.simulations[5].decision = "allowed";
    },
    "fail",
  ],
  [
    "credentials.alerts-secret-isolated",
    "the instance role reads the alerts secret",
    (e) => {
      e.simulations[1].decision = "allowed";
    },
    "fail",
  ],
  [
    "credentials.alerts-secret-isolated",
    "the Alerts stack is not deployed",
    (_e, s) => {
      delete s.alerts;
    },
    "unknown",
  ],
  [
    "credentials.imdsv2-required",
    "the template allows IMDSv1",
    (e) => {
      e.launchTemplate.httpTokens = "optional";
    },
    "fail",
  ],
  [
    "credentials.imdsv2-required",
    "one instance allows IMDSv1",
    (e) => {
      e.instances[1].httpTokens = "optional";
    },
    "fail",
  ],
  [
    "credentials.imdsv1-blocked",
    "IMDSv1 answers 200",
    probe((r) => {
      Object.assign(r, { imdsV1Status: 200 });
    }),
    "fail",
  ],
  [
    "credentials.no-plaintext-on-disk",
    "a key is on disk",
    probe((r) => {
      Object.assign(r, { credentialScan: { status: "found", count: 1, files: ["/home/ec2-user/.env"] } });
    }),
    "fail",
  ],
  [
    "credentials.no-plaintext-on-disk",
    "the scan timed out",
    probe((r) => {
      Object.assign(r, { credentialScan: { status: "timeout", count: 0, files: [] } });
    }),
    "unknown",
  ],
  [
    "credentials.no-secrets-in-config",
    "user data holds an AWS key",
    (e) => {
      e.launchTemplate.userData = "export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP";
    },
    "fail",
  ],
  [
    "credentials.no-secrets-in-config",
    "a function holds a literal token",
    (e) => {
      e.functionEnvironments[0].variables.SLACK_TOKEN = "xoxb-1234567890-abcdefghij";
    },
    "fail",
  ],
  [
    "credentials.integration-bot-accounts",
    "no attestation is recorded",
    (_e, s) => {
      s.readiness.attestations = [];
    },
    "fail",
  ],
  [
    "network.no-inbound",
    "a rule admits 0.0.0.0/0",
    (e) => {
      e.network.securityGroups[0].inbound.push({
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrs: ["0.0.0.0/0"],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.no-inbound",
    "a rule admits ::/0",
    (e) => {
      e.network.securityGroups[0].inbound.push({
        protocol: "-1",
        cidrs: [],
        ipv6Cidrs: ["::/0"],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.no-inbound",
    "an internal rule exists",
    (e) => {
      e.network.securityGroups[0].inbound.push({
        protocol: "tcp",
        fromPort: 18789,
        toPort: 18789,
        cidrs: [],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: ["sg-0lb"],
      });
    },
    "fail",
  ],
  [
    "network.egress-allowlist",
    "the default allow-all egress is back",
    (e) => {
      e.network.securityGroups[0].outbound.push({
        protocol: "-1",
        cidrs: ["0.0.0.0/0"],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.egress-allowlist",
    "an unlisted CIDR is reachable",
    (e) => {
      e.network.securityGroups[0].outbound.push({
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrs: ["52.1.0.0/16"],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.egress-allowlist",
    "an allowlisted CIDR is open on all ports",
    (e) => {
      e.network.securityGroups[0].outbound[0].protocol = "-1";
    },
    "fail",
  ],
  [
    "network.egress-allowlist",
    "IPv6 egress to everywhere",
    (e) => {
      e.network.securityGroups[0].outbound.push({
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrs: [],
        ipv6Cidrs: ["::/0"],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.ssh-not-public",
    "port 22 is open to the internet",
    (e) => {
      e.network.securityGroups[0].inbound.push({
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrs: ["203.0.113.0/24"],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      });
    },
    "fail",
  ],
  [
    "network.unapproved-egress-times-out",
    "the connection succeeds",
    probe((r) => {
      Object.assign(r, { egressExit: 0 });
    }),
    "fail",
  ],
  [
    "network.unapproved-egress-times-out",
    "the connection is refused",
    probe((r) => {
      Object.assign(r, { egressExit: 7 });
    }),
    "fail",
  ],
  [
    "network.unapproved-egress-times-out",
    "the probe target is allowlisted",
    (_e, s) => {
      s.readiness.egressProbeHost = "160.79.104.10";
    },
    "unknown",
  ],
  [
    "network.tailscale-access",
    "the attestation is dated in the future",
    (_e, s) => {
      s.readiness.attestations[2].at = "2026-04-01";
    },
    "fail",
  ],
  [
    "monitoring.gateway-alarm-routed",
    "the alarm name is not routed",
    (e) => {
      e.alarms[0].name = "openclaw-gateway";
    },
    "fail",
  ],
  [
    "monitoring.gateway-alarm-routed",
    "no alarm exists",
    (e) => {
      e.alarms = [];
    },
    "fail",
  ],
  [
    "monitoring.gateway-alarm-routed",
    "the Alerts stack is not deployed (no alerts path to route to)",
    (_e, s) => {
      delete s.alerts;
    },
    "unknown",
  ],
  [
    "monitoring.failure-drill-alarm",
    "the alarm never fired",
    (e) => {
      e.failureDrill.alarmSeconds = null;
    },
    "fail",
  ],
  [
    "monitoring.failure-drill-alert",
    "the alert took three minutes",
    (e) => {
      e.failureDrill.alertDeliveredSeconds = 180;
      e.failureDrill.windows.alertSeconds = 300;
    },
    "fail",
  ],
  [
    "monitoring.failure-drill-replacement",
    "no failure drill ran",
    (e) => {
      e.failureDrill = null;
    },
    "fail",
  ],
  [
    "monitoring.session-logs",
    "no session log arrived recently",
    (e) => {
      delete e.logGroups[1].latestEventAt;
    },
    "fail",
  ],
  [
    "monitoring.session-logs",
    "the search for a recent event ran out of pages",
    (e) => {
      delete e.logGroups[1].latestEventAt;
      e.logGroups[1].eventScanIncomplete = "FilterLogEvents still had more to scan after 5 pages";
    },
    "unknown",
  ],
  [
    "monitoring.session-logs",
    "the log group is missing",
    (e) => {
      e.logGroups.pop();
    },
    "fail",
  ],
  [
    "monitoring.log-retention",
    "retention is never expire",
    (e) => {
      delete e.logGroups[0].retentionInDays;
    },
    "fail",
  ],
  [
    "monitoring.log-retention",
    "retention is shorter",
    (e) => {
      e.logGroups[1].retentionInDays = 30;
    },
    "fail",
  ],
  [
    "monitoring.log-retention",
    "the log groups could not be described",
    (e) => {
      e.logGroups = { unavailable: "ThrottlingException" };
    },
    "unknown",
  ],
  [
    "backup.daily-plan",
    "the rule is weekly",
    (e) => {
      e.backup.plan.rules[0].schedule = "cron(0 5 ? * SUN *)";
    },
    "fail",
  ],
  [
    "backup.daily-plan",
    "the daily rule runs only in one year",
    (e) => {
      e.backup.plan.rules[0].schedule = "cron(0 5 ? * * 2025)";
    },
    "fail",
  ],
  [
    "backup.daily-plan",
    "the daily rule runs only in January",
    (e) => {
      e.backup.plan.rules[0].schedule = "cron(0 5 * 1 ? *)";
    },
    "fail",
  ],
  [
    "backup.daily-plan",
    "the runtime is not selected",
    (e) => {
      e.backup.selections[0].resources.pop();
    },
    "fail",
  ],
  [
    "backup.daily-plan",
    "the rule keeps forever",
    (e) => {
      delete e.backup.plan.rules[0].deleteAfterDays;
    },
    "fail",
  ],
  [
    "backup.recent-jobs",
    "the runtime backup failed",
    (e) => {
      e.backup.jobs[1].state = "FAILED";
    },
    "fail",
  ],
  [
    "backup.restore-drill",
    "the last drill failed",
    (e) => {
      e.restoreDrills[0].passed = false;
      e.restoreDrills[0].fileSystems[0].mismatches = [{ path: "SOUL.md", reason: "hash differs" }];
    },
    "fail",
  ],
  [
    "backup.restore-drill",
    "the last pass is too old",
    (e) => {
      e.restoreDrills[0].at = "2026-02-01T00:00:00Z";
    },
    "fail",
  ],
  [
    "backup.recovery-procedure",
    "the review is too old",
    (_e, s) => {
      s.readiness.recoveryProcedure.reviewedAt = "2025-10-01";
    },
    "fail",
  ],
  [
    "backup.recovery-procedure",
    "nobody reviewed it",
    (_e, s) => {
      s.readiness.recoveryProcedure = { path: "docs/recovery.md" };
    },
    "fail",
  ],
  [
    "skill-evals.cases-per-skill",
    "a skill has no edge case",
    (e) => {
      e.evals.latest.skills[0].cases.edge = 0;
    },
    "fail",
  ],
  [
    "skill-evals.cases-per-skill",
    "no results were ingested",
    (e) => {
      e.evals.latest = null;
    },
    "fail",
  ],
  [
    "skill-evals.deployed-skills-covered",
    "a skill added outside the deploy has no evals",
    probe((r) => {
      Object.assign(r, {
        soulDocuments: { ...r.soulDocuments, "skills/invoice-send/SKILL.md": "d".repeat(64) },
        soulDocumentCount: 4,
        skills: ["crm-cleanup", "invoice-send"],
      });
    }),
    "fail",
  ],
  [
    "skill-evals.deployed-skills-covered",
    "the manifest deploys a skill without evals (the probe lists no skill)",
    (e) => {
      const sha = "d".repeat(64);
      e.manifest["skills/invoice-send/SKILL.md"] = sha;
      e.probes["i-02"] = {
        ok: true,
        result: probeResult({
          soulDocuments: { ...e.manifest },
          soulDocumentCount: 4,
          skills: [],
          skillCount: 2,
        }),
      };
    },
    "fail",
  ],
  [
    "skill-evals.deployed-skills-covered",
    "a drifted instance lists its skills in part, each with evals",
    probe((r) => {
      Object.assign(r, { soulDigest: "e".repeat(64), skillCount: 30 });
    }),
    "unknown",
  ],
  [
    "skill-evals.deployed-skills-covered",
    "a listed skill of a drifted instance has no evals although its list was cut",
    probe((r) => {
      Object.assign(r, {
        soulDigest: "e".repeat(64),
        skills: ["crm-cleanup", "invoice-send"],
        skillCount: 30,
      });
    }),
    "fail",
  ],
  [
    "skill-evals.all-pass",
    "a case fails",
    (e) => {
      e.evals.latest.skills[0].failed = 1;
      e.evals.latest.skills[0].failures = ["declines bulk delete"];
    },
    "fail",
  ],
  [
    "skill-evals.scheduled-run",
    "the scheduled run is stale",
    (e) => {
      e.evals.lastScheduled.runAt = "2026-02-01T00:00:00Z";
    },
    "fail",
  ],
  [
    "skill-evals.scheduled-run",
    "no scheduled run exists",
    (e) => {
      e.evals.lastScheduled = null;
    },
    "fail",
  ],
  [
    "skill-evals.ci-pipeline",
    "no attestation is recorded",
    (_e, s) => {
      s.readiness.attestations = [];
    },
    "fail",
  ],
  [
    "approval-gates.documented",
    "no gate is documented",
    (_e, s) => {
      s.approvalGates = [];
    },
    "fail",
  ],
  [
    "approval-gates.each-tested",
    "a gate was never tested",
    (_e, s) => {
      s.approvalGates.push({ id: "purchase", description: "Any external purchase" });
    },
    "fail",
  ],
  [
    "approval-gates.each-tested",
    "the test is older than the max age",
    (_e, s) => {
      s.approvalGates[0].testedAt = "2025-09-01";
    },
    "fail",
  ],
  [
    "approval-gates.enforced",
    "approvals are off",
    probe((r) => {
      Object.assign(r, { approvals: { status: "exposed", ask: ["off"] } });
    }),
    "fail",
  ],
  [
    "approval-gates.enforced",
    "OpenClaw does not expose approvals",
    probe((r) => {
      Object.assign(r, { approvals: { status: "unavailable", ask: [] } });
    }),
    "unknown",
  ],
];

describe("Function: READINESS_CHECKS on evidence that breaks them", () => {
  it.each(FAILING)("%s is %4$s when %2$s", (id, _what, edit, expected) => {
    const result = outcome(id, edit);
    expect(result.status, result.explanation).toBe(expected);
    expect(result.explanation.length).toBeGreaterThan(10);
  });

  it("gives every check at least one failing row", () => {
    const covered = new Set(FAILING.map(([id]) => id));
    expect(READINESS_CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it("keeps the simulated ARNs of the fixtures apart", () => {
    expect(new Set([SECRET, ALERTS_SECRET, OTHER_SECRET, ROUTER]).size).toBe(4);
  });
});

const WORKSPACE_AP = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0work";
const RUNTIME_AP = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0run";
const FS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0work";
const WRITER = `arn:aws:iam::${ACCOUNT}:role/clawops-test-soul-writer`;
/** The second deny a StringEquals/ArnEquals deny on the workspace access point needs: mounts without one. */
const NO_MOUNT_WITHOUT_ACCESS_POINT = {
  Sid: "NoMountWithoutAccessPoint",
  Effect: "Deny",
  Principal: { AWS: ROLE },
  Action: "elasticfilesystem:ClientWrite",
  Resource: FS_ARN,
  Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
};
/** An Allow for "*" in the shape of the EFS console's presets. */
const ALLOW_ANYONE = (Action: string[]) => ({
  Sid: "MountTargetClients",
  Effect: "Allow",
  Principal: { AWS: "*" },
  Action,
  Resource: FS_ARN,
  Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
});

describe("Function: soul-documents.client-write-denied on the deny's access point condition", () => {
  it.each([
    ["pass", "unconditional, on its own file system", false, undefined, "WorkspaceReadOnly"],
    // A mount without an access point has no elasticfilesystem:AccessPointArn: positive operators are false.
    [
      "fail",
      "StringEquals on the workspace access point (alone)",
      false,
      { StringEquals: WORKSPACE_AP },
      "does not apply to a mount without an access point",
    ],
    [
      "fail",
      "ArnLike on the workspace access point (alone)",
      true,
      { ArnLike: WORKSPACE_AP },
      "root can mount the file system's root and write",
    ],
    [
      "fail",
      "ForAnyValue:ArnEquals on the workspace access point (alone)",
      true,
      { "ForAnyValue:ArnEquals": [WORKSPACE_AP] },
      "does not apply to a mount without an access point",
    ],
    [
      "pass",
      "StringEqualsIfExists on the workspace access point",
      true,
      { StringEqualsIfExists: WORKSPACE_AP },
      "",
    ],
    [
      "pass",
      "StringNotEquals on the runtime access point (shared)",
      true,
      { StringNotEquals: RUNTIME_AP },
      "",
    ],
    ["pass", "ArnNotLike on the runtime access point (shared)", true, { ArnNotLike: RUNTIME_AP }, ""],
    [
      "fail",
      "StringNotEquals on the workspace access point",
      false,
      { StringNotEquals: WORKSPACE_AP },
      "exempts the workspace access point",
    ],
    [
      "fail",
      "ArnNotLike with a pattern matching the workspace",
      true,
      { ArnNotLike: "arn:aws:elasticfilesystem:*:*:access-point/*" },
      "exempts",
    ],
    [
      "fail",
      "StringEquals on the runtime access point",
      true,
      { StringEquals: RUNTIME_AP },
      "does not name the workspace's",
    ],
    [
      "fail",
      "ForAllValues:StringEquals on the workspace access point",
      true,
      { "ForAllValues:StringEquals": WORKSPACE_AP },
      "not one this check can rely on",
    ],
    ["fail", "unconditional on a shared file system", true, undefined, "the runtime's too"],
  ] as const)("%s when the deny is %s", (expected, _what, shared, byOperator, reason) => {
    const result = outcome("soul-documents.client-write-denied", (e, s) => {
      if (shared) s.fleet.runtime.fileSystemId = "fs-0work";
      const deny = e.fileSystems[0].policy.Statement[1];
      if (byOperator)
        deny.Condition = Object.fromEntries(
          Object.entries(byOperator).map(([operator, value]) => [
            operator,
            { "elasticfilesystem:AccessPointArn": value },
          ]),
        );
    });
    expect(result.status, result.explanation).toBe(expected);
    expect([result.explanation, ...(result.details ?? [])].join(" ")).toContain(reason);
  });

  it.each([
    [
      "pass",
      "a StringEquals deny on the workspace access point and a deny of mounts without one",
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Condition = { StringEquals: { "elasticfilesystem:AccessPointArn": WORKSPACE_AP } };
        statements.push({
          Sid: "NoMountWithoutAccessPoint",
          Effect: "Deny",
          Principal: { AWS: ROLE },
          Action: ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
          Resource: FS_ARN,
          Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
        });
      },
      "NoMountWithoutAccessPoint",
    ],
    [
      "pass",
      "the deny names the role's account",
      (deny: Record<string, unknown>) => {
        deny.Principal = { AWS: `arn:aws:iam::${ACCOUNT}:root` };
      },
      "WorkspaceReadOnly",
    ],
    [
      "pass",
      'the deny is for everyone ("*") except the soul writer (ArnNotEquals aws:PrincipalArn)',
      (deny: Record<string, unknown>) => {
        deny.Principal = "*";
        deny.Condition = { ArnNotEquals: { "aws:PrincipalArn": WRITER } };
      },
      "WorkspaceReadOnly",
    ],
    [
      "fail",
      "the deny's NotPrincipal exempts the instance role",
      (deny: Record<string, unknown>) => {
        delete deny.Principal;
        deny.NotPrincipal = { AWS: [WRITER, ROLE] };
      },
      "does not deny ClientWrite on the workspace to the instance role",
    ],
    [
      "fail",
      "the deny's NotPrincipal exempts one of the role's sessions",
      (deny: Record<string, unknown>) => {
        delete deny.Principal;
        deny.NotPrincipal = {
          AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/clawops-test-fleet-instance/i-01`,
        };
      },
      "does not deny ClientWrite on the workspace to the instance role",
    ],
    [
      "fail",
      "the deny's aws:PrincipalArn condition exempts the instance role",
      (deny: Record<string, unknown>) => {
        deny.Principal = "*";
        deny.Condition = {
          ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/clawops-test-*` },
        };
      },
      "exempts the instance role",
    ],
    [
      "fail",
      "the deny's Resource is another file system",
      (deny: Record<string, unknown>) => {
        deny.Resource = FS_ARN.replace("fs-0work", "fs-0other");
      },
      "does not deny ClientWrite on the workspace to the instance role",
    ],
    [
      "fail",
      "the deny's NotResource excludes this file system",
      (deny: Record<string, unknown>) => {
        deny.NotResource = FS_ARN;
      },
      "does not deny ClientWrite on the workspace to the instance role",
    ],
    // IAM's Arn* operators match each of the six colon-delimited components with wildcards (ArnEquals and
    // ArnLike behave identically), and a wildcard never crosses a colon.
    [
      "fail",
      "ArnNotEquals aws:PrincipalArn with a wildcard exempts the instance role",
      (deny: Record<string, unknown>) => {
        deny.Principal = "*";
        deny.Condition = {
          ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/clawops-test-*` },
        };
      },
      "exempts the instance role",
    ],
    [
      "fail",
      "ArnNotEquals on the access point with a wildcard exempts every access point",
      (deny: Record<string, unknown>) => {
        deny.Condition = {
          ArnNotEquals: {
            "elasticfilesystem:AccessPointArn": "arn:aws:elasticfilesystem:*:*:access-point/*",
          },
        };
      },
      "exempts the workspace access point",
    ],
    [
      "pass",
      "ArnNotLike's wildcard would have to cross a colon to match the workspace (it cannot)",
      (deny: Record<string, unknown>) => {
        deny.Condition = {
          ArnNotLike: {
            "elasticfilesystem:AccessPointArn": "arn:aws:elasticfilesystem:*:access-point/fsap-0work",
          },
        };
      },
      "WorkspaceReadOnly",
    ],
    [
      "pass",
      "ArnEquals names the file system's access points with a wildcard, and a second deny covers mounts without one",
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Condition = {
          ArnEquals: {
            "elasticfilesystem:AccessPointArn": `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:access-point/*`,
          },
        };
        statements.push(NO_MOUNT_WITHOUT_ACCESS_POINT);
      },
      "NoMountWithoutAccessPoint",
    ],
    // Positive operators compare the whole ARN: region and account included.
    [
      "fail",
      "StringEquals names the workspace's access point id in another region",
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Condition = {
          StringEquals: {
            "elasticfilesystem:AccessPointArn": WORKSPACE_AP.replace("us-east-1", "us-west-2"),
          },
        };
        statements.push(NO_MOUNT_WITHOUT_ACCESS_POINT);
      },
      "does not name the workspace's (fsap-0work)",
    ],
    [
      "fail",
      "ArnEquals names the workspace's access point id in another account",
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Condition = {
          ArnEquals: { "elasticfilesystem:AccessPointArn": WORKSPACE_AP.replace(ACCOUNT, "999988887777") },
        };
        statements.push(NO_MOUNT_WITHOUT_ACCESS_POINT);
      },
      "does not name the workspace's (fsap-0work)",
    ],
    // One session (one instance's credentials) is not the role: the other instances still write.
    [
      "fail",
      "the deny names only one session of the role",
      (deny: Record<string, unknown>) => {
        deny.Principal = { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/clawops-test-fleet-instance/i-01` };
      },
      "does not deny ClientWrite on the workspace to the instance role",
    ],
    // A mount without the iam option is anonymous: only statements for "*" reach it.
    [
      "fail",
      'the policy allows "*" ClientMount and ClientWrite and the deny names only the role',
      (_deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        statements.push(ALLOW_ANYONE(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]));
      },
      "an anonymous client (a mount without the iam option) can write",
    ],
    [
      "fail",
      "the policy allows everyone but the soul writer (Allow + NotPrincipal) to mount and write",
      (_deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        const { Principal: _, ...allow } = ALLOW_ANYONE(["elasticfilesystem:Client*"]);
        statements.push({ ...allow, NotPrincipal: { AWS: WRITER } });
      },
      "lets anonymous clients write",
    ],
    [
      "fail",
      'the policy allows "*" to mount and write and the "*" deny names the role by aws:PrincipalArn (absent for anonymous clients)',
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Principal = "*";
        deny.Condition = { ArnEquals: { "aws:PrincipalArn": ROLE } };
        statements.push(ALLOW_ANYONE(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]));
      },
      "aws:PrincipalArn is then absent",
    ],
    [
      "pass",
      'the policy allows "*" ClientWrite but not ClientMount (the console\'s "Prevent anonymous access")',
      (_deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        statements.push(
          ALLOW_ANYONE(["elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"]),
        );
      },
      "WorkspaceReadOnly",
    ],
    // An Allow that needs a key only a signed-in caller has never reaches an anonymous client.
    ...(
      [
        ["aws:PrincipalAccount", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } }],
        ["aws:PrincipalOrgID", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }],
        ["aws:PrincipalArn", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/*` } }],
      ] as const
    ).map(
      ([key, Condition]) =>
        [
          "pass",
          `the policy allows "*" to mount and write on condition of ${key} (absent for anonymous clients)`,
          (_deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
            statements.push({
              ...ALLOW_ANYONE(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]),
              Condition,
            });
          },
          "WorkspaceReadOnly",
        ] as const,
    ),
    [
      "fail",
      'the policy allows "*" to mount and write on condition of aws:PrincipalAccount IfExists (holds for anonymous clients)',
      (_deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        statements.push({
          ...ALLOW_ANYONE(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]),
          Condition: { StringEqualsIfExists: { "aws:PrincipalAccount": ACCOUNT } },
        });
      },
      "an anonymous client (a mount without the iam option) can write",
    ],
    [
      "pass",
      'the policy allows "*" to mount and write and the deny is for "*" except the soul writer',
      (deny: Record<string, unknown>, statements: Record<string, unknown>[]) => {
        deny.Principal = "*";
        deny.Condition = { ArnNotEquals: { "aws:PrincipalArn": WRITER } };
        statements.push(ALLOW_ANYONE(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]));
      },
      "WorkspaceReadOnly",
    ],
  ] as const)("is %s when %s", (expected, _what, edit, detail) => {
    const result = outcome("soul-documents.client-write-denied", (e) => {
      const statements = e.fileSystems[0].policy.Statement;
      edit(statements[1], statements);
    });
    expect(result.status, result.explanation).toBe(expected);
    expect([result.explanation, ...(result.details ?? [])].join(" ")).toContain(detail);
  });

  it("does not count a deny that is also conditioned on another key", () => {
    const result = outcome("soul-documents.client-write-denied", (e) => {
      e.fileSystems[0].policy.Statement[1].Condition = {
        StringEquals: { "elasticfilesystem:AccessPointArn": WORKSPACE_AP },
        Bool: { "aws:SecureTransport": "false" },
      };
    });
    expect(result.status).toBe("fail");
    expect(result.details?.join(" ")).toContain("aws:SecureTransport");
  });
});

describe("Function: restore drill checks on restore-testing validations (one record per file system)", () => {
  const record = (fileSystemId: string, at: string, passed = true) => ({
    drillId: `validation-${fileSystemId}-${at.slice(0, 10)}`,
    at,
    passed,
    ...(passed ? {} : { reason: `${fileSystemId}: 1 file(s) differ` }),
    fileSystems: [
      {
        fileSystemId,
        rpoSeconds: 3600,
        rtoSeconds: 900,
        mismatches: passed ? [] : [{ path: "SOUL.md", reason: "hash differs" }],
        passed,
      },
    ],
  });
  const runtimeToday = record("fs-0run", "2026-03-02T06:00:00Z");
  const workspaceYesterday = record("fs-0work", "2026-03-01T06:00:00Z");

  it.each([
    [
      "soul-documents.restore-tested",
      "the runtime's validation is newer than the workspace's",
      [runtimeToday, workspaceYesterday],
      "pass",
      "fs-0work",
    ],
    [
      "backup.restore-drill",
      "each file system's newest validation passed",
      [runtimeToday, workspaceYesterday],
      "pass",
      "fs-0run",
    ],
    [
      "backup.restore-drill",
      "only the runtime was ever validated",
      [runtimeToday],
      "fail",
      "fs-0work: no restore drill covered it",
    ],
    [
      "soul-documents.restore-tested",
      "only the runtime was ever validated",
      [runtimeToday],
      "fail",
      "fs-0work: no restore drill covered it",
    ],
    [
      "soul-documents.restore-tested",
      "the workspace's newest validation failed",
      [runtimeToday, record("fs-0work", "2026-03-01T12:00:00Z", false), workspaceYesterday],
      "fail",
      "fs-0work: SOUL.md: hash differs",
    ],
    [
      "backup.restore-drill",
      "the workspace's newest validation failed",
      [runtimeToday, record("fs-0work", "2026-03-01T12:00:00Z", false), workspaceYesterday],
      "fail",
      "validation-fs-0work-2026-03-01",
    ],
  ] as const)("%s when %s", (id, _what, drills, expected, detail) => {
    const result = outcome(id, (e) => {
      e.restoreDrills = structuredClone(drills);
    });
    expect(result.status, result.explanation).toBe(expected);
    expect(result.details?.join("\n")).toContain(detail);
  });

  it("judges each file system of a drill by its own result", () => {
    const edit: Edit = (e) => {
      e.restoreDrills[0].passed = false;
      e.restoreDrills[0].fileSystems[0].passed = true;
      Object.assign(e.restoreDrills[0].fileSystems[1], { passed: false, failure: "States.Timeout" });
    };
    expect(outcome("soul-documents.restore-tested", edit).status).toBe("pass");
    const drill = outcome("backup.restore-drill", edit);
    expect(drill.status).toBe("fail");
    expect(drill.details?.join("\n")).toContain("fs-0run: the last restore drill (drill-0301");
    expect(drill.details?.join("\n")).toContain("States.Timeout");
  });
});

describe("Function: credentials.secret-resource-policies on account principals", () => {
  it.each([
    ["pass", "its own account (delegates to IAM, which the simulations judge)", ACCOUNT],
    ["pass", "its own account's root ARN", `arn:aws:iam::${ACCOUNT}:root`],
    ["fail", "another account by id", "999988887777"],
  ] as const)("is %s when the fleet secret grants %s", (expected, _what, principal) => {
    const result = outcome("credentials.secret-resource-policies", (e) => {
      e.secrets[0].resourcePolicy = {
        Statement: [
          { Effect: "Allow", Principal: { AWS: principal }, Action: "secretsmanager:GetSecretValue" },
        ],
      };
    });
    expect(result.status, result.explanation).toBe(expected);
  });
});

describe("Function: credentials.secret-resource-policies on who a grant reaches", () => {
  const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/clawops-test-fleet-instance/i-01`;
  const grant = (fields: Record<string, unknown>) => ({
    Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", ...fields }],
  });

  it.each([
    [
      "fail",
      "the fleet secret is granted to everyone but one role (Allow + NotPrincipal)",
      SECRET,
      grant({ NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/nobody` } }),
      "grants GetSecretValue to everyone but those in NotPrincipal",
    ],
    [
      "unknown",
      "the fleet secret is granted to everyone but one role under conditions",
      SECRET,
      grant({
        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/nobody` },
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } },
      }),
      "grants everyone but those in NotPrincipal under conditions",
    ],
    [
      "fail",
      "another secret is granted to a session of the instance role",
      OTHER_SECRET,
      grant({ Principal: { AWS: SESSION } }),
      `payroll/db: grants ${SESSION}, which must read only its own secret`,
    ],
    [
      "pass",
      "the fleet secret is granted to a session of its own role",
      SECRET,
      grant({ Principal: { AWS: SESSION } }),
      "",
    ],
  ] as const)("is %s when %s", (expected, _what, arn, policy, detail) => {
    const result = outcome("credentials.secret-resource-policies", (e) => {
      e.secrets.find((x: { arn: string }) => x.arn === arn).resourcePolicy = structuredClone(policy);
    });
    expect(result.status, result.explanation).toBe(expected);
    expect(result.details?.join("\n") ?? "").toContain(detail);
  });
});

describe("Function: backup.daily-plan on the plan's rules", () => {
  const rule = (name: string, schedule: string, vaultName: string, deleteAfterDays?: number) => ({
    name,
    schedule,
    vaultName,
    ...(deleteAfterDays === undefined ? {} : { deleteAfterDays }),
  });

  it.each([
    [
      "fail",
      "the daily rule into the fleet's vault keeps forever and another vault's daily rule has the retention",
      [
        rule("daily-fleet", "cron(0 5 ? * * *)", "clawops-test-openclaw"),
        rule("daily-other", "cron(0 6 ? * * *)", "other-vault", 35),
      ],
      "the daily rule into vault clawops-test-openclaw has no retention (DeleteAfterDays)",
    ],
    [
      "fail",
      "the rule into the fleet's vault is weekly and the daily one goes elsewhere",
      [
        rule("weekly-fleet", "cron(0 5 ? * SUN *)", "clawops-test-openclaw", 35),
        rule("daily-other", "cron(0 6 ? * * *)", "other-vault", 35),
      ],
      "no daily rule targets vault clawops-test-openclaw",
    ],
    [
      "pass",
      "one of several rules is daily, into the fleet's vault, with a retention",
      [
        rule("daily-other", "cron(0 6 ? * * *)", "other-vault"),
        rule("daily-fleet", "cron(0 5 ? * * *)", "clawops-test-openclaw", 35),
      ],
      "",
    ],
  ] as const)("is %s when %s", (expected, _what, rules, detail) => {
    const result = outcome("backup.daily-plan", (e) => {
      e.backup.plan.rules = structuredClone(rules);
    });
    expect(result.status, result.explanation).toBe(expected);
    expect(result.details?.join("\n") ?? "").toContain(detail);
  });
});

describe("Function: backup.daily-plan on how AWS Backup assigns resources", () => {
  const fsArn = (id: string) => `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${id}`;
  const allEfs = "arn:aws:elasticfilesystem:*:*:file-system/*";
  const selection = (fields: Record<string, unknown>) => ({
    name: "sel",
    resources: [],
    notResources: [],
    conditions: [],
    listOfTags: [],
    ...fields,
  });
  const tagged = { "fs-0work": { backup: "daily" }, "fs-0run": { backup: "daily" } };

  it.each([
    [
      "fail",
      "all EFS but the workspace excluded by NotResources",
      [selection({ resources: [allEfs], notResources: [fsArn("fs-0work")] })],
      undefined,
      "excludes it (NotResources)",
    ],
    [
      "fail",
      "all EFS under a tag condition the file systems do not meet",
      [
        selection({
          resources: [allEfs],
          conditions: [{ operator: "StringEquals", tagKey: "backup", value: "daily" }],
        }),
      ],
      { "fs-0work": {}, "fs-0run": { backup: "daily" } },
      "tag conditions do not hold",
    ],
    [
      "pass",
      "all EFS under a tag condition both meet",
      [
        selection({
          resources: [allEfs],
          conditions: [{ operator: "StringEquals", tagKey: "backup", value: "daily" }],
        }),
      ],
      tagged,
      "",
    ],
    [
      "pass",
      "ListOfTags alone (ORed with Resources)",
      [selection({ listOfTags: [{ tagKey: "backup", value: "daily" }] })],
      tagged,
      "",
    ],
    [
      "fail",
      "ListOfTags the workspace does not carry",
      [selection({ listOfTags: [{ tagKey: "backup", value: "daily" }] })],
      { "fs-0work": { backup: "weekly" }, "fs-0run": { backup: "daily" } },
      "does not match it",
    ],
    [
      "fail",
      "the file systems' ids in another account and region",
      [
        selection({
          resources: ["fs-0work", "fs-0run"].map((id) =>
            fsArn(id).replace(`us-east-1:${ACCOUNT}`, "eu-west-1:999999999999"),
          ),
        }),
      ],
      undefined,
      "does not match it",
    ],
    [
      "pass",
      "the file systems' ids in any region of the account (wildcard region)",
      [selection({ resources: ["fs-0work", "fs-0run"].map((id) => fsArn(id).replace("us-east-1", "*")) })],
      undefined,
      "",
    ],
    [
      "pass",
      "* with a StringNotEquals condition both meet",
      [
        selection({
          resources: ["*"],
          conditions: [{ operator: "StringNotEquals", tagKey: "backup", value: "none" }],
        }),
      ],
      { "fs-0work": {}, "fs-0run": {} },
      "",
    ],
  ] as const)("is %s with %s", (expected, _what, selections, tags, detail) => {
    const result = outcome("backup.daily-plan", (e) => {
      e.backup.selections = structuredClone(selections);
      if (tags) e.backup.fileSystemTags = structuredClone(tags);
    });
    expect(result.status, [result.explanation, ...(result.details ?? [])].join("\n")).toBe(expected);
    expect(result.details?.join("\n") ?? "").toContain(detail);
  });
});

describe("Function: infrastructure.encryption-at-rest on launch template devices with Encrypted unset", () => {
  it.each([
    [
      "pass",
      "EBS encryption by default is on",
      true,
      "EBS encryption by default is on, so their volumes are encrypted",
    ],
    [
      "fail",
      "EBS encryption by default is off",
      false,
      "1 block device(s) leave Encrypted unset and EBS encryption by default is off",
    ],
    [
      "fail",
      "EBS encryption by default could not be read",
      { unavailable: "ec2:GetEbsEncryptionByDefault: UnauthorizedOperation: not authorized" },
      "could not be read (ec2:GetEbsEncryptionByDefault: UnauthorizedOperation",
    ],
  ] as const)("is %s when %s", (expected, _what, byDefault, detail) => {
    const result = outcome("infrastructure.encryption-at-rest", (e) => {
      e.launchTemplate.ebsEncrypted = [true, undefined];
      e.launchTemplate.ebsEncryptionByDefault = structuredClone(byDefault);
    });
    expect(result.status, result.explanation).toBe(expected);
    expect(result.details?.join("\n")).toContain(detail);
  });

  it("still fails a device with Encrypted false when EBS encryption by default is on", () => {
    const result = outcome("infrastructure.encryption-at-rest", (e) => {
      e.launchTemplate.ebsEncrypted = [false];
      e.launchTemplate.ebsEncryptionByDefault = true;
    });
    expect(result.status).toBe("fail");
  });
});

describe("Function: infrastructure.encryption-at-rest on log groups", () => {
  it("stays decided when DescribeLogGroups failed (log groups are always encrypted; only the note is lost)", () => {
    const result = outcome("infrastructure.encryption-at-rest", (e) => {
      e.logGroups = { unavailable: "logs:DescribeLogGroups: AccessDeniedException: denied" };
    });
    expect(result.status, result.explanation).toBe("pass");
  });

  it("passes a log group without a KMS key (CloudWatch Logs always encrypts at rest) and notes it", () => {
    const result = outcome("infrastructure.encryption-at-rest", (e) => {
      delete e.logGroups[0].kmsKeyId;
    });
    expect(result.status, result.explanation).toBe("pass");
    expect(result.details?.join(" ")).toContain(
      "/openclaw/test/openclaw/gateway: encrypted with CloudWatch Logs' own key",
    );
  });
});

describe("Function: credentials.imdsv2-required on a launch template that leaves HttpTokens unset", () => {
  // AWS's order of precedence: the template, then the account's default in the region, then the AMI.
  it.each([
    ["pass", "the account's default requires IMDSv2", "required", undefined, "required by the account's"],
    [
      "fail",
      "the account's default is optional, even with an AMI of ImdsSupport v2.0 (the account comes first)",
      "optional",
      "v2.0",
      "HttpTokens optional, decided by the account's",
    ],
    ["pass", "the account has no default and the AMI has ImdsSupport v2.0", null, "v2.0", "AMI ami-0abc"],
    [
      "fail",
      "the account has no default and the AMI has no ImdsSupport",
      null,
      null,
      "HttpTokens optional, decided by nothing",
    ],
    [
      "unknown",
      "the account's default could not be read",
      { unavailable: "ec2:GetInstanceMetadataDefaults: UnauthorizedOperation: denied" },
      undefined,
      "UnauthorizedOperation",
    ],
    [
      "unknown",
      "the AMI could not be described",
      null,
      { unavailable: "ec2:DescribeImages: InvalidAMIID.NotFound: gone" },
      "InvalidAMIID.NotFound",
    ],
    ["unknown", "neither was read", undefined, undefined, "were not read"],
  ] as const)("is %s when %s", (expected, _what, account, image, detail) => {
    const result = outcome("credentials.imdsv2-required", (e) => {
      delete e.launchTemplate.httpTokens;
      e.launchTemplate.imageId = "ami-0abc";
      if (account !== undefined) e.launchTemplate.accountHttpTokens = structuredClone(account);
      if (image !== undefined) e.launchTemplate.imageImdsSupport = structuredClone(image);
    });
    expect(result.status, [result.explanation, ...(result.details ?? [])].join("\n")).toBe(expected);
    expect(result.details?.join("\n")).toContain(detail);
  });

  it("still fails a template that sets HttpTokens optional when the account's default requires IMDSv2", () => {
    const result = outcome("credentials.imdsv2-required", (e) => {
      e.launchTemplate.httpTokens = "optional";
      e.launchTemplate.accountHttpTokens = "required";
    });
    expect(result.status).toBe("fail");
  });
});

describe("Function: gateway alarm checks with two stages in one account", () => {
  // Every stage's fleet is named alike (`openclaw`): only the Stage dimension and the exact name tell them apart.
  const alarm = (stage: string, fresh: boolean) => ({
    name: `clawops-${stage}-unhealthy-gateways`,
    namespace: "Clawops",
    metricName: "UnhealthyGateways",
    dimensions: { service: "lifecycle-monitor", Stage: stage, Fleet: "openclaw" },
    actionsEnabled: true,
    state: "OK",
    treatMissingData: "notBreaching",
    latestDatapointAt: fresh ? "2026-03-02T07:59:00.000Z" : null,
  });

  it("fails gateway-health when this stage's monitor stopped, however fresh another stage's alarm is", () => {
    const result = outcome("infrastructure.gateway-health", (e, s) => {
      Object.assign(s, { stage: "prod" });
      Object.assign(e, { alarms: [alarm("prod", false), alarm("dev", true)] });
    });
    expect(result.status, result.explanation).toBe("fail");
  });

  it("fails gateway-alarm-routed when only stage prod-eu has a gateway alarm, for stage prod", () => {
    const result = outcome("monitoring.gateway-alarm-routed", (e, s) => {
      Object.assign(s, { stage: "prod" });
      Object.assign(e, { alarms: [alarm("prod-eu", true)] });
    });
    expect(result.status, result.explanation).toBe("fail");
  });
});

describe("Function: network checks on IPv6 peers inside the VPC's own block", () => {
  const rule = (cidr: string, port: number) => ({
    protocol: "tcp",
    fromPort: port,
    toPort: port,
    cidrs: [],
    ipv6Cidrs: [cidr],
    prefixListIds: [],
    groupIds: [],
  });
  // Egress to a peer (port 443) and SSH from it (port 22): a range inside the VPC's IPv6 block is inside the VPC.
  const checks = [
    ["network.egress-allowlist", "outbound", 443],
    ["network.ssh-not-public", "inbound", 22],
  ] as const;
  const peers = [
    ["pass", "the VPC's own IPv6 block", "2600:1f18:4b2:5e00::/56"],
    ["pass", "a subnet's /64 inside the VPC's block", "2600:1f18:4b2:5e1a::/64"],
    ["pass", "one address inside the VPC's block, written in full", "2600:1f18:04b2:5eff:0:0:0:1/128"],
    ["fail", "the next /56 after the VPC's block", "2600:1f18:4b2:5f00::/56"],
    ["fail", "a range wider than the VPC's block", "2600:1f18:4b2:5e00::/48"],
    ["fail", "a public address outside the VPC", "2606:4700::1111/128"],
  ] as const;

  it.each(checks.flatMap(([id, direction, port]) => peers.map((p) => [id, ...p, direction, port] as const)))(
    "%s is %s for a rule with %s",
    (id, expected, _what, cidr, direction, port) => {
      const result = outcome(id, (e) => {
        e.network.securityGroups[0][direction].push(rule(cidr, port));
      });
      expect(result.status, [result.explanation, ...(result.details ?? [])].join("\n")).toBe(expected);
    },
  );
});

describe("Function: infrastructure.private-subnets on route states", () => {
  it("does not count a blackhole route to a deleted internet gateway as public", () => {
    const result = outcome("infrastructure.private-subnets", (e) => {
      e.network.subnets[0].routeTargets.push({
        destination: "::/0",
        target: "igw-0gone",
        state: "blackhole",
      });
    });
    expect(result.status, result.explanation).toBe("pass");
  });
});

describe("Function: infrastructure.replacement on a drill that saw no replacement", () => {
  it("passes on a health-check replacement newer than that drill", () => {
    const result = outcome("infrastructure.replacement", (e) => {
      e.failureDrill.replacementSeconds = null;
      e.autoScalingGroup.activities = [
        {
          description: "Terminating EC2 instance: i-0old",
          cause:
            "At 2026-02-28T08:00:00Z an instance was taken out of service in response to a user health-check.",
          statusCode: "Successful",
          startTime: "2026-02-28T08:00:00Z",
          endTime: "2026-02-28T08:01:00Z",
        },
        {
          description: "Launching a new EC2 instance: i-0new",
          cause:
            "At 2026-02-28T08:00:05Z an instance was started in response to a difference between desired and actual capacity",
          statusCode: "Successful",
          startTime: "2026-02-28T08:00:05Z",
          endTime: "2026-02-28T08:06:40Z",
        },
      ];
    });
    expect(result.status, result.explanation).toBe("pass");
  });
});
