import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildManifest,
  diffManifest,
  ManifestFormatError,
  manifestOf,
  parseManifest,
  readSoulDocuments,
  SoulDocumentsError,
  sha256Hex,
} from "../../src/fleet/index.js";

// SHA-256 of "abc", as `printf abc | sha256sum` prints it.
const SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "clawops-soul-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Function: sha256Hex", () => {
  it("returns the lowercase hex SHA-256 of the bytes", () => {
    expect(sha256Hex("abc")).toBe(SHA_ABC);
    expect(sha256Hex(Buffer.from("abc"))).toBe(SHA_ABC);
  });
});

describe("Function: buildManifest", () => {
  it("hashes every document, keyed by file name and sorted", () => {
    writeFileSync(join(dir, "TOOLS.md"), "abc");
    writeFileSync(join(dir, "AGENTS.md"), "abc");
    writeFileSync(join(dir, "SOUL.md"), "# SOUL\n");

    const manifest = buildManifest(dir);

    expect(Object.keys(manifest.files)).toEqual(["AGENTS.md", "SOUL.md", "TOOLS.md"]);
    expect(manifest.files["TOOLS.md"]).toBe(SHA_ABC);
    expect(manifest.files["SOUL.md"]).toBe(sha256Hex("# SOUL\n"));
  });

  it("keys nested documents by their relative POSIX path", () => {
    mkdirSync(join(dir, "skills"));
    writeFileSync(join(dir, "skills", "triage.md"), "abc");
    writeFileSync(join(dir, "SOUL.md"), "abc");

    expect(buildManifest(dir)).toEqual({ files: { "SOUL.md": SHA_ABC, "skills/triage.md": SHA_ABC } });
  });

  it("skips dotfiles and dot-directories such as .git", () => {
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/main");
    writeFileSync(join(dir, ".DS_Store"), "x");
    writeFileSync(join(dir, "SOUL.md"), "abc");

    expect(Object.keys(buildManifest(dir).files)).toEqual(["SOUL.md"]);
  });

  it("changes the hash of exactly the document whose bytes changed", () => {
    writeFileSync(join(dir, "SOUL.md"), "abc");
    writeFileSync(join(dir, "USER.md"), "abc");
    const before = buildManifest(dir);
    writeFileSync(join(dir, "USER.md"), "abcd");

    const after = buildManifest(dir);

    expect(after.files["SOUL.md"]).toBe(before.files["SOUL.md"]);
    expect(after.files["USER.md"]).not.toBe(before.files["USER.md"]);
  });

  it("refuses a symbolic link, whose target git did not review", () => {
    writeFileSync(join(dir, "SOUL.md"), "abc");
    symlinkSync(join(dir, "SOUL.md"), join(dir, "IDENTITY.md"));

    expect(() => buildManifest(dir)).toThrow(/IDENTITY.md is a symbolic link/);
  });

  it.each([
    ["a missing directory", (d: string) => join(d, "nope"), /not found/],
    ["an empty directory", (d: string) => d, /no soul documents/],
    [
      "a file",
      (d: string) => {
        writeFileSync(join(d, "f"), "x");
        return join(d, "f");
      },
      /not a directory/,
    ],
  ])("fails with SoulDocumentsError on %s", (_case, target, message) => {
    const path = target(dir);
    expect(() => buildManifest(path)).toThrow(SoulDocumentsError);
    expect(() => buildManifest(path)).toThrow(message);
  });

  it("hashes the repository's own soul/ directory: the five documents the fleet deploys", () => {
    const manifest = buildManifest(join(import.meta.dirname, "../../../../soul"));
    expect(Object.keys(manifest.files)).toEqual([
      "AGENTS.md",
      "IDENTITY.md",
      "SOUL.md",
      "TOOLS.md",
      "USER.md",
    ]);
    for (const hash of Object.values(manifest.files)) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("Function: readSoulDocuments", () => {
  it("accepts an empty workspace when allowEmpty is set", () => {
    expect(readSoulDocuments(dir, { allowEmpty: true })).toEqual({});
  });
});

describe("Function: diffManifest", () => {
  const expected = manifestOf({ "AGENTS.md": "a", "SOUL.md": "s", "USER.md": "u" });

  it.each([
    ["an identical workspace", { "AGENTS.md": "a", "SOUL.md": "s", "USER.md": "u" }, [], [], [], true],
    ["a missing document", { "AGENTS.md": "a", "SOUL.md": "s" }, ["USER.md"], [], [], false],
    [
      "a tampered document",
      { "AGENTS.md": "a", "SOUL.md": "evil", "USER.md": "u" },
      [],
      ["SOUL.md"],
      [],
      false,
    ],
    [
      "an extra file",
      { "AGENTS.md": "a", "SOUL.md": "s", "USER.md": "u", "x.md": "x" },
      [],
      [],
      ["x.md"],
      false,
    ],
  ])("reports %s", (_case, actual, missing, changed, unexpected, matches) => {
    expect(diffManifest(expected, manifestOf(actual))).toEqual({ missing, changed, unexpected, matches });
  });
});

describe("Function: parseManifest", () => {
  it("reads back what manifestOf produced, sorted", () => {
    const json = JSON.stringify({ files: { "USER.md": SHA_ABC, "SOUL.md": SHA_ABC } });
    expect(Object.keys(parseManifest(json).files)).toEqual(["SOUL.md", "USER.md"]);
  });

  it.each([
    ["not JSON", "{"],
    ["no files object", JSON.stringify({ documents: {} })],
    ["files as an array", JSON.stringify({ files: [] })],
    ["a hash that is not SHA-256 hex", JSON.stringify({ files: { "SOUL.md": "abc" } })],
  ])("rejects %s with ManifestFormatError", (_case, json) => {
    expect(() => parseManifest(json)).toThrow(ManifestFormatError);
  });
});
