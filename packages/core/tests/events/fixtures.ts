import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The folders under `tests/events/`, one per event `source`. */
export type FixtureSource = "aws.autoscaling" | "aws.cloudwatch" | "aws.backup" | "aws.ssm" | "clawops";

/** A fixture event: the EventBridge envelope, `detail` included, as loose JSON a test may edit. */
export type EventFixture = Record<string, unknown> & { detail: Record<string, unknown> };

/**
 * Loads `tests/events/<source>/<name>.json` as a fresh deep copy, so a test may change it freely.
 *
 * @example const event = loadFixture("aws.autoscaling", "launch");
 */
export function loadFixture(source: FixtureSource, name: string): EventFixture {
  const file = fileURLToPath(new URL(`./${source}/${name}.json`, import.meta.url));
  return structuredClone(JSON.parse(readFileSync(file, "utf8")) as EventFixture);
}

/**
 * A copy of `event` with the field at a dotted `path` set to `value`, or removed when `value` is
 * `undefined`: how tests build broken variants of a fixture.
 *
 * @example withField(loadFixture("aws.autoscaling", "launch"), "detail.EC2InstanceId", undefined)
 */
export function withField(event: EventFixture, path: string, value: unknown): EventFixture {
  const copy = structuredClone(event);
  const keys = path.split(".");
  const last = keys.pop() as string;
  let node: Record<string, unknown> = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}
