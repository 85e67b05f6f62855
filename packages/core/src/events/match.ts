/**
 * EventBridge content-based filtering, as the service documents it, so the sandbox's local bus and the
 * tests route events with the very patterns the stacks deploy.
 *
 * Rules implemented (AWS EventBridge user guide, "Event patterns" and "Content filtering"):
 * - keys in a pattern are ANDed; the values listed for one key are ORed;
 * - a pattern leaf is an array; nested objects match nested fields at any depth;
 * - when the event field is an array, the leaf matches if any element matches; when a nested pattern
 *   meets an array of objects, one element must satisfy the whole nested pattern;
 * - exact values compare by JSON type: `"5"` never matches `5`, `null` matches only `null`;
 * - operators: `prefix`, `suffix` (both also `{ "equals-ignore-case": ... }`), `equals-ignore-case`,
 *   `anything-but` (a value, a list, or `{ prefix | suffix | equals-ignore-case | wildcard }`),
 *   `exists`, `numeric`, `wildcard`, `cidr`; and `$or` (a list of sub-patterns) at any object level.
 * - every operator but `exists: false` needs the field to be present: `anything-but` does not match a
 *   missing field.
 */
import { BlockList, isIP } from "node:net";
import { EventPatternError } from "./errors.js";
import { validatePattern } from "./validate-pattern.js";

export { validatePattern };

/** An EventBridge event pattern as plain JSON (the shape `PutRule` takes), e.g. `{ source: ["aws.ssm"] }`. */
export type EventPattern = Record<string, unknown>;

type Leaf = string | number | boolean | null;
type Operator = Record<string, unknown>;

/**
 * True when EventBridge would deliver `event` to a rule with `pattern`.
 * Malformed parts of a pattern throw an `EventPatternError` as soon as matching reaches them; call
 * `validatePattern` once up front to check the whole pattern.
 *
 * @example
 * matchesPattern({ source: ["aws.ssm"], detail: { status: [{ "anything-but": "Success" }] } }, event);
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event, "");
}

function matchObject(pattern: Record<string, unknown>, value: unknown, path: string): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === "$or") {
      if (!Array.isArray(sub)) throw new EventPatternError(here, "$or takes a list of patterns");
      if (!sub.some((alternative) => matchNested(alternative, value, here))) return false;
      continue;
    }
    const field = isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    const ok = Array.isArray(sub) ? matchLeaf(sub, field, here) : matchNested(sub, field, here);
    if (!ok) return false;
  }
  return true;
}

function matchNested(pattern: unknown, field: unknown, path: string): boolean {
  if (!isRecord(pattern)) throw new EventPatternError(path, "expected an array of values or a nested object");
  // Array consistency: every key of the nested pattern must hold for the same element.
  if (Array.isArray(field) && field.length > 0) return field.some((item) => matchNested(pattern, item, path));
  return matchObject(pattern, field, path);
}

function matchLeaf(conditions: unknown[], field: unknown, path: string): boolean {
  // Objects are intermediate nodes, never leaf values; arrays contribute each of their elements.
  const values = flatten(field).filter((item): item is Leaf => !isRecord(item) && item !== undefined);
  return conditions.some((condition) => {
    if (isRecord(condition) && "exists" in condition) return condition.exists === values.length > 0;
    return values.some((value) => matchCondition(condition, value, path));
  });
}

function matchCondition(condition: unknown, value: Leaf, path: string): boolean {
  if (!isRecord(condition)) return condition === value;
  const [name, argument] = singleEntry(condition, path);
  switch (name) {
    case "prefix":
      return matchAffix(argument, value, (text, affix) => text.startsWith(affix));
    case "suffix":
      return matchAffix(argument, value, (text, affix) => text.endsWith(affix));
    case "equals-ignore-case":
      return typeof value === "string" && foldCase(value) === foldCase(String(argument));
    case "wildcard":
      return typeof value === "string" && wildcardRegExp(String(argument)).test(value);
    case "numeric":
      return typeof value === "number" && matchNumeric(argument as unknown[], value);
    case "cidr":
      return typeof value === "string" && matchCidr(String(argument), value);
    case "anything-but":
      return !matchExcluded(argument, value, path);
    default:
      throw new EventPatternError(path, `unknown operator "${name}"`);
  }
}

/** What `anything-but` excludes: a value, a list of values, or one string operator. */
function matchExcluded(argument: unknown, value: Leaf, path: string): boolean {
  if (Array.isArray(argument)) return argument.includes(value);
  if (!isRecord(argument)) return argument === value;
  const [name, inner] = singleEntry(argument, path);
  if (name === "equals-ignore-case" || name === "wildcard") {
    const options = Array.isArray(inner) ? inner : [inner];
    return options.some((option) => matchCondition({ [name]: option }, value, path));
  }
  if (name === "prefix" || name === "suffix") return matchCondition(argument, value, path);
  throw new EventPatternError(path, `anything-but does not take "${name}"`);
}

function matchAffix(argument: unknown, value: Leaf, test: (text: string, affix: string) => boolean): boolean {
  if (typeof value !== "string") return false;
  if (isRecord(argument)) return test(foldCase(value), foldCase(String(argument["equals-ignore-case"])));
  return test(value, String(argument));
}

function matchNumeric(terms: unknown[], value: number): boolean {
  for (let i = 0; i < terms.length; i += 2) {
    const bound = terms[i + 1] as number;
    const ok = compare(String(terms[i]), value, bound);
    if (!ok) return false;
  }
  return true;
}

function compare(operator: string, value: number, bound: number): boolean {
  switch (operator) {
    case "=":
      return value === bound;
    case "<":
      return value < bound;
    case "<=":
      return value <= bound;
    case ">":
      return value > bound;
    case ">=":
      return value >= bound;
    default:
      throw new EventPatternError("numeric", `unknown comparison "${operator}"`);
  }
}

function matchCidr(cidr: string, value: string): boolean {
  const [network = "", bits = ""] = cidr.split("/");
  const family = isIP(network);
  if (family === 0 || isIP(value) !== family) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  list.addSubnet(network, Number(bits), type);
  return list.check(value, type);
}

const wildcardCache = new Map<string, RegExp>();

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash.
 */
function wildcardRegExp(wildcard: string): RegExp {
  const cached = wildcardCache.get(wildcard);
  if (cached) return cached;
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === "\\") {
      source += escapeRegExp(wildcard[i + 1] ?? "\\");
      i++;
    } else {
      source += char === "*" ? ".*" : escapeRegExp(char);
    }
  }
  const compiled = new RegExp(`^${source}$`, "s");
  wildcardCache.set(wildcard, compiled);
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function singleEntry(operator: Operator, path: string): [string, unknown] {
  const entries = Object.entries(operator);
  if (entries.length !== 1) throw new EventPatternError(path, "an operator object has exactly one key");
  return entries[0] as [string, unknown];
}

function flatten(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
