import type { z } from "zod";
import { ConfigError } from "../errors.js";
import {
  ClawopsConfigSchema,
  type StageSettings,
  type StageSettingsInput,
  StageSettingsSchema,
} from "./schema.js";

type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What an operator writes in `clawops.config.ts`. */
export interface ClawopsConfigInput {
  readonly app: { readonly name?: string; readonly region?: string };
  /** Settings every stage shares. */
  readonly defaults?: DeepPartial<StageSettingsInput>;
  /** Per-stage overrides, merged over `defaults` (objects merge, arrays and values replace). */
  readonly stages?: Record<string, DeepPartial<StageSettingsInput>>;
}

/** The validated settings of one stage, as every stack, handler and the CLI receive them. */
export interface ResolvedConfig {
  readonly app: { readonly name: string; readonly region: string };
  readonly stage: string;
  readonly settings: StageSettings;
}

/** Identity function that types `clawops.config.ts`. */
export function defineConfig(config: ClawopsConfigInput): ClawopsConfigInput {
  return config;
}

/**
 * Merges `defaults` and the stage's overrides and validates the result. A wrong value fails with one line per
 * problem naming the field, the value and what is expected, e.g.
 * `stages.prod.gateway.port: got 70000, expected a number <= 65535`.
 */
export function resolveConfig(input: unknown, stage: string, source = "clawops.config.ts"): ResolvedConfig {
  const top = ClawopsConfigSchema.safeParse(input);
  if (!top.success) throw configError(source, top.error, input, () => []);
  const merged = mergeSettings(top.data.defaults, top.data.stages[stage] ?? {});
  const parsed = StageSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const override = top.data.stages[stage];
    const where = (path: readonly PropertyKey[]) =>
      override && setByStage(override, top.data.defaults, path) ? ["stages", stage] : ["defaults"];
    throw configError(source, parsed.error, merged, where, stage);
  }
  return { app: { name: top.data.app.name, region: top.data.app.region }, stage, settings: parsed.data };
}

function configError(
  source: string,
  error: z.ZodError,
  input: unknown,
  prefix: (path: readonly PropertyKey[]) => string[],
  stage?: string,
): ConfigError {
  const lines = error.issues.map((issue) => {
    const path = [...prefix(issue.path), ...issue.path.map(String)].join(".") || "(root)";
    const value = valueAt(input, issue.path);
    return `  ${path}: got ${describe(value)}, expected ${expected(issue)}`;
  });
  const header = stage ? `${source} is invalid for stage "${stage}":` : `${source} is invalid:`;
  return new ConfigError([header, ...lines].join("\n"), { cause: error });
}

function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_big":
      return `a ${issue.origin === "number" ? "number" : `${issue.origin} of size`} ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "too_small":
      return `a ${issue.origin === "number" ? "number" : `${issue.origin} of size`} ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_type":
      return issue.message.startsWith("Invalid input")
        ? `${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`
        : issue.message;
    case "unrecognized_keys":
      return `no unknown keys (${issue.keys.join(", ")})`;
    default:
      return issue.message.replace(/^Invalid (string|input): /, "");
  }
}

/** Whether a problem at `path` comes from the stage's overrides rather than the shared defaults. */
function setByStage(override: unknown, defaults: unknown, path: readonly PropertyKey[]): boolean {
  if (valueAt(override, path) !== undefined) return true;
  if (valueAt(defaults, path) !== undefined) return false;
  for (let depth = path.length - 1; depth > 0; depth--) {
    if (valueAt(override, path.slice(0, depth)) !== undefined) return true;
  }
  return false;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalar values of the override replace. */
export function mergeSettings(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeSettings(base[key], value);
  return out;
}
