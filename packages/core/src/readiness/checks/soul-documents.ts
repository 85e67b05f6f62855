import { attestationFor, judgeAttestation } from "../attestation.js";
import { available } from "../evidence.js";
import {
  statementCoversAction,
  statementCoversPrincipal,
  statementCoversResource,
  statementsOf,
} from "../policy.js";
import { byteOrder, type ReadinessProbeResult, soulDocumentsDigest } from "../probes.js";
import { tuning } from "../settings.js";
import type { ReadinessCheck } from "../types.js";
import { type InstanceJudgement, judgeProbes } from "./probe-verdict.js";
import { recentBackup, restoreDrillVerdict } from "./recovery.js";
import { fail, pass } from "./result.js";
import { anonymousWriteAllowed, denyCoverage } from "./workspace-write-deny.js";

/**
 * What differs on an instance whose digest is not the manifest's. The probe lists the first files in byte order
 * of their paths, so a manifest path before the last one listed and not listed is missing; past it nothing is
 * known file by file, but the digest proves a difference.
 */
function compareWithManifest(
  r: ReadinessProbeResult,
  manifest: Readonly<Record<string, string>>,
  expectedCount: number,
): InstanceJudgement {
  const listed = Object.keys(r.soulDocuments).sort(byteOrder);
  const last = listed.at(-1);
  const complete = listed.length === r.soulDocumentCount;
  const problems: string[] = [];
  for (const [path, hash] of Object.entries(manifest)) {
    const found = r.soulDocuments[path];
    const seenUpTo = complete || (last !== undefined && byteOrder(path, last) < 0);
    if (found === undefined && seenUpTo) problems.push(`${path} missing`);
    else if (found !== undefined && found !== "unreadable" && found !== hash)
      problems.push(`${path} modified`);
  }
  for (const path of listed) if (!(path in manifest)) problems.push(`${path} unexpected`);
  if (problems.length > 0)
    return {
      problem: `${problems.join(", ")}${complete ? "" : ` (${listed.length} of ${r.soulDocumentCount} files listed)`}`,
    };
  if (r.soulUnreadableCount > 0)
    return { inconclusive: `${r.soulUnreadableCount} workspace file(s) could not be read by the probe` };
  if (complete) return { inconclusive: "the workspace digest differs although every listed file matches" };
  return {
    problem: `the digest of its ${r.soulDocumentCount} files is not the manifest's (${expectedCount} files); the first ${listed.length} listed match, the difference is among the other ${r.soulDocumentCount - listed.length}`,
  };
}

