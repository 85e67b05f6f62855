/**
 * The bad-input corpus: malformed and hostile inputs for every EventBridge rule target clawops deploys, with
 * what each target must do with each. A case builds its input from the target's valid event, so one case
 * (a missing field, an injected mention, an oversize reason) is tried on every target.
 *
 * Targets: the rules of `functions/<flow>/routes.ts` whose target is a Lambda handler. Left out on purpose:
 * - the schedule rules (lifecycle reconciler and monitor, drills sweeper, readiness run, drill and failure
 *   drill schedules): EventBridge sends them its own scheduled event, and none of them reads its content;
 * - the drills' `RestoreTestingCompleted` rule, whose target is the restore-drill state machine, not a handler: its
 *   corpus is in `state-machine-inputs.test.ts`, with the state machines' own StartExecution inputs (a bad input
 *   fails its execution, with `DrillFailed` and the reason: a task never dead-letters).
 */

import { HOSTILE_STRINGS } from "../../packages/core/tests/slack/hostile.js";
import { type CorpusTarget, type CorpusWorld, getPath, type Json, setPath } from "./targets.js";

export { CORPUS_TARGETS, CorpusTarget, type CorpusWorld, validEvent } from "./targets.js";

/** What a target must do with an input. */
export type Outcome =
  /** A clear error: the input goes to the dead-letter queue with a reason matching `reason`; no retry. */
  | { readonly kind: "dead-lettered"; readonly reason: RegExp }
  /** Handled with no effect, by design (`why`): nothing dead-lettered, posted or started. */
  | { readonly kind: "ignored"; readonly why: string }
  /**
   * Posted to Slack once, with no mention, link or entity that clawops did not put there itself, and showing
   * each of `shows` (text that must survive: the account, an emoji).
   */
  | { readonly kind: "posted"; readonly shows?: readonly string[] }
  /** A lifecycle flow was started for it and ran to its end (the flow's own checks judge the instance). */
  | { readonly kind: "flow-ran" };

/** What the rule's pattern does with the input, and what the target does when handed it anyway. */
export interface Expectation {
  /** `true` when EventBridge would deliver it to the target (`matchesPattern` with the deployed pattern). */
  readonly delivered: boolean;
  readonly outcome: Outcome;
}

/** One malformed or hostile input, tried on every target. */
export interface BadInputCase {
  readonly id: string;
  readonly what: string;
  /** The input, from a fresh copy of the target's valid event. */
  make(valid: Record<string, unknown>, target: CorpusTarget, world: CorpusWorld): unknown;
  /** The case puts `INJECTION` into Slack-bound text: a posted message must show it escaped. */
  readonly injects?: boolean;
  readonly expect: Readonly<Record<CorpusTarget, Expectation>>;
}

/** Where each target keeps what the cases mutate. */
const FIELDS: Readonly<Record<CorpusTarget, { required: string; name: string; text: string }>> = {
  alarms: { required: "detail.state", name: "detail.alarmName", text: "detail.state.reason" },
  "clawops-events": { required: "detail.reason", name: "detail.instanceId", text: "detail.lastProbe.output" },
  launch: {
    required: "detail.EC2InstanceId",
    name: "detail.LifecycleHookName",
    text: "detail.NotificationMetadata",
  },
  terminate: {
    required: "detail.EC2InstanceId",
    name: "detail.LifecycleHookName",
    text: "detail.NotificationMetadata",
  },
  "drill-ended": { required: "detail.name", name: "detail.name", text: "detail.output" },
};

/** Text that Slack would turn into mentions, a link, formatting and entities if it were not escaped. */
export const INJECTION =
  "<!channel> <!here> <@U0ADMIN> <https://evil.example/login|click here> *bold* _it_ ~x~ & &amp; `tick`";
