import * as z from "zod/mini";
import { EventValidationError, type EventValidationIssue } from "./errors.js";

/**
 * Parses `input` with `schema` and returns the typed event, or throws an `EventValidationError` whose
 * message lists every failing path and what was expected there, e.g.
 * `Invalid event (aws.autoscaling / EC2 Instance-launch Lifecycle Action): detail.EC2InstanceId: expected string, got undefined`.
 * The schema library's error is kept as `cause`. zod/mini ships no English messages, so they are
 * written here from the issues' data.
 *
 * `what` names an input that is not an event (`Invalid drill request: keep: expected boolean, got "yes"`).
 *
 * @example
 * const event = parseEvent(LifecycleLaunchEventSchema, input);
 * event.detail.EC2InstanceId; // string
 */
export function parseEvent<S extends z.core.$ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const result = z.safeParse(schema, input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => describeIssue(issue));
  const lines = issues.map((issue) => `${issue.path}: ${issue.problem}`).join("; ");
  const label = what ? `Invalid ${what}` : `Invalid event (${eventLabel(input)})`;
  throw new EventValidationError(`${label}: ${lines}`, issues, {
    cause: result.error,
  });
}

function describeIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): EventValidationIssue[] {
  const path = formatPath([...prefix, ...issue.path]);
  switch (issue.code) {
    case "invalid_type":
      return [{ path, problem: `expected ${issue.expected}, got ${describeValue(issue.input)}` }];
    case "invalid_value":
      return [
        {
          path,
          problem: `expected ${issue.values.map(describeValue).join(" | ")}, got ${describeValue(issue.input)}`,
        },
      ];
    case "invalid_union": {
      if (issue.discriminator !== undefined) {
        // zod puts the discriminator at the end of the path in some versions and leaves it out in others.
        const where =
          issue.path.at(-1) === issue.discriminator ? issue.path : [...issue.path, issue.discriminator];
        const options = (("options" in issue ? issue.options : undefined) ?? [])
          .map(describeValue)
          .join(" | ");
        const input = isRecord(issue.input) ? issue.input[issue.discriminator] : issue.input;
        return [
          {
            path: formatPath([...prefix, ...where]),
            problem: `expected ${options}, got ${describeValue(input)}`,
          },
        ];
      }
      // Report the alternative that came closest: the one with the fewest issues.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      const nested = closest.flatMap((inner) => describeIssue(inner, [...prefix, ...issue.path]));
      return nested.length > 0 ? nested : [{ path, problem: "matched none of the expected shapes" }];
    }
    case "too_small":
      return [
        {
          path,
          problem: `expected at least ${String(issue.minimum)} (${issue.origin}), got ${describeValue(issue.input)}`,
        },
      ];
    case "too_big":
      return [
        {
          path,
          problem: `expected at most ${String(issue.maximum)} (${issue.origin}), got ${describeValue(issue.input)}`,
        },
      ];
    case "invalid_format": {
      const pattern = "pattern" in issue ? issue.pattern : undefined;
      const expected =
        issue.format === "regex" && pattern ? `a value matching ${pattern}` : `${issue.format} format`;
      return [{ path, problem: `expected ${expected}, got ${describeValue(issue.input)}` }];
    }
    case "unrecognized_keys":
      return [{ path, problem: `unexpected keys ${issue.keys.join(", ")}` }];
    default:
      return [{ path, problem: issue.message }];
  }
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, "");
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "array";
  if (typeof value === "object" && value !== null) return "object";
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function eventLabel(input: unknown): string {
  if (typeof input !== "object" || input === null) return `not an object: ${describeValue(input)}`;
  const { source, "detail-type": detailType } = input as Record<string, unknown>;
  return `${String(source)} / ${String(detailType)}`;
}
