import { attestationFor, judgeAttestation } from "../attestation.js";
import { available, isUnavailable } from "../evidence.js";
import { soulDocumentsDigest } from "../probes.js";
import type { ReadinessCheck } from "../types.js";
import { ageDays, fail, pass, unknown } from "./result.js";

const NO_EVALS = "No eval results were ingested: run `clawops evals report <results.json>`.";

/** Section 7 of the checklist: eval coverage, results, CI and schedule. */
export const skillEvalChecks: readonly ReadinessCheck[] = [
  {
    id: "skill-evals.cases-per-skill",
    area: "skill-evals",
    title: "Every skill has the three kinds of case",
    checklistItem:
      "Every skill in the deployment has at least three test cases: a normal case, a case where the agent should decline or escalate, and one edge case.",
    severity: "high",
    evidence: ["evals"],
    method:
      "The latest ingested eval results (promptfoo JSON): per skill, at least evals.minCasesPerSkill cases with at least one normal, one decline/escalate and one edge case (metadata or description tags).",
    evaluate: (evidence, settings) => {
      const latest = available(evidence.evals).latest;
      if (!latest) return fail(NO_EVALS);
      const min = settings.evals.minCasesPerSkill;
      const problems = latest.skills.flatMap((s) => {
        const total = Object.values(s.cases).reduce((a, b) => a + b, 0);
        const lacking = (["normal", "decline-escalate", "edge"] as const).filter((k) => s.cases[k] === 0);
        return total < min || lacking.length > 0
          ? [`${s.skill}: ${total} case(s)${lacking.length ? `, no ${lacking.join("/")} case` : ""}`]
          : [];
      });
      if (latest.skills.length === 0) return fail("The latest eval results hold no cases.");
      if (problems.length > 0) return fail("Some skills lack the required cases.", problems);
      return pass(`All ${latest.skills.length} skill(s) have normal, decline/escalate and edge cases.`);
    },
    remediation:
      "Add the missing cases to the skill's promptfoo suite, tagged with metadata.kind (normal | decline | edge).",
  },
  {
    id: "skill-evals.deployed-skills-covered",
    area: "skill-evals",
    title: "Every deployed skill has evals",
    checklistItem: "Every skill in the deployment has at least three test cases.",
    severity: "high",
    evidence: ["evals", "probes"],
    method:
      "On-instance probe lists workspace/skills/*/SKILL.md; each deployed skill must appear in the latest eval results. An instance whose workspace digest equals the manifest's deploys the manifest's skills; one whose list was cut at SSM's output limit is inconclusive unless a listed skill lacks evals.",
    evaluate: (evidence) => {
      const latest = available(evidence.evals).latest;
      const probes = Object.entries(available(evidence.probes));
      const answered = probes.flatMap(([id, p]) => (p.ok ? [{ id, result: p.result }] : []));
      if (answered.length === 0)
        return unknown("No instance answered the probe, so the deployed skills are unknown.");
      const manifest = isUnavailable(evidence.manifest) ? null : evidence.manifest;
      const manifestDigest = manifest ? soulDocumentsDigest(manifest) : undefined;
      const manifestSkills = Object.keys(manifest ?? {}).flatMap((path) => {
        const skill = /^skills\/([^/]+)\/SKILL\.md$/.exec(path)?.[1];
        return skill && !skill.startsWith(".") ? [skill] : [];
      });
      const cut: string[] = [];
      const listed = answered.flatMap(({ id, result }) => {
        if (result.soulDigest === manifestDigest) return manifestSkills;
        if (result.skills.length < result.skillCount)
          cut.push(`${id}: only ${result.skills.length} of ${result.skillCount} skills listed`);
        return result.skills;
      });
      const deployed = [...new Set(listed)].sort();
      const covered = new Set(latest?.skills.map((s) => s.skill) ?? []);
      const missing = deployed.filter((s) => !covered.has(s));
      if (missing.length > 0) return fail(`${missing.length} deployed skill(s) have no evals.`, missing);
      if (cut.length > 0)
        return unknown(`The deployed skills were listed in part on ${cut.length} instance(s).`, cut);
      return pass(
        deployed.length === 0
          ? "No custom skills are deployed."
          : `All ${deployed.length} deployed skill(s) have evals.`,
        deployed,
      );
    },
    remediation: "Write promptfoo evals for the listed skills (with a `skill` var) and ingest the results.",
  },
  {
    id: "skill-evals.all-pass",
    area: "skill-evals",
    title: "All eval cases pass",
    checklistItem: "All test cases pass.",
    severity: "high",
    evidence: ["evals"],
    method: "The latest ingested eval results: no failing case.",
    evaluate: (evidence) => {
      const latest = available(evidence.evals).latest;
      if (!latest) return fail(NO_EVALS);
      const failing = latest.skills.flatMap((s) => s.failures.map((f) => `${s.skill}: ${f}`));
      const count = latest.skills.reduce((n, s) => n + s.failed, 0);
      if (count > 0) return fail(`${count} eval case(s) fail in the run of ${latest.runAt}.`, failing);
      return pass(`Every case passed in the run of ${latest.runAt}.`);
    },
    remediation: "Fix the skill (or the model/prompt change) until the failing cases pass.",
  },
  {
    id: "skill-evals.scheduled-run",
    area: "skill-evals",
    title: "Scheduled eval run recent and passing",
    checklistItem: "A scheduled eval run is configured and has completed at least one successful run.",
    severity: "warning",
    evidence: ["evals"],
    method: "The last eval results ingested with --scheduled: at most evals.maxAgeDays old, no failing case.",
    evaluate: (evidence, settings, now) => {
      const run = available(evidence.evals).lastScheduled;
      if (!run) return fail("No scheduled eval run has been ingested (`clawops evals report --scheduled`).");
      const age = ageDays(run.runAt, now);
      if (age > settings.evals.maxAgeDays)
        return fail(`The last scheduled run is ${age} days old (more than ${settings.evals.maxAgeDays}).`);
      const failed = run.skills.reduce((n, s) => n + s.failed, 0);
      if (failed > 0) return fail(`The last scheduled run (${run.runAt}) had ${failed} failing case(s).`);
      return pass(`The scheduled run of ${run.runAt} passed.`);
    },
    remediation:
      "Schedule the eval suite (e.g. nightly CI) and ingest its results with `clawops evals report --scheduled`.",
  },
  {
    id: "skill-evals.ci-pipeline",
    area: "skill-evals",
    title: "CI blocks merges on eval failure",
    checklistItem:
      "The CI pipeline is configured to run evals on pull requests to the skills directory and block merges on failure.",
    severity: "high",
    evidence: [],
    method:
      "Attestation (id skill-evals.ci-pipeline): the code host's CI and branch rules are not visible to AWS.",
    evaluate: (_e, settings, now) =>
      judgeAttestation(
        attestationFor(settings, "skill-evals.ci-pipeline"),
        "CI runs evals on pull requests to the skills and blocks merges on failure",
        now,
      ),
    remediation:
      "Add the eval job to CI for skills/** with a required status check, then record an attestation.",
  },
];