/** Emoji, a right-to-left override, zero-width and combining characters, a lone surrogate, NUL. */
export const UNICODE = "💥 gateway\u202eevil\u202c zero\u200bwidth e\u0301 \uD800 \u0000 ﷽";
/** EventBridge's largest event is 256 KB: a text of 200,000 characters still fits. */
export const OVERSIZE = 200_000;

type Expectations = Record<CorpusTarget, Expectation>;

const deadLettered = (
  delivered: boolean,
  reason: RegExp = /^PermanentError: invalid input: /,
): Expectation => ({
  delivered,
  outcome: { kind: "dead-lettered", reason },
});
const ignored = (delivered: boolean, why: string): Expectation => ({
  delivered,
  outcome: { kind: "ignored", why },
});
const posted = (delivered: boolean, shows?: readonly string[]): Expectation => ({
  delivered,
  outcome: { kind: "posted", ...(shows ? { shows } : {}) },
});
const flowRan: Expectation = { delivered: true, outcome: { kind: "flow-ran" } };
/** The drills' cleanup of an ended execution deletes only what carries its drill id: a made-up one has nothing. */
const nothingToClean = (delivered: boolean) => ignored(delivered, "no resource carries that drill id");
/** `execution-ended.ts` names the bad field in `parseEvent`'s one line, as every other target does. */
const zodReason = (field: string) => new RegExp(`^PermanentError: invalid input: .*detail\\.${field}: `);

/** Every target dead-letters it, and no rule's pattern would deliver it. */
const NOT_AN_EVENT: Expectations = {
  alarms: deadLettered(false),
  "clawops-events": deadLettered(false),
  launch: deadLettered(false),
  terminate: deadLettered(false),
  "drill-ended": deadLettered(false, /^PermanentError: invalid input: /),
};

/** A well-formed event with harmless content: posted, a flow run for its (unknown) instance, or nothing to clean. */
const HANDLED: Expectations = {
  alarms: posted(true),
  "clawops-events": posted(true),
  launch: flowRan,
  terminate: flowRan,
  "drill-ended": nothingToClean(true),
};

