import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = process.cwd();
const core = join(root, "packages", "core");

/** The statements a module may have at its top level when its package declares `"sideEffects": false`. */
const DECLARATIONS = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
]);

/** Each top-level statement of a source file that is not a declaration: `file:line kind`. */
function sideEffects(file: string, source: string): string[] {
  const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  return parsed.statements
    .filter((statement) => !DECLARATIONS.has(statement.kind))
    .map((statement) => {
      const { line } = parsed.getLineAndCharacterOfPosition(statement.getStart());
      return `${relative(root, file)}:${line + 1} ${ts.SyntaxKind[statement.kind]}`;
    });
}

describe("@clawops/core declares no side effects", () => {
  it("says so in its package.json, so a function's bundle keeps only the core modules it uses", async () => {
    const manifest = JSON.parse(await readFile(join(core, "package.json"), "utf8")) as {
      sideEffects?: unknown;
    };

    expect(manifest.sideEffects).toBe(false);
  });

  it("has no module that does anything at load but declare (esbuild drops a module none of whose exports are used)", async () => {
    const files = (await readdir(join(core, "src"), { recursive: true }))
      .filter((name) => name.endsWith(".ts"))
      .map((name) => join(core, "src", name));
    const found: string[] = [];
    for (const file of files) found.push(...sideEffects(file, await readFile(file, "utf8")));

    expect(files.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it("finds a statement that runs at load", () => {
    expect(sideEffects("x.ts", 'import { a } from "a";\nexport const b = 1;\nregister(b);\n')).toEqual([
      "x.ts:3 ExpressionStatement",
    ]);
  });
});
