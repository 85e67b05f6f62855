import { describe, expect, it } from "vitest";
import { runGameDay } from "../src/gameday/runner.js";
import type { Scene } from "../src/gameday/scene.js";
import type { Sandbox } from "../src/sandbox.js";

const small = { fleetSize: 1, gateways: false } as const;
const passing = (name: string, figures: Record<string, string> = {}): Scene => ({
  name,
  run: async (sandbox, timeline) => {
    await sandbox.clock.advance(65_000);
    timeline.log(`${name} did its work`);
    return { passed: true, figures };
  },
});

describe("Function: runGameDay", () => {
  it("prints a timeline stamped on the sandbox clock and the table, and exits 0 when every scene passed", async () => {
    const lines: string[] = [];
    const code = await runGameDay({
      scenes: [passing("boots", { instances: "1" }), passing("drills")],
      print: (line) => lines.push(line),
      sandbox: small,
    });
    expect(code).toBe(0);
    expect(lines).toContain("  +01:05  boots did its work");
    expect(lines).toContain("  +02:10  drills did its work");
    expect(lines.find((l) => l.startsWith("boots "))).toMatch(/^boots\s+PASS\s+instances: 1$/);
    expect(lines.at(-1)).toBe("\nEvery scene behaved as production should.");
  });

  it("goes on after a failed or crashing scene, reports why, and exits 1", async () => {
    const lines: string[] = [];
    const code = await runGameDay({
      scenes: [
        { name: "fails", run: async () => ({ passed: false, figures: {}, reason: "the alarm never fired" }) },
        {
          name: "crashes",
          run: async () => {
            throw new Error("boom");
          },
        },
        passing("still runs"),
      ],
      print: (line) => lines.push(line),
      sandbox: small,
    });
    expect(code).toBe(1);
    expect(lines).toContain("   FAILED: the alarm never fired");
    expect(lines.some((l) => l.startsWith("   FAILED: the scene crashed: Error: boom"))).toBe(true);
    expect(lines).toContain("  +01:05  still runs did its work");
    expect(lines.at(-1)).toBe("\nSome scenes failed: exit code 1.");
  });

  it("keeps the sandbox up after the verdict until keepOpen resolves, then closes it", async () => {
    const lines: string[] = [];
    let seen: Sandbox | undefined;
    let openWhileKept = false;
    const code = await runGameDay({
      scenes: [
        {
          ...passing("only"),
          run: async (sandbox, t) => {
            seen = sandbox;
            return passing("only").run(sandbox, t);
          },
        },
      ],
      print: (line) => lines.push(line),
      sandbox: { fleetSize: 1, gateways: false },
      keepOpen: async () => {
        openWhileKept = (await fetch(seen?.slack.url ?? "")).ok;
      },
    });
    expect(code).toBe(0);
    expect(openWhileKept).toBe(true);
    expect(lines.slice(-2)).toEqual([
      "\nEvery scene behaved as production should.",
      `The Slack view stays open at ${seen?.slack.url}: Ctrl-C to stop.`,
    ]);
    await expect(fetch(seen?.slack.url ?? "")).rejects.toThrow();
  });
});
