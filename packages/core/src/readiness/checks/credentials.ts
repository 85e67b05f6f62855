import { attestationFor, judgeAttestation } from "../attestation.js";
import { available } from "../evidence.js";
import { findCredentialPatterns } from "../probes.js";
import type { ReadinessCheck } from "../types.js";
import { judgeProbes } from "./probe-verdict.js";
import { fail, pass, unknown } from "./result.js";
import { judgeRoleSimulations, scanSecretPolicies } from "./secret-access.js";
import { accountEnforcesImdsv2, templateHttpTokens } from "./template-http-tokens.js";

const SECRET_NAME = /(PASSWORD|API_KEY|TOKEN|PRIVATE_KEY)$/i;

/** Section 3 of the checklist: secrets, IMDSv2, credentials on disk and in configuration. */
export const credentialChecks: readonly ReadinessCheck[] = [
  {
    id: "credentials.instance-role-own-secret",
    area: "credentials",
    title: "Instance role reads only its secret",
    checklistItem:
      "Verify that the IAM role policy allows reads on only the specific secret ARN for that deployment.",
    severity: "critical",
    evidence: ["simulations"],
    method:
      "iam:SimulatePrincipalPolicy for the instance role: GetSecretValue allowed on the deployment's secret, denied on every other secret (ListSecrets) and on look-alike ARNs; missing context keys make it inconclusive.",
    evaluate: (evidence, settings) =>
      judgeRoleSimulations(
        available(evidence.simulations),
        settings.fleet.instanceRoleArn,
        settings.fleet.secretArn,
        "instance role",
      ),
    remediation:
      "Scope the instance role's secretsmanager:GetSecretValue to the one secret ARN (no wildcards that match look-alikes).",
  },
  {
    id: "credentials.secret-resource-policies",
    area: "credentials",
    title: "Secret resource policies grant nothing extra",
    checklistItem: "Each instance has an IAM role authorized to read only its own specific secret.",
    severity: "critical",
    evidence: ["secrets"],
    method:
      "GetResourcePolicy of every secret (the simulator ignores resource policies for roles): no grant to everyone, no grant of another secret to the instance or router role, no other reader of the deployment's or alerts' secret. A policy that cannot be read is named; the scan still fails on the grants it sees, and is unknown only when it sees none.",
    evaluate: (evidence, settings) =>
      scanSecretPolicies(available(evidence.secrets), [
        { secretArn: settings.fleet.secretArn, roleArn: settings.fleet.instanceRoleArn },
        ...(settings.alerts
          ? [{ secretArn: settings.alerts.secretArn, roleArn: settings.alerts.routerRoleArn }]
          : []),
      ]),
    remediation:
      "Remove the extra statements from the secrets' resource policies (`aws secretsmanager delete-resource-policy` or edit).",
  },
  {
    id: "credentials.alerts-secret-isolated",
    area: "credentials",
    title: "Alerts secret isolated",
    checklistItem:
      "The monitoring system should have its own isolated Secrets Manager secret; the alerting infrastructure cannot access the main config secret.",
    severity: "high",
    evidence: ["simulations"],
    method:
      "iam:SimulatePrincipalPolicy for the alert router's role: allowed on its own secret, denied on the deployment's secret and every other; the instance role is denied the alerts secret.",
    evaluate: (evidence, settings) => {
      if (!settings.alerts)
        return unknown("The Alerts stack is not deployed, so its secret cannot be checked.");
      const sims = available(evidence.simulations);
      const router = judgeRoleSimulations(
        sims,
        settings.alerts.routerRoleArn,
        settings.alerts.secretArn,
        "alert router role",
      );
      const fleetOnAlerts = sims.find(
        (s) =>
          s.principalArn === settings.fleet.instanceRoleArn && s.resourceArn === settings.alerts?.secretArn,
      );
      if (fleetOnAlerts?.decision === "allowed")
        return fail("The instance role can read the alerts secret.", [settings.alerts.secretArn]);
      return router;
    },
    remediation: "Give the alert router its own secret and scope both roles to their own secret only.",
  },
  {
    id: "credentials.imdsv2-required",
    area: "credentials",
    title: "IMDSv2 required everywhere",
    checklistItem: "IMDSv2 is enforced (http_tokens = required).",
    severity: "critical",
    evidence: ["launchTemplate", "instances"],
    method:
      "Every instance's MetadataOptions.HttpTokens is `required` (or the endpoint is disabled), and so is the launch template's by AWS's precedence: the template's own HttpTokens, else the account's instance metadata default in the region (GetInstanceMetadataDefaults), else the AMI's ImdsSupport v2.0 (DescribeImages; a resolve:ssm: image is first resolved with ssm:GetParameter: one of AWS's public parameters, or the account's own named in fleet.imageParameterName). When the account enforces IMDSv2 (HttpTokensEnforced), EC2 refuses every launch that does not resolve to `required`.",
    evaluate: (evidence) => {
      const problems: string[] = [];
      const refused: string[] = [];
      const unverified: string[] = [];
      const notes: string[] = [];
      const template = available(evidence.launchTemplate);
      if (!template) problems.push("the group has no launch template");
      else {
        const tokens = templateHttpTokens(template);
        const enforced = accountEnforcesImdsv2(template);
        const unset = template.httpTokens ? "" : " (the template leaves HttpTokens unset)";
        const enforcement = "the account enforces IMDSv2 at launch (HttpTokensEnforced)";
        if ("unknown" in tokens)
          unverified.push(
            `launch template ${template.id}: HttpTokens unset and ${tokens.unknown}${enforced ? `; ${enforcement}, so none of its instances can launch with IMDSv1, but whether EC2 accepts its launches is unknown` : ""}`,
          );
        else if (tokens.value !== "required")
          (enforced ? refused : problems).push(
            `launch template ${template.id}: HttpTokens ${tokens.value}, decided by ${tokens.decidedBy}${unset}${enforced ? `; ${enforcement}, so EC2 refuses every launch from it` : ""}`,
          );
        else if (!template.httpTokens)
          notes.push(`launch template ${template.id}: IMDSv2 required by ${tokens.decidedBy}${unset}`);
        if (enforced && !("unknown" in tokens) && tokens.value === "required") notes.push(enforcement);
      }
      for (const i of available(evidence.instances))
        if (i.httpTokens !== "required" && i.httpEndpoint !== "disabled")
          problems.push(`${i.instanceId}: HttpTokens ${i.httpTokens ?? "unset"}`);
      if (problems.length > 0) return fail("IMDSv1 is allowed.", [...problems, ...refused, ...unverified]);
      if (refused.length > 0)
        return fail(
          "The launch template does not require IMDSv2, and the account's IMDSv2 enforcement refuses its launches.",
          [...refused, ...unverified],
        );
      if (unverified.length > 0)
        return unknown(
          "Whether the launch template's instances require IMDSv2 could not be read.",
          unverified,
        );
      return pass("The launch template and every instance require IMDSv2 tokens.", notes);
    },
    remediation:
      "Set MetadataOptions HttpTokens=required (hop limit 1) in the launch template (it overrides the account's default and the AMI) and `aws ec2 modify-instance-metadata-options` on running instances.",
  },
  {
    id: "credentials.imdsv1-blocked",
    area: "credentials",
    title: "IMDSv1 request fails on the instance",
    checklistItem:
      "Verify that IMDSv2 is enforced by attempting an IMDSv1-style metadata query and confirming it fails.",
    severity: "critical",
    evidence: ["probes"],
    method:
      "On-instance probe: a metadata request without a session token must not answer 200 (401 expected).",
    evaluate: (evidence) =>
      judgeProbes(
        available(evidence.probes),
        (r) =>
          r.imdsV1Status >= 200 && r.imdsV1Status < 300
            ? { problem: `IMDSv1 answered HTTP ${r.imdsV1Status}` }
            : undefined,
        { passed: "An IMDSv1 request fails", failed: "IMDSv1 answers" },
      ),
    remediation: "Require IMDSv2 on the instances (HttpTokens=required).",
  },
  {
    id: "credentials.no-plaintext-on-disk",
    area: "credentials",
    title: "No plaintext credentials on disk",
    checklistItem: "Verify that no plaintext credentials exist on disk using a file scan.",
    severity: "critical",
    evidence: ["probes"],
    method:
      "On-instance probe: grep of the workspace, runtime and home directories for AWS keys (AKIA…), Slack (xoxb-…), Anthropic (sk-ant-…), GitHub (ghp_…) tokens and private keys, bounded in time.",
    evaluate: (evidence) =>
      judgeProbes(
        available(evidence.probes),
        (r) => {
          const scan = r.credentialScan;
          if (scan.status === "found")
            return { problem: `${scan.count} file(s) with credentials: ${scan.files.join(", ")}` };
          if (scan.status === "timeout") return { inconclusive: "the scan timed out" };
          if (scan.status === "partial") return { inconclusive: "some files could not be read" };
          return undefined;
        },
        { passed: "No plaintext credentials found", failed: "Plaintext credentials found" },
      ),
    remediation:
      "Remove the files, rotate the exposed credentials, and load secrets into memory from Secrets Manager at start.",
  },
  {
    id: "credentials.no-secrets-in-config",
    area: "credentials",
    title: "No secrets in user data or Lambda env",
    checklistItem:
      "All credentials live in AWS Secrets Manager, not in config files or environment variables.",
    severity: "high",
    evidence: ["launchTemplate", "functionEnvironments"],
    method:
      "The launch template's user data and every Lambda function's environment variables are scanned for token patterns and secret-named variables holding literal values.",
    evaluate: (evidence) => {
      const problems: string[] = [];
      const template = available(evidence.launchTemplate);
      const inUserData = template ? findCredentialPatterns(template.userData) : [];
      if (inUserData.length > 0) problems.push(`launch template user data: ${inUserData.join(", ")}`);
      for (const fn of available(evidence.functionEnvironments)) {
        for (const [name, value] of Object.entries(fn.variables)) {
          const patterns = findCredentialPatterns(value);
          if (patterns.length > 0) problems.push(`${fn.functionName}: ${name} holds ${patterns.join(", ")}`);
          else if (
            SECRET_NAME.test(name) &&
            value.length >= 16 &&
            !value.startsWith("arn:") &&
            !value.startsWith("/")
          )
            problems.push(`${fn.functionName}: ${name} looks like a literal secret`);
        }
      }
      if (problems.length > 0)
        return fail("Credentials are in configuration instead of Secrets Manager.", problems);
      return pass(
        `User data and ${available(evidence.functionEnvironments).length} function environment(s) hold no credentials.`,
      );
    },
    remediation: "Move the values to Secrets Manager, rotate them, and pass only the secret's ARN.",
  },
  {
    id: "credentials.integration-bot-accounts",
    area: "credentials",
    title: "Integrations use named bot accounts",
    checklistItem:
      "Verify that each integration is connected through a named bot account with documented permissions.",
    severity: "high",
    evidence: [],
    method:
      "Attestation (id credentials.integration-bot-accounts): accounts at Composio/Slack/Gmail are not visible to AWS.",
    evaluate: (_e, settings, now) =>
      judgeAttestation(
        attestationFor(settings, "credentials.integration-bot-accounts"),
        "every integration uses a named bot account with documented permissions",
        now,
      ),
    remediation:
      "Move integrations to dedicated bot/service accounts, document their permissions, and record an attestation.",
  },
];