/** Section 2 of the checklist: read-only soul documents, their integrity, review and backup. */
export const soulDocumentChecks: readonly ReadinessCheck[] = [
  {
    id: "soul-documents.workspace-read-only",
    area: "soul-documents",
    title: "Workspace write fails read-only",
    checklistItem:
      "Attempt to write to the workspace directory from the instance after deployment and verify that the write fails with a read-only filesystem error.",
    severity: "critical",
    evidence: ["probes"],
    method:
      "On-instance probe (SSM) on every InService instance: `touch` in the workspace must fail with EROFS.",
    evaluate: (evidence) =>
      judgeProbes(
        available(evidence.probes),
        (r) => {
          if (r.workspaceWrite === "erofs") return undefined;
          if (r.workspaceWrite === "allowed") return { problem: "the write succeeded" };
          if (r.workspaceWrite === "eacces")
            return {
              problem: "the write failed with permission denied, not read-only: the mount is read-write",
            };
          return { problem: "the write failed for another reason than a read-only file system" };
        },
        {
          passed: "Writing to the workspace fails with EROFS",
          failed: "The workspace is writable or not mounted read-only",
        },
      ),
    remediation:
      "Mount the workspace access point with `-o ro` (fstab `efs _netdev,tls,iam,ro`) and redeploy the instances.",
  },
  {
    id: "soul-documents.client-write-denied",
    area: "soul-documents",
    title: "File system policy denies ClientWrite",
    checklistItem:
      "Soul documents are mounted read-only on every instance via AWS EFS (and root cannot remount them read-write).",
    severity: "critical",
    evidence: ["fileSystems"],
    method:
      'DescribeFileSystemPolicy of the workspace file system: a Deny of elasticfilesystem:ClientWrite for the instance role (by ARN, account or everyone; a NotPrincipal must not exempt it) that holds both through the workspace access point and on a mount without an access point: unconditional (own file system), or StringNotEquals/ArnNotEquals/ArnNotLike elasticfilesystem:AccessPointArn on the runtime access point; StringEquals/ArnLike naming the workspace\'s needs a second Deny for mounts without one (Null elasticfilesystem:AccessPointArn true), since the key is then absent (a read-only mount alone does not stop root from remounting read-write). Arn* operators match each ARN component with wildcards; a deny naming one session of the role does not cover the role. When the policy allows "*" both ClientMount and ClientWrite, anonymous mounts (without the iam option) can write too unless a Deny for "*" stops them (an Allow conditioned on a key only a signed-in caller has, such as aws:PrincipalAccount, does not reach them).',
    evaluate: (evidence, settings) => {
      const { workspace, runtime, instanceRoleArn } = settings.fleet;
      const fs = available(evidence.fileSystems).find((f) => f.fileSystemId === workspace.fileSystemId);
      if (!fs) return fail(`Workspace file system ${workspace.fileSystemId} not found.`);
      const shared = workspace.fileSystemId === runtime.fileSystemId;
      const [, partition, , , account] = instanceRoleArn.split(":");
      const accessPoint = {
        id: workspace.accessPointId,
        arn: `arn:${partition}:elasticfilesystem:${settings.region}:${account}:access-point/${workspace.accessPointId}`,
      };
      const fileSystemArn = `arn:${partition}:elasticfilesystem:${settings.region}:${account}:file-system/${fs.fileSystemId}`;
      const statements = statementsOf(fs.policy);
      const denies = statements.filter(
        (s) =>
          s.Effect === "Deny" &&
          statementCoversAction(s, "elasticfilesystem:ClientWrite") &&
          statementCoversPrincipal(s, instanceRoleArn) &&
          statementCoversResource(s, fileSystemArn),
      );
      const judged = denies.map((s) => ({
        s,
        ...denyCoverage(s, accessPoint, instanceRoleArn, shared),
      }));
      const throughWorkspace = judged.find((j) => j.throughWorkspace);
      const withoutAccessPoint = judged.find((j) => j.withoutAccessPoint);
      const anonymous = anonymousWriteAllowed(statements, accessPoint, fileSystemArn);
      if (!throughWorkspace || !withoutAccessPoint)
        return fail(
          `The policy of ${fs.fileSystemId} does not deny ClientWrite on the workspace to the instance role: root can remount it read-write.`,
          [
            ...(denies.length === 0
              ? ["no Deny statement covers elasticfilesystem:ClientWrite for the instance role"]
              : judged.flatMap((j) => j.why)),
            ...(anonymous ?? []),
          ],
        );
      if (anonymous)
        return fail(
          `The policy of ${fs.fileSystemId} lets anonymous clients write: root can remount the workspace read-write without IAM (no iam mount option).`,
          anonymous,
        );
      const sids = [...new Set([throughWorkspace.s, withoutAccessPoint.s].map((s) => s.Sid ?? "statement"))];
      return pass(
        `The policy of ${fs.fileSystemId} denies ClientWrite on the workspace (${sids.join(", ")}).`,
      );
    },
    remediation:
      "Add a file system policy statement: Deny elasticfilesystem:ClientWrite to the instance role (when runtime shares the file system: with StringNotEquals elasticfilesystem:AccessPointArn on the runtime access point, which also covers mounts without an access point).",
  },
  {
    id: "soul-documents.runtime-separate",
    area: "soul-documents",
    title: "Workspace separate from runtime",
    checklistItem:
      "The workspace directory (read-only) is physically separate from the runtime directory (read-write).",
    severity: "high",
    evidence: ["probes"],
    method:
      "The fleet description uses different access points (or file systems) for workspace and runtime, and the probe's write to the runtime directory succeeds while the workspace's fails.",
    evaluate: (evidence, settings) => {
      const { workspace, runtime } = settings.fleet;
      if (
        workspace.fileSystemId === runtime.fileSystemId &&
        workspace.accessPointId === runtime.accessPointId
      )
        return fail("Workspace and runtime are the same access point of the same file system.");
      return judgeProbes(
        available(evidence.probes),
        (r) =>
          r.runtimeWrite === "allowed" ? undefined : { problem: "the runtime directory is not writable" },
        {
          passed: "The runtime is writable apart from the read-only workspace",
          failed: "The runtime is not writable",
        },
      );
    },
    remediation: "Mount the runtime access point read-write at its own path, separate from the workspace.",
  },
  {
    id: "soul-documents.hashes-match",
    area: "soul-documents",
    title: "Soul documents match the manifest",
    checklistItem:
      "Soul documents are version-controlled in a git repository and deployed through a standard deployment process.",
    severity: "critical",
    evidence: ["probes", "manifest"],
    method:
      "On-instance probe: SHA-256 of every workspace file on every instance against the deployed manifest (SSM parameter): nothing changed, missing or unexpected. The probe prints one digest over every file's hash (compared with the same digest of the manifest) and lists the first files by path within SSM's output limit, which name what differs.",
    evaluate: (evidence) => {
      const manifest = available(evidence.manifest);
      if (!manifest)
        return fail("No soul-document manifest is deployed: there is nothing to compare against.");
      const expected = soulDocumentsDigest(manifest);
      const expectedCount = Object.keys(manifest).length;
      return judgeProbes(
        available(evidence.probes),
        (r) => (r.soulDigest === expected ? undefined : compareWithManifest(r, manifest, expectedCount)),
        {
          passed: "Every soul document matches the manifest",
          failed: "Soul documents differ from the manifest",
        },
      );
    },
    remediation:
      "Redeploy the soul documents from git (the deploy is the only writer) and find out who changed them: a change outside the deploy means the read-only protection failed.",
  },
  {
    id: "soul-documents.pr-review",
    area: "soul-documents",
    title: "Soul repository requires PR review",
    checklistItem:
      "Verify that the git repository for soul documents requires pull request review before merge.",
    severity: "high",
    evidence: [],
    method:
      "Attestation (`readiness.attestations`, id soul-documents.pr-review): branch protection is not visible without a code-host token.",
    evaluate: (_evidence, settings, now) =>
      judgeAttestation(
        attestationFor(settings, "soul-documents.pr-review"),
        "the soul-document repository requires pull request review before merge",
        now,
      ),
    remediation:
      "Enable branch protection (required reviews) on the soul repository and record an attestation with its expiry.",
  },
  {
    id: "soul-documents.daily-backup",
    area: "soul-documents",
    title: "Daily workspace backups are running",
    checklistItem: "Verify that daily EFS backups are running.",
    severity: "high",
    evidence: ["backup"],
    method:
      "ListBackupJobs in the fleet's vault: a COMPLETED job for the workspace file system within the backup max age (26 h).",
    evaluate: (evidence, settings, now) =>
      recentBackup(
        available(evidence.backup),
        [settings.fleet.workspace.fileSystemId],
        tuning(settings).backupMaxAgeHours,
        now,
      ),
    remediation:
      "Check the backup plan's rule and selection and the vault's failed jobs (`aws backup list-backup-jobs`).",
  },
  {
    id: "soul-documents.restore-tested",
    area: "soul-documents",
    title: "A test restore has been performed",
    checklistItem: "Verify that a test restore has been performed.",
    severity: "high",
    evidence: ["restoreDrills"],
    method:
      "The newest restore drill record (DynamoDB) that covered the workspace (a `clawops drill` or a restore-testing validation): passed for it, within drills.maxDaysWithoutPass days.",
    evaluate: (evidence, settings, now) =>
      restoreDrillVerdict(available(evidence.restoreDrills), settings, now, [
        settings.fleet.workspace.fileSystemId,
      ]),
    remediation: "Run `clawops drill` and fix what it reports.",
  },
];
