import { describe, expect, it } from "vitest";
import { EventPatternError } from "../../src/events/errors.js";
import { type EventPattern, matchesPattern, validatePattern } from "../../src/events/match.js";

// Rows follow the matching rules in AWS's EventBridge user guide ("Event patterns", "Content filtering",
// "Arrays in event patterns", "Comparison operators"). Each row: rule, pattern, event, expected.
type Row = [string, EventPattern, unknown, boolean];

const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated", "c-count": 5, "d-count": 0.5 },
};

const exactValues: Row[] = [
  ["matches an exact string", { source: ["aws.ec2"] }, ec2Event, true],
  ["rejects a different string", { source: ["aws.s3"] }, ec2Event, false],
  ["ORs the values listed for one key", { source: ["aws.s3", "aws.ec2"] }, ec2Event, true],
  ["ANDs keys", { source: ["aws.ec2"], region: ["us-east-1"] }, ec2Event, false],
  ["matches case-sensitively", { source: ["AWS.EC2"] }, ec2Event, false],
  ["matches a nested field", { detail: { state: ["terminated"] } }, ec2Event, true],
  ["requires every field the pattern names", { detail: { color: ["red"] } }, ec2Event, false],
  [
    "matches fields at any depth",
    { detail: { state: { value: ["ALARM"] } } },
    { detail: { state: { value: "ALARM" } } },
    true,
  ],
  [
    "rejects a nested pattern against a scalar",
    { detail: { state: { value: ["ALARM"] } } },
    { detail: { state: "ALARM" } },
    false,
  ],
  ["matches an exact number", { detail: { "c-count": [5] } }, ec2Event, true],
  ["matches numbers by value, not by spelling", { n: [300] }, { n: 300.0 }, true],
  ["does not match a number with its string", { n: ["5"] }, { n: 5 }, false],
  ["does not match a string with a number", { n: [5] }, { n: "5" }, false],
  ["matches booleans", { flag: [true] }, { flag: true }, true],
  ["does not match false with true", { flag: [true] }, { flag: false }, false],
  ["matches null only against null", { v: [null] }, { v: null }, true],
  ["does not match null against a missing field", { v: [null] }, {}, false],
  ["does not match null against an empty string", { v: [null] }, { v: "" }, false],
  ["matches the empty string", { v: [""] }, { v: "" }, true],
  [
    "ignores event fields the pattern does not name",
    { source: ["aws.ec2"] },
    { ...ec2Event, extra: 1 },
    true,
  ],
];

const arrays: Row[] = [
  [
    "matches when any element of an event array matches",
    { resources: ["b"] },
    { resources: ["a", "b", "c"] },
    true,
  ],
  ["rejects when no element matches", { resources: ["d"] }, { resources: ["a", "b"] }, false],
  ["matches when the intersection is not empty", { resources: ["x", "b"] }, { resources: ["a", "b"] }, true],
  ["rejects an empty event array", { resources: ["a"] }, { resources: [] }, false],
  [
    "matches operators against array elements",
    { tags: [{ prefix: "env-" }] },
    { tags: ["team-a", "env-prod"] },
    true,
  ],
  [
    "matches a nested pattern against an array of objects",
    { detail: { items: { name: ["b"] } } },
    { detail: { items: [{ name: "a" }, { name: "b" }] } },
    true,
  ],
  [
    "needs one element of an object array to satisfy the whole nested pattern",
    { items: { name: ["a"], size: [2] } },
    {
      items: [
        { name: "a", size: 1 },
        { name: "b", size: 2 },
      ],
    },
    false,
  ],
];

