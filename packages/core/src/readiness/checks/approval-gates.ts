import { attestationFor, judgeAttestation } from "../attestation.js";
import { available } from "../evidence.js";
import { tuning } from "../settings.js";
import type { ReadinessCheck } from "../types.js";
import { judgeProbes } from "./probe-verdict.js";
import { addDays, fail, pass } from "./result.js";

/** Section 8 of the checklist: gates documented, each tested, enforced. */
export const approvalGateChecks: readonly ReadinessCheck[] = [
  {
    id: "approval-gates.documented",
    area: "approval-gates",
    title: "Approval gates documented",
    checklistItem: "Document the specific approval gates for the client deployment before go-live.",
    severity: "high",
    evidence: [],
    method: "approvalGates in clawops.config.ts: at least one specific gate (the schema refuses vague ones).",
    evaluate: (_e, settings) =>
      settings.approvalGates.length === 0
        ? fail("No approval gates are documented in approvalGates.")
        : pass(
            `${settings.approvalGates.length} gate(s) documented.`,
            settings.approvalGates.map((g) => `${g.id}: ${g.description}`),
          ),
    remediation: 'List each high-stakes action in approvalGates (e.g. "Any deletion of CRM records").',
  },
  {
    id: "approval-gates.each-tested",
    area: "approval-gates",
    title: "Each gate tested",
    checklistItem:
      "Test each gate by having the agent attempt an action that should require approval and verify that the approval request surfaces correctly.",
    severity: "high",
    evidence: [],
    method:
      "Attestation per gate: approvalGates[].testedAt/testedBy (or an attestation with id approval-gates.<gate>) within readiness.approvalTestMaxAgeDays.",
    evaluate: (_e, settings, now) => {
      if (settings.approvalGates.length === 0)
        return fail("No approval gates are documented, so none was tested.");
      const maxAge = tuning(settings).approvalTestMaxAgeDays;
      const verdicts = settings.approvalGates.map((gate) => {
        const recorded =
          gate.testedAt && gate.testedBy
            ? { by: gate.testedBy, at: gate.testedAt, expires: addDays(gate.testedAt, maxAge) }
            : attestationFor(settings, `approval-gates.${gate.id}`);
        return { gate, result: judgeAttestation(recorded, `gate ${gate.id} was tested`, now) };
      });
      const failing = verdicts.filter((v) => v.result.status !== "attested");
      if (failing.length > 0)
        return fail(
          `${failing.length} of ${verdicts.length} gate(s) have no valid test record.`,
          failing.map((v) => v.result.explanation),
        );
      return {
        status: "attested",
        explanation: `All ${verdicts.length} gate(s) have a recorded test.`,
        details: verdicts.map((v) => v.result.explanation),
      };
    },
    remediation:
      "Have the agent attempt each gated action, confirm the approval request surfaces, and record testedAt/testedBy.",
  },
  {
    id: "approval-gates.enforced",
    area: "approval-gates",
    title: "Agent cannot proceed without approval",
    checklistItem: "Verify that the agent cannot proceed with the action without receiving approval.",
    severity: "critical",
    evidence: ["probes"],
    method:
      "On-instance probe: `openclaw exec-policy show --json` where the build exposes it; approvals must not be off (ask=off). Where the build does not expose it, the check is unknown (?); `approval-gates.each-tested` still holds the recorded gate tests.",
    evaluate: (evidence) =>
      judgeProbes(
        available(evidence.probes),
        (r) => {
          if (r.approvals.status === "unavailable")
            return { inconclusive: "OpenClaw does not expose its approval policy" };
          if (r.approvals.status === "unparsed")
            return { inconclusive: "the approval policy could not be read" };
          if (r.approvals.ask.includes("off")) return { problem: "exec approvals are off (ask=off)" };
          return undefined;
        },
        { passed: "Approvals are enabled", failed: "Approvals are disabled" },
      ),
    remediation:
      "Set the exec approval policy to ask (e.g. `openclaw exec-policy preset cautious`) and redeploy.",
  },
];
