import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { soulWriter } from "../soul-writer.js";

const context = { functionName: "soul-writer", awsRequestId: "req-1" } as Context;
const b64 = (text: string) => Buffer.from(text).toString("base64");

function event(type: "Create" | "Update" | "Delete", documents: Record<string, string>) {
  return {
    RequestType: type,
    ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:provider",
    ResponseURL: "https://example.invalid/response",
    StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/fleet/1",
    RequestId: "r-1",
    LogicalResourceId: "SoulDocuments",
    ResourceType: "Custom::SoulDocuments",
    ...(type === "Create" ? {} : { PhysicalResourceId: "clawops-soul-documents" }),
    ResourceProperties: {
      ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:provider",
      Documents: Object.fromEntries(Object.entries(documents).map(([path, text]) => [path, b64(text)])),
    },
  };
}

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "clawops-workspace-"));
});
afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
});

describe("Function: soulWriter", () => {
  it("writes the repository's documents into an empty workspace, read-only, and names the resource", async () => {
    const result = await soulWriter(workspace)(
      event("Create", { "SOUL.md": "# SOUL\n", "USER.md": "# USER\n" }),
      context,
    );

    expect(result).toEqual({ PhysicalResourceId: "clawops-soul-documents", Data: { Documents: 2 } });
    expect(readFileSync(join(workspace, "SOUL.md"), "utf8")).toBe("# SOUL\n");
    expect(statSync(join(workspace, "SOUL.md")).mode & 0o777).toBe(0o444);
    expect(readdirSync(workspace).sort()).toEqual(["SOUL.md", "USER.md"]);
  });

  it("makes the workspace match the new commit on Update: changed rewritten, dropped removed", async () => {
    writeFileSync(join(workspace, "SOUL.md"), "old soul");
    writeFileSync(join(workspace, "OLD.md"), "retired");

    await soulWriter(workspace)(
      event("Update", { "SOUL.md": "new soul", "skills/triage.md": "triage" }),
      context,
    );

    expect(readFileSync(join(workspace, "SOUL.md"), "utf8")).toBe("new soul");
    expect(readFileSync(join(workspace, "skills", "triage.md"), "utf8")).toBe("triage");
    expect(existsSync(join(workspace, "OLD.md"))).toBe(false);
  });

  it("leaves the documents in place on Delete", async () => {
    writeFileSync(join(workspace, "SOUL.md"), "soul");

    await soulWriter(workspace)(event("Delete", { "SOUL.md": "soul" }), context);

    expect(readFileSync(join(workspace, "SOUL.md"), "utf8")).toBe("soul");
  });

  it("refuses a document path that escapes the workspace, writing nothing", async () => {
    await expect(soulWriter(workspace)(event("Create", { "../escape.md": "x" }), context)).rejects.toThrow(
      /invalid input/,
    );
    expect(readdirSync(workspace)).toEqual([]);
  });
});
