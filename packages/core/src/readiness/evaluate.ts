import { READINESS_CHECKS } from "./checks/index.js";
import { type Evidence, isUnavailable } from "./evidence.js";
import type { ReadinessSettings } from "./settings.js";
import {
  AREAS,
  type AreaSummary,
  type CheckOutcome,
  type CheckResult,
  type ReadinessCheck,
  type ReadinessReport,
} from "./types.js";

/**
 * Runs one check. Evidence that could not be gathered makes it `unknown` (with the reason) without calling it;
 * a check that throws becomes an `unknown` finding with the error, never a crashed run.
 */
export function runCheck(
  check: ReadinessCheck,
  evidence: Evidence,
  settings: ReadinessSettings,
  now: Date,
): CheckOutcome {
  const identity = {
    id: check.id,
    area: check.area,
    title: check.title,
    severity: check.severity,
    remediation: check.remediation,
  };
  const missing = check.evidence.flatMap((key) => {
    const value = evidence[key];
    return isUnavailable(value) ? [`${key}: ${value.unavailable}`] : [];
  });
  if (missing.length > 0) {
    return {
      ...identity,
      status: "unknown",
      explanation: "The evidence this check needs could not be gathered.",
      details: missing,
    };
  }
  let result: CheckResult;
  try {
    result = check.evaluate(evidence, settings, now);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = { status: "unknown", explanation: `The check could not be evaluated (${message}).` };
  }
  return { ...identity, ...result };
}

/** Counts per area; an area fails if any of its checks fails. */
export function summarizeAreas(outcomes: readonly CheckOutcome[]): AreaSummary[] {
  return AREAS.map((area) => {
    const mine = outcomes.filter((o) => o.area === area);
    const count = (status: CheckOutcome["status"]) => mine.filter((o) => o.status === status).length;
    const fail = count("fail");
    const unknown = count("unknown");
    return {
      area,
      pass: count("pass"),
      fail,
      unknown,
      attested: count("attested"),
      status: fail > 0 ? "fail" : unknown > 0 ? "unknown" : "pass",
    };
  });
}

/** Options of a run: identity and, for tests, a different set of checks. */
export interface EvaluateOptions {
  readonly runId: string;
  readonly now: Date;
  /** @default READINESS_CHECKS */
  readonly checks?: readonly ReadinessCheck[];
}

/** Runs every check against one gathering of evidence and reports per area. */
export function evaluateReadiness(
  evidence: Evidence,
  settings: ReadinessSettings,
  options: EvaluateOptions,
): ReadinessReport {
  const checks = options.checks ?? READINESS_CHECKS;
  const outcomes = checks.map((check) => runCheck(check, evidence, settings, options.now));
  return {
    runId: options.runId,
    at: options.now.toISOString(),
    stage: settings.stage,
    fleet: settings.fleet.name,
    areas: summarizeAreas(outcomes),
    checks: outcomes,
    passed: outcomes.every((o) => o.status !== "fail"),
  };
}
