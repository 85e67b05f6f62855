import type { ProbeOutcome, ReadinessProbeResult } from "../probes.js";
import type { CheckResult } from "../types.js";
import { fail, pass, unknown } from "./result.js";

/** What one instance's probe says about one check: `undefined` = fine, a string = the problem. */
export type InstanceJudgement = { readonly problem: string } | { readonly inconclusive: string } | undefined;

/**
 * Judges every instance's probe for one check: any problem → `fail` (listing the instances); else any probe
 * missing or garbage → `unknown`; else `pass`. No instances at all is `unknown`: nothing was verified.
 */
export function judgeProbes(
  probes: Readonly<Record<string, ProbeOutcome>>,
  judge: (result: ReadinessProbeResult, instanceId: string) => InstanceJudgement,
  words: { readonly passed: string; readonly failed: string },
): CheckResult {
  const ids = Object.keys(probes).sort();
  if (ids.length === 0) return unknown("No InService instance answered the probe, so nothing was verified.");
  const problems: string[] = [];
  const unsure: string[] = [];
  for (const id of ids) {
    const outcome = probes[id]!;
    if (!outcome.ok) {
      unsure.push(`${id}: ${outcome.reason}`);
      continue;
    }
    const verdict = judge(outcome.result, id);
    if (verdict && "problem" in verdict) problems.push(`${id}: ${verdict.problem}`);
    else if (verdict) unsure.push(`${id}: ${verdict.inconclusive}`);
  }
  if (problems.length > 0) {
    return fail(`${words.failed} on ${problems.length} of ${ids.length} instance(s).`, [
      ...problems,
      ...unsure,
    ]);
  }
  if (unsure.length > 0) {
    return unknown(`Inconclusive on ${unsure.length} of ${ids.length} instance(s).`, unsure);
  }
  return pass(`${words.passed} on all ${ids.length} instance(s).`);
}
