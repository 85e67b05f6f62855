import type { CheckResult } from "../types.js";

/** How many offending items a result lists before it says "and N more". */
export const MAX_DETAILS = 20;

/** Caps a list of details, saying how many were left out. */
export function bounded(items: readonly string[], max = MAX_DETAILS): string[] {
  return items.length <= max ? [...items] : [...items.slice(0, max), `… and ${items.length - max} more`];
}

export const pass = (explanation: string, details?: readonly string[]): CheckResult => ({
  status: "pass",
  explanation,
  ...(details && details.length > 0 ? { details: bounded(details) } : {}),
});

export const fail = (explanation: string, details?: readonly string[]): CheckResult => ({
  status: "fail",
  explanation,
  ...(details && details.length > 0 ? { details: bounded(details) } : {}),
});

export const unknown = (explanation: string, details?: readonly string[]): CheckResult => ({
  status: "unknown",
  explanation,
  ...(details && details.length > 0 ? { details: bounded(details) } : {}),
});

const DAY = 86_400_000;

/** Whole days between an ISO time and now (rounded down). */
export function ageDays(at: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(at)) / DAY);
}

/** Adds days to a date given as YYYY-MM-DD or ISO, returning YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(date) + days * DAY).toISOString().slice(0, 10);
}
