/**
 * Eval results ingestion: promptfoo's JSON output (`promptfoo eval -o results.json`) reduced to what the
 * skill-evals checks need: per skill, how many cases of each kind, and how many passed.
 */
import { EvalResultsError } from "./errors.js";

/** The three kinds of case the checklist asks for, plus cases that carry no kind. */
export const CASE_KINDS = ["normal", "decline-escalate", "edge", "untagged"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** One skill's eval cases. A case with several results (prompts × providers) passes only if all pass. */
export interface SkillEvalSummary {
  readonly skill: string;
  readonly cases: Readonly<Record<CaseKind, number>>;
  readonly passed: number;
  readonly failed: number;
  /** Descriptions of the failing cases (at most 10). */
  readonly failures: readonly string[];
}

/** One ingested eval run. */
export interface EvalReport {
  /** When the eval ran (promptfoo's timestamp), else when it was ingested. */
  readonly runAt: string;
  readonly ingestedAt: string;
  /** Runs from the scheduled pipeline (not a developer's ad-hoc run). */
  readonly scheduled: boolean;
  readonly evalId?: string;
  readonly skills: readonly SkillEvalSummary[];
}

interface PromptfooResult {
  testIdx?: number;
  description?: string;
  success?: boolean;
  vars?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  testCase?: { description?: string; vars?: Record<string, unknown>; metadata?: Record<string, unknown> };
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/** The case kind from metadata (`kind`/`type`/`category`) or a tag in the description (`[edge]`, `decline:`). */
export function caseKind(description: string | undefined, metadata: Record<string, unknown>): CaseKind {
  const source = [metadata.kind, metadata.type, metadata.category, description]
    .map((v) => (typeof v === "string" ? v.toLowerCase() : ""))
    .join(" ");
  if (/\b(decline|declines|refuse|refusal|escalate|escalation)\b/.test(source)) return "decline-escalate";
  if (/\bedge(-case)?\b/.test(source)) return "edge";
  if (/\b(normal|happy|happy-path|baseline)\b/.test(source)) return "normal";
  return "untagged";
}

/** Promptfoo's list of results: `results.results` (promptfoo ≥ 0.30) or a bare `results`, else undefined. */
function promptfooResultList(json: unknown): unknown[] | undefined {
  const top = record(json);
  const inner = record(top?.results);
  if (Array.isArray(inner?.results)) return inner.results;
  return Array.isArray(top?.results) ? top.results : undefined;
}

/**
 * Parses promptfoo's JSON output. Accepts `{ results: { results: [...] } }` (promptfoo ≥ 0.30) and a bare
 * `{ results: [...] }`. The skill comes from a `skill` var or `skill` metadata; results without one are grouped
 * under `(no skill)` so they are seen, not dropped.
 */
export function parseEvalResults(
  json: unknown,
  options: { ingestedAt: Date; scheduled?: boolean },
): EvalReport {
  const top = record(json);
  const inner = record(top?.results);
  const list = promptfooResultList(json);
  if (!top || !list) throw new EvalResultsError("not promptfoo output: no results.results[] array");
  const cases = new Map<string, { skill: string; description: string; kind: CaseKind; success: boolean }>();
  list.forEach((raw, index) => {
    const result = record(raw) as PromptfooResult | undefined;
    if (!result || typeof result.success !== "boolean") {
      throw new EvalResultsError(`results.results[${index}] has no boolean "success"`);
    }
    const metadata = { ...record(result.testCase?.metadata), ...record(result.metadata) };
    const vars = { ...record(result.testCase?.vars), ...record(result.vars) };
    const skill = text(vars.skill) ?? text(metadata.skill) ?? "(no skill)";
    const description = text(result.testCase?.description) ?? text(result.description) ?? `case ${index + 1}`;
    const key = `${skill}\u0000${result.testIdx ?? description}`;
    const seen = cases.get(key);
    cases.set(key, {
      skill,
      description,
      kind: caseKind(description, metadata),
      success: (seen?.success ?? true) && result.success,
    });
  });
  const skills = new Map<string, { cases: Record<CaseKind, number>; passed: number; failures: string[] }>();
  for (const c of cases.values()) {
    const entry = skills.get(c.skill) ?? {
      cases: { normal: 0, "decline-escalate": 0, edge: 0, untagged: 0 },
      passed: 0,
      failures: [],
    };
    entry.cases[c.kind] += 1;
    if (c.success) entry.passed += 1;
    else entry.failures.push(c.description);
    skills.set(c.skill, entry);
  }
  const timestamp = text(inner?.timestamp) ?? text(top.timestamp);
  const runAt = timestamp && !Number.isNaN(Date.parse(timestamp)) ? new Date(timestamp) : options.ingestedAt;
  return {
    runAt: runAt.toISOString(),
    ingestedAt: options.ingestedAt.toISOString(),
    scheduled: options.scheduled ?? false,
    ...(text(top.evalId) ? { evalId: text(top.evalId) } : {}),
    skills: [...skills.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([skill, s]) => ({
        skill,
        cases: s.cases,
        passed: s.passed,
        failed: s.failures.length,
        failures: s.failures.slice(0, 10),
      })),
  };
}

/** The fields of `value` named in `keys` that it has (null kept: it overrides like any value), or undefined. */
function pick(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  const from = record(value);
  if (!from) return undefined;
  return Object.fromEntries(keys.filter((key) => from[key] !== undefined).map((key) => [key, from[key]]));
}

const VARS = ["skill"] as const;
const METADATA = ["skill", "kind", "type", "category"] as const;

/**
 * Promptfoo's output reduced to the fields `parseEvalResults` reads (ids, timestamps, per result its index,
 * descriptions, success, the `skill` var and the skill/kind metadata), in the same shape: it parses to the same
 * report. Prompts, responses and grading make most of the file and can take it past Lambda's 6 MB Invoke limit.
 * `json` must already have parsed.
 */
export function essentialEvalResults(json: unknown): unknown {
  const top = record(json) ?? {};
  const inner = record(top.results);
  const results = (promptfooResultList(json) ?? []).map((raw) => {
    const result = record(raw) ?? {};
    const testCase = record(result.testCase);
    return {
      ...pick(result, ["testIdx", "description", "success"]),
      ...(result.vars !== undefined ? { vars: pick(result.vars, VARS) ?? null } : {}),
      ...(result.metadata !== undefined ? { metadata: pick(result.metadata, METADATA) ?? null } : {}),
      ...(testCase
        ? {
            testCase: {
              ...pick(testCase, ["description"]),
              ...(testCase.vars !== undefined ? { vars: pick(testCase.vars, VARS) ?? null } : {}),
              ...(testCase.metadata !== undefined
                ? { metadata: pick(testCase.metadata, METADATA) ?? null }
                : {}),
            },
          }
        : {}),
    };
  });
  return {
    ...pick(top, ["evalId", "timestamp"]),
    results: { ...pick(inner, ["timestamp"]), results },
  };
}
