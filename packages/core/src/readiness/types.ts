import type { Severity } from "../config/schema.js";
import type { Evidence } from "./evidence.js";
import type { ReadinessSettings } from "./settings.js";

/** The eight areas of the production checklist, in its order. */
export const AREAS = [
  "infrastructure",
  "soul-documents",
  "credentials",
  "network",
  "monitoring",
  "backup",
  "skill-evals",
  "approval-gates",
] as const;

/** One area of the production checklist. */
export type Area = (typeof AREAS)[number];

/**
 * What a check concluded. `attested` is a human's signed statement (who, when, until when) for what no
 * machine can verify: it is shown as such and never counts as `pass`.
 */
export type CheckStatus = "pass" | "fail" | "unknown" | "attested";

/** The outcome of one evaluation. */
export interface CheckResult {
  readonly status: CheckStatus;
  /** One or two sentences an operator (or a client) reads. */
  readonly explanation: string;
  /** Evidence behind the verdict: offending instances, rules, ARNs (bounded lists). */
  readonly details?: readonly string[];
}

/** The evidence keys a check may read. */
export type EvidenceKey = keyof Evidence;

/**
 * A readiness check: data plus a pure evaluation. Evidence is gathered once per run for all checks, so a
 * check only names the keys it reads; adding a check never adds an API call.
 */
export interface ReadinessCheck {
  /** `<area>.<what>`, stable across releases (attestations and drift reports refer to it). */
  readonly id: string;
  readonly area: Area;
  /** Short title for tables. */
  readonly title: string;
  /** The checklist sentence it verifies (from "How to verify it is ready"). */
  readonly checklistItem: string;
  readonly severity: Severity;
  /** The evidence it reads; when any of them could not be gathered the check is `unknown`. */
  readonly evidence: readonly EvidenceKey[];
  /** How it is verified, for the README table. */
  readonly method: string;
  readonly evaluate: (evidence: Evidence, settings: ReadinessSettings, now: Date) => CheckResult;
  /** What to do when it fails. */
  readonly remediation: string;
}

/** A check's result in a run, with the check's identity. */
export interface CheckOutcome extends CheckResult {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  readonly severity: Severity;
  readonly remediation: string;
}

/** Counts of one area. */
export interface AreaSummary {
  readonly area: Area;
  readonly pass: number;
  readonly fail: number;
  readonly unknown: number;
  readonly attested: number;
  /** fail > 0 → "fail"; else unknown > 0 → "unknown"; else "pass" (attested items are listed, never hidden). */
  readonly status: "pass" | "fail" | "unknown";
}

/** One readiness run. */
export interface ReadinessReport {
  readonly runId: string;
  readonly at: string;
  readonly stage: string;
  readonly fleet: string;
  readonly areas: readonly AreaSummary[];
  readonly checks: readonly CheckOutcome[];
  /** True when no check failed (unknown and attested do not make a run fail, but are shown). */
  readonly passed: boolean;
}
