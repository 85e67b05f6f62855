import { describe, expect, it } from "vitest";
import {
  isWorkspacePath,
  manifestOf,
  planSoulWrite,
  type SoulWriteRequest,
  SoulWriteRequestSchema,
} from "../../src/fleet/index.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

function request(type: SoulWriteRequest["RequestType"], documents: Record<string, string>): SoulWriteRequest {
  return SoulWriteRequestSchema.parse({
    RequestType: type,
    ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:provider",
    ResourceProperties: {
      ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:provider",
      Documents: Object.fromEntries(Object.entries(documents).map(([path, text]) => [path, b64(text)])),
    },
  });
}

describe("Function: planSoulWrite", () => {
  it.each([
    ["writes every document into an empty workspace", "Create", {}, ["AGENTS.md", "SOUL.md"], []],
    ["rewrites only the changed document", "Update", { "AGENTS.md": "a", "SOUL.md": "old" }, ["SOUL.md"], []],
    [
      "removes a document the repository dropped",
      "Update",
      { "AGENTS.md": "a", "SOUL.md": "s", "OLD.md": "o" },
      [],
      ["OLD.md"],
    ],
    ["leaves the documents in place on Delete", "Delete", { "AGENTS.md": "a", "SOUL.md": "s" }, [], []],
  ] as const)("%s", (_case, type, present, write, remove) => {
    const plan = planSoulWrite(request(type, { "AGENTS.md": "a", "SOUL.md": "s" }), manifestOf(present));
    expect(plan.write).toEqual(write);
    expect(plan.remove).toEqual(remove);
  });

  it("returns the manifest the workspace matches afterwards", () => {
    const plan = planSoulWrite(request("Create", { "SOUL.md": "s" }), manifestOf({}));
    expect(plan.manifest).toEqual(manifestOf({ "SOUL.md": "s" }));
  });
});

describe("Function: isWorkspacePath", () => {
  it.each([
    ["SOUL.md", true],
    ["skills/triage.md", true],
    ["../etc/passwd", false],
    ["/etc/passwd", false],
    ["skills/../../x", false],
    [".ssh/authorized_keys", false],
    ["a//b", false],
    ["", false],
  ])("judges %j as %s", (path, expected) => {
    expect(isWorkspacePath(path)).toBe(expected);
  });
});

describe("Schema: SoulWriteRequestSchema", () => {
  it("rejects a document path that escapes the workspace", () => {
    const result = SoulWriteRequestSchema.safeParse({
      RequestType: "Create",
      ResourceProperties: { Documents: { "../x": b64("x") } },
    });
    expect(result.success).toBe(false);
  });
});
