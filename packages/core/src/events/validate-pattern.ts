import { isIP } from "node:net";
import { EventPatternError } from "./errors.js";

const STRING_OPERATORS = new Set(["prefix", "suffix", "equals-ignore-case", "wildcard"]);
const COMPARISONS = { lower: new Set([">", ">="]), upper: new Set(["<", "<="]) };

/**
 * Throws an `EventPatternError` naming the path of the first malformed part of `pattern`, the way
 * EventBridge's PutRule would refuse it: a pattern must be a non-empty object; every leaf a non-empty
 * array of JSON scalars or operator objects with exactly one known operator; `$or` a non-empty list of
 * patterns. Returns the pattern unchanged so it can wrap a constant.
 *
 * @example
 * validatePattern({ detail: { state: "ALARM" } }); // throws: detail.state: expected an array ...
 */
export function validatePattern<P extends Record<string, unknown>>(pattern: P): P {
  checkObject(pattern, "(root)");
  return pattern;
}

function checkObject(pattern: unknown, path: string): void {
  if (!isRecord(pattern)) fail(path, "expected an object");
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path, "a pattern object must not be empty");
  for (const [key, value] of entries) {
    const here = path === "(root)" ? key : `${path}.${key}`;
    if (key === "$or") checkOr(value, here);
    else if (Array.isArray(value)) checkLeaf(value, here);
    else if (isRecord(value)) checkObject(value, here);
    else fail(here, `expected an array of values or a nested object, got ${describe(value)}`);
  }
}

function checkOr(alternatives: unknown, path: string): void {
  if (!Array.isArray(alternatives) || alternatives.length === 0)
    fail(path, "$or takes a non-empty list of patterns");
  for (const [index, alternative] of alternatives.entries()) checkObject(alternative, `${path}[${index}]`);
}

function checkLeaf(conditions: unknown[], path: string): void {
  if (conditions.length === 0) fail(path, "a list of values must not be empty");
  for (const [index, condition] of conditions.entries()) {
    const here = `${path}[${index}]`;
    if (isScalar(condition)) continue;
    if (!isRecord(condition))
      fail(here, `expected a value or an operator object, got ${describe(condition)}`);
    const [name, argument] = onlyEntry(condition, here);
    checkOperator(name, argument, `${here}.${name}`);
  }
}

const OPERATOR_CHECKS: Record<string, (argument: unknown, path: string, name: string) => void> = {
  prefix: checkAffix,
  suffix: checkAffix,
  "equals-ignore-case": expectString,
  wildcard: checkWildcard,
  exists: (argument, path) => {
    if (typeof argument !== "boolean") fail(path, `expected true or false, got ${describe(argument)}`);
  },
  numeric: checkNumeric,
  cidr: checkCidr,
  "anything-but": checkAnythingBut,
};

function checkOperator(name: string, argument: unknown, path: string): void {
  const check = Object.hasOwn(OPERATOR_CHECKS, name) ? OPERATOR_CHECKS[name] : undefined;
  if (check === undefined) fail(path, `unknown operator "${name}"`);
  check(argument, path, name);
}

function checkAffix(argument: unknown, path: string, name: string): void {
  if (!isRecord(argument)) {
    expectString(argument, path);
    return;
  }
  const [inner, value] = onlyEntry(argument, path);
  if (inner !== "equals-ignore-case")
    fail(path, `${name} takes a string or { "equals-ignore-case": string }`);
  expectString(value, `${path}.${inner}`);
}

function checkAnythingBut(argument: unknown, path: string): void {
  if (typeof argument === "string" || typeof argument === "number") return;
  if (Array.isArray(argument)) {
    if (argument.length === 0) fail(path, "the list of excluded values must not be empty");
    const allStrings = argument.every((item) => typeof item === "string");
    const allNumbers = argument.every((item) => typeof item === "number");
    if (!allStrings && !allNumbers) fail(path, "the excluded values must be all strings or all numbers");
    return;
  }
  if (!isRecord(argument))
    fail(path, `expected a string, a number, a list or an operator, got ${describe(argument)}`);
  const [name, inner] = onlyEntry(argument, path);
  if (!STRING_OPERATORS.has(name)) fail(path, `anything-but does not take "${name}"`);
  const here = `${path}.${name}`;
  const listable = name === "equals-ignore-case" || name === "wildcard";
  const values = listable && Array.isArray(inner) ? inner : [inner];
  if (values.length === 0) fail(here, "the list of excluded values must not be empty");
  for (const value of values) {
    if (name === "wildcard") checkWildcard(value, here);
    else expectString(value, here);
  }
}

function checkNumeric(argument: unknown, path: string): void {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0 || argument.length > 4) {
    fail(path, 'expected [op, number] or [lower-op, number, upper-op, number], e.g. [">", 0, "<=", 5]');
  }
  const operators: string[] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const [operator, bound] = [argument[i], argument[i + 1]];
    if (typeof operator !== "string" || !["=", "<", "<=", ">", ">="].includes(operator)) {
      fail(path, `unknown comparison ${describe(operator)}`);
    }
    if (typeof bound !== "number" || !Number.isFinite(bound))
      fail(path, `expected a number after "${operator}"`);
    operators.push(operator);
  }
  if (operators.length === 2) {
    const [first = "", second = ""] = operators;
    const lowerThenUpper = COMPARISONS.lower.has(first) && COMPARISONS.upper.has(second);
    const upperThenLower = COMPARISONS.upper.has(first) && COMPARISONS.lower.has(second);
    if (!lowerThenUpper && !upperThenLower)
      fail(path, "a range needs one lower bound (> or >=) and one upper bound (< or <=)");
  }
}

function checkWildcard(argument: unknown, path: string): void {
  expectString(argument, path);
  const text = argument as string;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") {
      if (text[i + 1] !== "*" && text[i + 1] !== "\\") fail(path, 'only "\\*" and "\\\\" may be escaped');
      i++;
    } else if (text[i] === "*" && text[i + 1] === "*") {
      fail(path, "consecutive wildcard characters are not allowed");
    }
  }
}

function checkCidr(argument: unknown, path: string): void {
  expectString(argument, path);
  const [network = "", bits, ...rest] = (argument as string).split("/");
  const family = isIP(network);
  const max = family === 4 ? 32 : 128;
  const length = Number(bits);
  if (family === 0 || rest.length > 0 || bits === undefined || !/^\d+$/.test(bits) || length > max) {
    fail(path, `expected an IPv4 or IPv6 CIDR block like "10.0.0.0/24", got ${describe(argument)}`);
  }
}

function onlyEntry(operator: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(operator);
  if (entries.length !== 1) fail(path, `an operator object has exactly one key, got ${entries.length}`);
  return entries[0] as [string, unknown];
}

function expectString(value: unknown, path: string): void {
  if (typeof value !== "string") fail(path, `expected a string, got ${describe(value)}`);
}

function isScalar(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

function fail(path: string, problem: string): never {
  throw new EventPatternError(path, problem);
}
