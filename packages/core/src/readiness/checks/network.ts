import { attestationFor, judgeAttestation } from "../attestation.js";
import { isPublicIpv6 } from "../cidr.js";
import { available } from "../evidence.js";
import { tuning } from "../settings.js";
import type { ReadinessCheck } from "../types.js";
import { judgeProbes } from "./probe-verdict.js";
import { fail, pass, unknown } from "./result.js";
import {
  coversPort,
  describePorts,
  hostAllowlisted,
  isPublicPeer,
  peersOf,
  unapprovedEgress,
} from "./rules.js";

const CURL_EXIT: Readonly<Record<number, string>> = {
  0: "the connection succeeded",
  7: "the connection was refused or rejected (a packet came back)",
  35: "a TLS handshake happened",
  52: "the server answered",
  56: "data was received",
  60: "a certificate was presented",
};

/** Section 4 of the checklist: inbound, egress allowlist, SSH, Tailscale, the egress probe. */
export const networkChecks: readonly ReadinessCheck[] = [
  {
    id: "network.no-inbound",
    area: "network",
    title: "No inbound rules, none from the internet",
    checklistItem:
      "Verify the security group rules in the AWS console — no inbound rules with source 0.0.0.0/0 or ::/0.",
    severity: "critical",
    evidence: ["network"],
    method:
      "DescribeSecurityGroups of the fleet's and instances' groups: no inbound rule at all (the fleet needs none); public sources (0.0.0.0/0, ::/0, public CIDRs, prefix lists) called out.",
    evaluate: (evidence) => {
      const { securityGroups: groups, vpcIpv6Cidrs } = available(evidence.network);
      const publicRules: string[] = [];
      const internal: string[] = [];
      for (const group of groups)
        for (const rule of group.inbound)
          for (const peer of peersOf(rule))
            (isPublicPeer(peer, vpcIpv6Cidrs) ? publicRules : internal).push(
              `${group.groupId}: ${describePorts(rule)} from ${peer}`,
            );
      if (publicRules.length > 0)
        return fail(`${publicRules.length} inbound rule(s) admit the internet.`, [
          ...publicRules,
          ...internal,
        ]);
      if (internal.length > 0)
        return fail(
          "Inbound rules exist (the fleet needs none: SSM and Tailscale connect outbound).",
          internal,
        );
      return pass(`None of the ${groups.length} security group(s) has an inbound rule.`);
    },
    remediation:
      "Delete the inbound rules (`aws ec2 revoke-security-group-ingress`); administer through SSM or Tailscale.",
  },
  {
    id: "network.egress-allowlist",
    area: "network",
    title: "Egress only to the allowlist",
    checklistItem: "Verify the outbound rules contain only specific approved destinations.",
    severity: "high",
    evidence: ["network"],
    method:
      "Every outbound rule's destination is inside the VPC (endpoints, EFS), a security group, an allowlisted CIDR/prefix list on its port, or an AWS gateway-endpoint prefix list; the default allow-all egress fails.",
    evaluate: (evidence, settings) => {
      const network = available(evidence.network);
      const problems = network.securityGroups.flatMap((g) =>
        g.outbound.flatMap((r) => unapprovedEgress(r, network, settings).map((p) => `${g.groupId}: ${p}`)),
      );
      if (problems.length > 0)
        return fail("Outbound rules reach destinations outside the allowlist.", problems);
      return pass(
        `Every outbound rule of ${network.securityGroups.length} group(s) targets the VPC or an approved destination.`,
      );
    },
    remediation:
      "Replace broad egress with rules to the allowlisted destinations (egressAllowlist) and the VPC endpoints.",
  },
  {
    id: "network.ssh-not-public",
    area: "network",
    title: "SSH not reachable from the internet",
    checklistItem: "Confirm that SSH is not accessible from the public internet.",
    severity: "critical",
    evidence: ["network", "instances"],
    method:
      "No inbound rule admits TCP 22 from outside the VPC, and no instance has a public address that a port-22 rule could expose.",
    evaluate: (evidence) => {
      const { securityGroups: groups, vpcIpv6Cidrs } = available(evidence.network);
      const exposed = available(evidence.instances).some(
        (i) => i.publicIpv4 || i.ipv6Addresses.some(isPublicIpv6),
      );
      const problems: string[] = [];
      for (const group of groups)
        for (const rule of group.inbound.filter((r) => coversPort(r, 22)))
          for (const peer of peersOf(rule))
            if (isPublicPeer(peer, vpcIpv6Cidrs) || exposed)
              problems.push(`${group.groupId}: ${describePorts(rule)} from ${peer}`);
      if (problems.length > 0) return fail("SSH is reachable from outside the VPC.", problems);
      return pass("No rule admits SSH from outside the VPC.");
    },
    remediation: "Remove port-22 rules; use SSM Session Manager or Tailscale SSH.",
  },
  {
    id: "network.unapproved-egress-times-out",
    area: "network",
    title: "Unapproved endpoint times out",
    checklistItem:
      "Attempt a connection to an unapproved external endpoint from the instance and confirm it times out.",
    severity: "high",
    evidence: ["probes"],
    method:
      "On-instance probe: curl to readiness.egressProbeHost:Port (not on the allowlist) must end in curl exit 28 (timeout).",
    evaluate: (evidence, settings) => {
      const { egressProbeHost, egressProbePort } = tuning(settings);
      if (hostAllowlisted(egressProbeHost, settings))
        return unknown(`The probe target ${egressProbeHost} is on the allowlist; choose an unapproved host.`);
      return judgeProbes(
        available(evidence.probes),
        (r) =>
          r.egressExit === 28
            ? undefined
            : {
                problem: `${egressProbeHost}:${egressProbePort}: ${CURL_EXIT[r.egressExit] ?? `curl exit ${r.egressExit}`}`,
              },
        {
          passed: `A connection to ${egressProbeHost}:${egressProbePort} times out`,
          failed: "An unapproved endpoint is reachable",
        },
      );
    },
    remediation:
      "Remove the egress rule (or NAT route) that lets the instance reach unapproved destinations.",
  },
  {
    id: "network.tailscale-access",
    area: "network",
    title: "Admin access through Tailscale",
    checklistItem: "Verify Tailscale connectivity from an authorized machine.",
    severity: "warning",
    evidence: [],
    method:
      "Attestation (id network.tailscale-access): connectivity from an authorized machine is tested by a person.",
    evaluate: (_e, settings, now) =>
      judgeAttestation(
        attestationFor(settings, "network.tailscale-access"),
        "Tailscale access works from an authorized machine",
        now,
      ),
    remediation: "Test `tailscale ping`/SSH from an authorized device and record an attestation.",
  },
];
