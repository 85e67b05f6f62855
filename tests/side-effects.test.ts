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

/**
 * What a top-level initializer may call or construct: value builders that touch nothing outside what they return
 * (zod schemas, collections, Powertools' logger and metrics, the environment's AsyncLocalStorage). Anything else
 * (`register()`, `process.on()`) is a side effect a bundle would lose when it drops the module.
 */
const PURE_ROOTS = new Set([
  "z",
  "Set",
  "Map",
  "WeakMap",
  "Symbol",
  "Buffer",
  "Object",
  "RegExp",
  "Logger",
  "Metrics",
  "AsyncLocalStorage",
  // Core's own builders, reviewed: events/envelope.ts returns a zod object and touches nothing else.
  "eventBridgeEventSchema",
]);

/** The leftmost name of a call's target: `z` of `z.object(...)`, `a` of `a.b().c()`. */
function rootName(expression: ts.Expression): string | undefined {
  let at: ts.Expression = expression;
  while (ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at) || ts.isCallExpression(at))
    at = at.expression;
  return ts.isIdentifier(at) ? at.text : undefined;
}

/** Calls and `new`s an initializer runs at load (not those inside the functions it defines) whose target is not pure. */
function impureCalls(node: ts.Node, parsed: ts.SourceFile, local: ReadonlySet<string>): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (at: ts.Node): void => {
    if (ts.isFunctionLike(at) || ts.isClassLike(at)) return;
    if (ts.isCallExpression(at) || ts.isNewExpression(at)) {
      const pure = /@__PURE__/.test(parsed.text.slice(at.getFullStart(), at.getStart()));
      const root = rootName(at.expression);
      if (!pure && !(root && (PURE_ROOTS.has(root) || local.has(root)))) found.push(at);
    }
    ts.forEachChild(at, visit);
  };
  visit(node);
  return found;
}

/**
 * The names a module declares at its top level. A call to one of them is taken as building a value (the events
 * modules' local schema helpers); the test does not read their bodies, so a local `register()` would pass.
 */
function moduleNames(parsed: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of parsed.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
      names.add(statement.name.text);
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.add(d.name.text);
  }
  return names;
}

/** Each thing a source file does at load besides declaring: `file:line what`. */
function sideEffects(file: string, source: string): string[] {
  const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const local = moduleNames(parsed);
  const at = (node: ts.Node, what: string) =>
    `${relative(root, file)}:${parsed.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what}`;
  const found: string[] = [];
  for (const statement of parsed.statements) {
    if (!DECLARATIONS.has(statement.kind)) found.push(at(statement, ts.SyntaxKind[statement.kind]));
    else if (ts.isImportDeclaration(statement) && !statement.importClause)
      found.push(at(statement, "bare import"));
    else if (ts.isExportAssignment(statement) || ts.isVariableStatement(statement))
      for (const call of impureCalls(statement, parsed, local)) found.push(at(call, call.getText(parsed)));
    else if (ts.isClassDeclaration(statement))
      for (const member of statement.members)
        if (
          ts.isClassStaticBlockDeclaration(member) ||
          (ts.isPropertyDeclaration(member) &&
            member.initializer &&
            member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) &&
            impureCalls(member.initializer, parsed, local).length > 0)
        )
          found.push(at(member, "static initializer"));
  }
  return found;
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

  it("finds what runs at load: statements, bare imports, impure initializers and static blocks", () => {
    const module = [
      'import "polyfill";',
      'import * as z from "zod/mini";',
      "const Schema = z.object({ a: z.string() });",
      "const seen = new Set();",
      "function helper() { return z.string(); }",
      "export const field = helper();",
      "export const later = () => register();",
      "register(Schema);",
      "export const handle = process.on('exit', () => {});",
      "export default register();",
      "export class A { static { register(A); } }",
      "const table = /* @__PURE__ */ build();",
    ].join("\n");

    expect(sideEffects("x.ts", module)).toEqual([
      "x.ts:1 bare import",
      "x.ts:8 ExpressionStatement",
      "x.ts:9 process.on('exit', () => {})",
      "x.ts:10 register()",
      "x.ts:11 static initializer",
    ]);
  });
});
