import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ClawopsConfigSchema, StageSettingsSchema } from "@clawops/core/config";
import { describe, expect, it } from "vitest";
import type * as z from "zod";

const root = process.cwd();

/** The zod internals this walk reads: an object's shape, a wrapper's inner type, a union's options. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly element?: z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every setting an operator can write, as a dotted path (`readiness.egressProbePort`; an array's items as
 * `egressAllowlist.name`), through defaults, optionals, pipes, unions (both fleet modes) and arrays.
 */
function settingPaths(schema: z.ZodType, prefix = ""): string[] {
  const def = defOf(schema);
  if (def.type === "object" && def.shape)
    return Object.entries(def.shape).flatMap(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      const below = settingPaths(value, path);
      return below.length > 0 ? below : [path];
    });
  if (def.type === "union") return [...new Set((def.options ?? []).flatMap((o) => settingPaths(o, prefix)))];
  if (def.type === "array" && def.element) return settingPaths(def.element, prefix);
  const inner = def.innerType ?? def.in;
  return inner ? settingPaths(inner, prefix) : [];
}

async function operatorDocs(): Promise<string> {
  const docs = join(root, "docs");
  const pages = (await readdir(docs)).filter((name) => name.endsWith(".md") && name !== "benchmarks.md");
  const texts = await Promise.all([
    readFile(join(root, "README.md"), "utf8"),
    ...pages.map((name) => readFile(join(docs, name), "utf8")),
  ]);
  return texts.join("\n");
}

/**
 * A setting is documented when its key is named in code: `readiness.egressProbePort`, `egressProbePort` in a
 * row or an object literal (`{ id, by }`), or a `key: value` line of a config example.
 */
function documented(docs: string, path: string): boolean {
  const key = path.split(".").pop() ?? path;
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return (
    docs.includes(`\`${path}\``) ||
    new RegExp(`\`[^\`\\n]*\\b${escaped(key)}\\b[^\`\\n]*\``).test(docs) ||
    new RegExp(`[{,]\\s*${escaped(key)}\\??[\\s,}]`).test(docs) ||
    new RegExp(`^\\s*${escaped(key)}\\??:`, "m").test(docs)
  );
}

describe("configuration reference", () => {
  it("walks every setting, both fleet modes included", () => {
    const paths = settingPaths(StageSettingsSchema as unknown as z.ZodType);
    expect(paths).toEqual(
      expect.arrayContaining([
        "fleet.mode",
        "fleet.lifecycleHooks.launchHeartbeatSeconds",
        "fleet.autoScalingGroupName",
        "slack.routes.mention",
        "readiness.recoveryProcedure.reviewedAt",
        "egressAllowlist.prefixListId",
        "approvalGates.testedBy",
      ]),
    );
  });

  it("names every setting an operator can write in the README or docs/", async () => {
    const docs = await operatorDocs();
    const paths = [
      ...settingPaths(ClawopsConfigSchema as unknown as z.ZodType).filter((p) => p.startsWith("app.")),
      ...settingPaths(StageSettingsSchema as unknown as z.ZodType),
    ];
    expect(paths.filter((path) => !documented(docs, path))).toEqual([]);
  });
});