const prefixSuffix: Row[] = [
  ["matches a prefix", { time: [{ prefix: "2017-12-22" }] }, ec2Event, true],
  ["rejects a missing prefix", { time: [{ prefix: "2018" }] }, ec2Event, false],
  ["does not apply prefix to numbers", { n: [{ prefix: "1" }] }, { n: 12 }, false],
  [
    "matches a prefix ignoring case",
    { s: [{ prefix: { "equals-ignore-case": "EventB" } }] },
    { s: "eventbridge" },
    true,
  ],
  ["keeps prefix case-sensitive by default", { s: [{ prefix: "EventB" }] }, { s: "eventbridge" }, false],
  ["matches a suffix", { f: [{ suffix: ".png" }] }, { f: "logo.png" }, true],
  ["rejects another suffix", { f: [{ suffix: ".png" }] }, { f: "logo.PNG" }, false],
  [
    "matches a suffix ignoring case",
    { f: [{ suffix: { "equals-ignore-case": ".png" } }] },
    { f: "logo.PNG" },
    true,
  ],
  ["matches equals-ignore-case", { name: [{ "equals-ignore-case": "alice" }] }, { name: "ALICE" }, true],
  [
    "rejects equals-ignore-case on a longer value",
    { name: [{ "equals-ignore-case": "alice" }] },
    { name: "alice2" },
    false,
  ],
];

const anythingBut: Row[] = [
  [
    "matches anything but a string",
    { state: [{ "anything-but": "initializing" }] },
    { state: "running" },
    true,
  ],
  [
    "rejects the excluded string",
    { state: [{ "anything-but": "initializing" }] },
    { state: "initializing" },
    false,
  ],
  [
    "rejects every value of an excluded list",
    { s: [{ "anything-but": ["stopped", "overloaded"] }] },
    { s: "stopped" },
    false,
  ],
  [
    "matches values outside an excluded list",
    { s: [{ "anything-but": ["stopped", "overloaded"] }] },
    { s: "ok" },
    true,
  ],
  ["excludes numbers", { x: [{ "anything-but": 123 }] }, { x: 123 }, false],
  ["matches other numbers", { x: [{ "anything-but": [100, 200] }] }, { x: 300 }, true],
  ["does not match a missing field", { state: [{ "anything-but": "initializing" }] }, {}, false],
  ["excludes a prefix", { region: [{ "anything-but": { prefix: "us-" } }] }, { region: "us-east-1" }, false],
  [
    "matches outside an excluded prefix",
    { region: [{ "anything-but": { prefix: "us-" } }] },
    { region: "eu-west-1" },
    true,
  ],
  ["excludes a suffix", { f: [{ "anything-but": { suffix: ".png" } }] }, { f: "a.png" }, false],
  [
    "matches outside an excluded suffix",
    { f: [{ "anything-but": { suffix: ".png" } }] },
    { f: "a.txt" },
    true,
  ],
  [
    "excludes values ignoring case",
    { s: [{ "anything-but": { "equals-ignore-case": ["Stopped", "Overloaded"] } }] },
    { s: "STOPPED" },
    false,
  ],
  ["excludes a wildcard", { p: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { p: "/usr/lib/x" }, false],
  [
    "matches outside an excluded wildcard",
    { p: [{ "anything-but": { wildcard: "*/lib/*" } }] },
    { p: "/usr/bin/x" },
    true,
  ],
  [
    "matches when any array element is not excluded",
    { s: [{ "anything-but": "a" }] },
    { s: ["a", "b"] },
    true,
  ],
  [
    "rejects when every array element is excluded",
    { s: [{ "anything-but": "a" }] },
    { s: ["a", "a"] },
    false,
  ],
];

const exists: Row[] = [
  ["matches a present field with exists: true", { detail: { state: [{ exists: true }] } }, ec2Event, true],
  ["rejects a missing field with exists: true", { detail: { color: [{ exists: true }] } }, ec2Event, false],
  ["matches a missing field with exists: false", { detail: { color: [{ exists: false }] } }, ec2Event, true],
  ["rejects a present field with exists: false", { detail: { state: [{ exists: false }] } }, ec2Event, false],
  ["treats null as present", { v: [{ exists: true }] }, { v: null }, true],
  ["treats an object as no leaf (exists only sees leaves)", { detail: [{ exists: true }] }, ec2Event, false],
  [
    "matches exists: false when the parent is missing",
    { detail: { x: [{ exists: false }] } },
    { source: "a" },
    true,
  ],
  ["treats an empty array as absent", { tags: [{ exists: false }] }, { tags: [] }, true],
];

const numeric: Row[] = [
  ["matches inside a range", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, ec2Event, true],
  ["rejects outside a range", { detail: { "c-count": [{ numeric: [">", 5] }] } }, ec2Event, false],
  ["matches an exclusive lower bound", { detail: { "d-count": [{ numeric: ["<", 10] }] } }, ec2Event, true],
  ["matches numeric equality", { n: [{ numeric: ["=", 3.018e2] }] }, { n: 301.8 }, true],
  ["respects >=", { n: [{ numeric: [">=", 5] }] }, { n: 5 }, true],
  ["respects <", { n: [{ numeric: ["<", 5] }] }, { n: 5 }, false],
  ["does not compare strings as numbers", { n: [{ numeric: [">", 0] }] }, { n: "5" }, false],
  ["matches negative numbers", { n: [{ numeric: [">=", -10, "<", 0] }] }, { n: -3.5 }, true],
];

const wildcard: Row[] = [
  ["matches a wildcard", { k: [{ wildcard: "dir/*.png" }] }, { k: "dir/a.png" }, true],
  ["matches an empty run", { k: [{ wildcard: "dir/*.png" }] }, { k: "dir/.png" }, true],
  ["rejects a non-matching value", { k: [{ wildcard: "dir/*.png" }] }, { k: "dir/a.jpg" }, false],
  ["anchors at both ends", { k: [{ wildcard: "a*c" }] }, { k: "xabc" }, false],
  ["matches several wildcards", { k: [{ wildcard: "*/bin/*.sh" }] }, { k: "/usr/bin/run.sh" }, true],
  ["treats an escaped star literally", { k: [{ wildcard: "a\\*c" }] }, { k: "a*c" }, true],
  ["does not expand an escaped star", { k: [{ wildcard: "a\\*c" }] }, { k: "abc" }, false],
  ["treats regex characters literally", { k: [{ wildcard: "a.c*" }] }, { k: "abc" }, false],
  ["matches across newlines", { k: [{ wildcard: "a*z" }] }, { k: "a\nz" }, true],
];

const cidr: Row[] = [
  ["matches an IPv4 address in a block", { ip: [{ cidr: "10.0.0.0/24" }] }, { ip: "10.0.0.255" }, true],
  ["rejects an IPv4 address outside the block", { ip: [{ cidr: "10.0.0.0/24" }] }, { ip: "10.0.1.1" }, false],
  ["matches an IPv6 address in a block", { ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db8:1::1" }, true],
  [
    "rejects an IPv6 address outside the block",
    { ip: [{ cidr: "2001:db8::/32" }] },
    { ip: "2001:db9::1" },
    false,
  ],
  ["rejects a value that is not an IP", { ip: [{ cidr: "10.0.0.0/8" }] }, { ip: "not-an-ip" }, false],
  ["does not mix families", { ip: [{ cidr: "10.0.0.0/8" }] }, { ip: "::ffff:10.0.0.1" }, false],
];

const or: Row[] = [
  [
    "matches the first alternative of $or",
    { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }] },
    { "c-count": 3 },
    true,
  ],
  [
    "matches the second alternative of $or",
    { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }] },
    { "d-count": 1 },
    true,
  ],
  ["rejects when no alternative matches", { $or: [{ a: ["1"] }, { b: ["2"] }] }, { a: "2", b: "1" }, false],
  [
    "ANDs $or with sibling keys",
    { source: ["x"], $or: [{ a: ["1"] }, { b: ["2"] }] },
    { source: "y", a: "1" },
    false,
  ],
  [
    "applies $or inside a nested object",
    { detail: { $or: [{ state: ["ALARM"] }, { severity: ["high"] }] } },
    { detail: { severity: "high" } },
    true,
  ],
];