export const CORPUS: readonly BadInputCase[] = [
  {
    id: "not-an-object",
    what: "a string where the event should be",
    make: () => "<!channel> hi",
    expect: NOT_AN_EVENT,
  },
  { id: "null", what: "null", make: () => null, expect: NOT_AN_EVENT },
  { id: "array", what: "an array holding the valid event", make: (valid) => [valid], expect: NOT_AN_EVENT },
  { id: "empty-object", what: "{}", make: () => ({}), expect: NOT_AN_EVENT },
  {
    id: "missing-detail",
    what: "the envelope without its detail",
    make: (valid) => setPath(valid, "detail", undefined),
    // clawops' rule matches detail.stage: an event without a detail never reaches the router.
    expect: NOT_AN_EVENT,
  },
  {
    id: "detail-not-an-object",
    what: "detail is a string",
    make: (valid) => setPath(valid, "detail", "<!channel>"),
    expect: NOT_AN_EVENT,
  },
  {
    id: "missing-required-field",
    what: "the detail without the field the handler needs first",
    make: (valid, target) => setPath(valid, FIELDS[target].required, undefined),
    expect: {
      alarms: deadLettered(true, /invalid input: .*detail\.state: expected object, got undefined/),
      "clawops-events": deadLettered(true, /invalid input: .*detail\.reason: expected string, got undefined/),
      launch: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got undefined/),
      terminate: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got undefined/),
      "drill-ended": deadLettered(true, zodReason("name")),
    },
  },
  {
    id: "wrong-types",
    what: "numbers and a string where strings and a list belong",
    make: (valid, target) => {
      setPath(valid, FIELDS[target].required, 42);
      setPath(valid, "time", 0);
      return setPath(valid, "resources", "not-a-list");
    },
    expect: {
      alarms: deadLettered(true, /invalid input: .*detail\.state: expected object, got 42/),
      "clawops-events": deadLettered(true, /invalid input: .*detail\.reason: expected string, got 42/),
      launch: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got 42/),
      terminate: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got 42/),
      "drill-ended": deadLettered(true, zodReason("name")),
    },
  },
  {
    id: "unknown-enum-value",
    what: "a state, transition, type or status no schema knows",
    make: (valid, target) => {
      if (target === "alarms") return setPath(valid, "detail.state.value", "MELTDOWN");
      if (target === "clawops-events") return setPath(valid, "detail-type", "NotAClawopsEvent");
      if (target === "drill-ended") return setPath(valid, "detail.status", "PAUSED");
      return setPath(valid, "detail.LifecycleTransition", "autoscaling:EC2_INSTANCE_REBOOTING");
    },
    expect: {
      alarms: deadLettered(true, /invalid input: .*detail\.state\.value: expected "OK" \| "ALARM"/),
      "clawops-events": deadLettered(true, /invalid input: .*detail-type: expected "LifecycleAbandoned"/),
      launch: deadLettered(true, /invalid input: .*LifecycleTransition/),
      terminate: deadLettered(true, /invalid input: .*LifecycleTransition/),
      "drill-ended": nothingToClean(false),
    },
  },
  {
    id: "malformed-identifiers",
    what: "identifiers that are not AWS's: a path and a mention in an instance id, an alarm ARN, an execution name",
    make: (valid, target) => {
      if (target === "launch" || target === "terminate")
        return setPath(valid, "detail.EC2InstanceId", "i-../../<!channel>");
      if (target === "alarms")
        return setPath(valid, "resources", ["arn:aws:cloudwatch:::alarm:<!channel>/../x"]);
      if (target === "clawops-events") return setPath(valid, "detail.instanceId", "i-../../<!channel>");
      return setPath(valid, "detail.name", "../../<!channel>");
    },
    expect: {
      ...HANDLED,
      launch: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected a value matching/),
      terminate: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected a value matching/),
    },
  },
  {
    id: "unknown-fields",
    what: "fields no schema knows, at every level",
    make: (valid) => {
      setPath(valid, "extra", { nested: [1, 2, 3] });
      return setPath(valid, "detail.extra", "<!channel>");
    },
    expect: HANDLED,
  },
  {
    id: "oversize-text",
    what: `${OVERSIZE.toLocaleString("en")} characters of free text (the event stays under EventBridge's 256 KB)`,
    make: (valid, target, world) =>
      setPath(valid, FIELDS[target].text, `${world.marker} ${"x".repeat(OVERSIZE)}`),
    expect: HANDLED,
  },
  {
    id: "oversize-and-broken",
    what: "an event of about 250 KB (near EventBridge's limit) that fails validation: its dead-letter record must still fit SQS's 256 KB",
    make: (valid, target, world) => {
      setPath(valid, FIELDS[target].text, `${world.marker} ${"x".repeat(250_000)}`);
      return setPath(valid, FIELDS[target].required, 42);
    },
    expect: {
      alarms: deadLettered(true, /invalid input: .*detail\.state: expected object, got 42/),
      "clawops-events": deadLettered(true, /invalid input: .*detail\.reason: expected string, got 42/),
      launch: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got 42/),
      terminate: deadLettered(true, /invalid input: .*detail\.EC2InstanceId: expected string, got 42/),
      "drill-ended": deadLettered(true, zodReason("name")),
    },
  },
  {
    id: "unicode",
    what: "emoji, a right-to-left override, zero-width and combining characters, a lone surrogate, NUL",
    make: (valid, target, world) => {
      setPath(valid, FIELDS[target].text, `${world.marker} ${UNICODE}`);
      return setPath(valid, FIELDS[target].name, `${String(getPath(valid, FIELDS[target].name))}-${UNICODE}`);
    },
    expect: {
      alarms: posted(true, ["💥"]),
      "clawops-events": posted(true, ["💥"]),
      launch: ignored(true, "not one of the fleet's hooks"),
      terminate: ignored(true, "not one of the fleet's hooks"),
      "drill-ended": nothingToClean(true),
    },
  },
  {
    id: "mrkdwn-injection",
    what: "mentions, a link, formatting and entities in every Slack-bound text",
    injects: true,
    make: (valid, target, world) => {
      setPath(valid, FIELDS[target].text, `${world.marker} ${INJECTION}`);
      if (target === "alarms") setPath(valid, "detail.configuration.description", INJECTION);
      if (target === "clawops-events") setPath(valid, "detail.reason", INJECTION);
      return setPath(
        valid,
        FIELDS[target].name,
        `${String(getPath(valid, FIELDS[target].name))}-${INJECTION}`,
      );
    },
    expect: {
      alarms: posted(true),
      "clawops-events": posted(true),
      launch: ignored(true, "not one of the fleet's hooks"),
      terminate: ignored(true, "not one of the fleet's hooks"),
      "drill-ended": nothingToClean(true),
    },
  },
  {
    id: "hostile-strings",
    what: "every string of the unit tests' hostile corpus (packages/core/tests/slack/hostile.ts), in the free text",
    make: (valid, target, world) =>
      setPath(valid, FIELDS[target].text, `${world.marker} ${HOSTILE_STRINGS.join(" ")}`),
    expect: HANDLED,
  },
  {
    id: "another-account-and-region",
    what: "an event of account 999999999999 in eu-west-1",
    make: (valid) => {
      const text = JSON.stringify(valid)
        .replaceAll(String(valid.account), "999999999999")
        .replaceAll(`"${String(valid.region)}"`, '"eu-west-1"')
        .replaceAll(`:${String(valid.region)}:`, ":eu-west-1:");
      return JSON.parse(text) as Json;
    },
    expect: {
      alarms: posted(true, ["999999999999", "eu-west-1"]),
      "clawops-events": posted(true, ["999999999999", "eu-west-1"]),
      launch: ignored(true, "another account's group"),
      terminate: ignored(true, "another account's group"),
      "drill-ended": nothingToClean(false),
    },
  },
  {
    id: "region-injection",
    what: "a region that would make the console link point elsewhere",
    make: (valid) => setPath(valid, "region", "evil.example/login?"),
    expect: {
      alarms: posted(true),
      "clawops-events": posted(true),
      launch: ignored(true, "another region's group"),
      terminate: ignored(true, "another region's group"),
      "drill-ended": nothingToClean(true),
    },
  },
  {
    id: "not-ours",
    what: "another application's alarm, another stage's clawops event, another group's action, another state machine's execution",
    make: (valid, target) => {
      if (target === "alarms") return setPath(valid, "detail.alarmName", "prod-db-cpu-high");
      if (target === "launch" || target === "terminate")
        return setPath(valid, "detail.AutoScalingGroupName", "someone-elses-group");
      if (target === "drill-ended") {
        const arn = String(getPath(valid, "detail.stateMachineArn"));
        return setPath(valid, "detail.stateMachineArn", arn.replace(/:[^:]+$/, ":someone-elses-machine"));
      }
      return setPath(valid, "detail.stage", "someone-elses-stage");
    },
    expect: {
      // The alarm rule selects this stage's alarms, the events rule this stage's events; the router posts
      // whatever its rules hand it.
      alarms: posted(false),
      "clawops-events": posted(false),
      launch: ignored(false, "another group's action"),
      terminate: ignored(false, "another group's action"),
      "drill-ended": nothingToClean(false),
    },
  },
  {
    id: "prototype-pollution",
    what: "__proto__ and constructor keys, as JSON.parse makes them",
    make: (valid) => {
      const text = JSON.stringify(valid).replace(
        '"detail":{',
        '"detail":{"__proto__":{"polluted":"<!channel>"},"constructor":{"prototype":{"polluted":"<!channel>"}},',
      );
      return JSON.parse(text) as Json;
    },
    expect: HANDLED,
  },
];