describe("Function: matchesPattern", () => {
  it.each(exactValues)("exact values: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(arrays)("arrays: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(prefixSuffix)("prefix, suffix, equals-ignore-case: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(anythingBut)("anything-but: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(exists)("exists: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(numeric)("numeric: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(wildcard)("wildcard: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(cidr)("cidr: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
  it.each(or)("$or: %s", (_rule, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it("accepts every pattern of the rule tables as valid", () => {
    const all = [
      ...exactValues,
      ...arrays,
      ...prefixSuffix,
      ...anythingBut,
      ...exists,
      ...numeric,
      ...wildcard,
      ...cidr,
      ...or,
    ];
    for (const [, pattern] of all) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it("throws an EventPatternError for an unknown operator it meets", () => {
    expect(() => matchesPattern({ s: [{ contains: "x" }] }, { s: "x" })).toThrow(EventPatternError);
  });

  it("does not read inherited properties as event fields", () => {
    expect(matchesPattern({ constructor: [{ exists: true }] }, {})).toBe(false);
  });
});

describe("Function: validatePattern", () => {
  it.each<[string, unknown, string]>([
    ["an empty pattern", {}, "(root): a pattern object must not be empty"],
    ["a pattern that is not an object", ["aws.ec2"], "(root): expected an object"],
    [
      "a non-array leaf",
      { detail: { state: "ALARM" } },
      'detail.state: expected an array of values or a nested object, got "ALARM"',
    ],
    ["a numeric leaf", { n: 5 }, "n: expected an array of values or a nested object, got 5"],
    ["an empty list of values", { source: [] }, "source: a list of values must not be empty"],
    ["an empty nested object", { detail: {} }, "detail: a pattern object must not be empty"],
    ["an unknown operator", { s: [{ contains: "x" }] }, 's[0].contains: unknown operator "contains"'],
    [
      "an operator object with two keys",
      { s: [{ prefix: "a", suffix: "b" }] },
      "s[0]: an operator object has exactly one key, got 2",
    ],
    ["a nested array in a list", { s: [["a"]] }, "s[0]: expected a value or an operator object"],
    ["a prefix that is not a string", { s: [{ prefix: 5 }] }, "s[0].prefix: expected a string, got 5"],
    [
      "a prefix with another inner operator",
      { s: [{ prefix: { wildcard: "a" } }] },
      "s[0].prefix: prefix takes a string",
    ],
    ["exists with a string", { s: [{ exists: "true" }] }, 's[0].exists: expected true or false, got "true"'],
    ["numeric with an odd list", { n: [{ numeric: [">", 0, "<"] }] }, "n[0].numeric: expected [op, number]"],
    [
      "numeric with an unknown comparison",
      { n: [{ numeric: ["!=", 0] }] },
      'n[0].numeric: unknown comparison "!="',
    ],
    [
      "numeric with a string bound",
      { n: [{ numeric: [">", "0"] }] },
      'n[0].numeric: expected a number after ">"',
    ],
    [
      "numeric with two lower bounds",
      { n: [{ numeric: [">", 0, ">=", 1] }] },
      "n[0].numeric: a range needs one lower bound",
    ],
    [
      "a malformed CIDR",
      { ip: [{ cidr: "10.0.0.0/33" }] },
      "ip[0].cidr: expected an IPv4 or IPv6 CIDR block",
    ],
    [
      "a CIDR without a prefix length",
      { ip: [{ cidr: "10.0.0.1" }] },
      "ip[0].cidr: expected an IPv4 or IPv6 CIDR block",
    ],
    [
      "consecutive wildcards",
      { k: [{ wildcard: "a**b" }] },
      "k[0].wildcard: consecutive wildcard characters are not allowed",
    ],
    [
      "a bad wildcard escape",
      { k: [{ wildcard: "a\\b" }] },
      'k[0].wildcard: only "\\*" and "\\\\" may be escaped',
    ],
    [
      "anything-but with an empty list",
      { s: [{ "anything-but": [] }] },
      "s[0].anything-but: the list of excluded values must not be empty",
    ],
    [
      "anything-but with a mixed list",
      { s: [{ "anything-but": ["a", 1] }] },
      "s[0].anything-but: the excluded values must be all strings or all numbers",
    ],
    [
      "anything-but with numeric",
      { s: [{ "anything-but": { numeric: [">", 1] } }] },
      's[0].anything-but: anything-but does not take "numeric"',
    ],
    ["$or that is not a list", { $or: { a: ["1"] } }, "$or: $or takes a non-empty list of patterns"],
    [
      "$or with a malformed alternative",
      { $or: [{ a: ["1"] }, { b: "2" }] },
      "$or[1].b: expected an array of values",
    ],
  ])("refuses %s", (_case, pattern, message) => {
    // Act
    const act = () => validatePattern(pattern as EventPattern);
    // Assess
    expect(act).toThrow(EventPatternError);
    expect(act).toThrow(message);
  });

  it("returns the pattern it validated", () => {
    const pattern = { source: ["aws.ssm"] };
    expect(validatePattern(pattern)).toBe(pattern);
  });
});
