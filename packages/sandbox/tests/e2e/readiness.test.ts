import type { ReadinessReport } from "@clawops/core/readiness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetBootsScene } from "../../src/gameday/fleet-boots.js";
import {
  DRIFT_CHECKS,
  driftMessages,
  FAILURE_DRILL_CHECKS,
  failing,
  injectDrift,
  installReadiness,
  newlyFailing,
  operatorPrepares,
  type ReadinessInstall,
  revertDrift,
} from "../../src/gameday/scenes/readiness.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

const lines: string[] = [];
const timeline = { log: (line: string) => void lines.push(line) };
let sandbox: Sandbox;
let install: ReadinessInstall;
let baseline: ReadinessReport;
let drifted: ReadinessReport;
let victim = "";
const show = (report: ReadinessReport) =>
  report.checks
    .filter((c) => c.status !== "pass")
    .map((c) => `${c.status} ${c.id}: ${c.explanation} ${(c.details ?? []).join("; ")}`)
    .join("\n");

/** One sandbox for the scene's steps, which build on each other like the game day's. */
beforeAll(async () => {
  sandbox = await createSandbox({ fleetSize: 2 });
  const booted = await fleetBootsScene.run(sandbox, timeline);
  expect(booted.passed, lines.join("\n")).toBe(true);
  install = await installReadiness(sandbox);
  await operatorPrepares(sandbox, install, timeline);
}, 120_000);

afterAll(async () => {
  install?.uninstall();
  await sandbox?.close();
});

describe("Sandbox end to end: readiness drift", () => {
  it("verifies every check on the booted fleet; only a failure drill is missing", async () => {
    baseline = await install.run();
    // The first run's drift (the failure-drill checks) reaches Slack through the bus and the router: real I/O
    // the clock does not wait for. Wait for it, so the next test counts only its own message.
    await sandbox.clock.runUntil(() => driftMessages(sandbox).length > 0, { limitMs: 120_000 });
    await sandbox.clock.advance(5_000);
    // A fresh sandbox has no failure drill record (stop a gateway, time alarm, alert and replacement):
    // those checks fail for that real reason, everything else passes or is attested.
    expect(failing(baseline), show(baseline)).toEqual([...FAILURE_DRILL_CHECKS].sort());
    expect(baseline.checks.filter((c) => c.status === "unknown").map((c) => c.id)).toEqual([]);
    expect(baseline.checks.filter((c) => c.status === "pass").length).toBeGreaterThan(30);
  });

  it("reports exactly the opened security group and the modified soul document, with one Slack message", async () => {
    victim = sandbox.fleet.instances()[0]?.instanceId ?? "";
    const before = driftMessages(sandbox).length;
    await injectDrift(sandbox, install, victim);
    drifted = await install.run();
    await sandbox.clock.advance(5_000);
    expect(newlyFailing(baseline, drifted), show(drifted)).toEqual([...DRIFT_CHECKS].sort());
    const hashes = drifted.checks.find((c) => c.id === "soul-documents.hashes-match");
    expect(hashes?.explanation).toContain("1 of 2");
    expect(hashes?.details?.join(" ")).toContain(`${victim}: SOUL.md modified`);
    const found = sandbox.events.published({ source: ["clawops"], "detail-type": ["ReadinessDriftFound"] });
    expect(((found.at(-1)?.detail.checks ?? []) as { id: string }[]).map((c) => c.id).sort()).toEqual(
      [...DRIFT_CHECKS].sort(),
    );
    const texts = (sandbox.slack.server?.channels() ?? []).flatMap((c) => c.messages.map((m) => m.text));
    expect(driftMessages(sandbox).length - before, texts.join("\n")).toBe(1);
    expect(texts.at(-1)).toContain("Readiness drift: 2 finding(s)");
  });

  it("posts nothing more when the next run finds the same drift", async () => {
    const before = driftMessages(sandbox).length;
    const again = await install.run();
    await sandbox.clock.advance(5_000);
    expect(failing(again)).toEqual(failing(drifted));
    expect(driftMessages(sandbox).length).toBe(before);
  });

  it("clears both once the drift is reverted", async () => {
    await revertDrift(sandbox, install, victim);
    const report = await install.run();
    expect(failing(report), show(report)).toEqual(failing(baseline));
    const cleared = sandbox.events.published({
      source: ["clawops"],
      "detail-type": ["ReadinessDriftCleared"],
    });
    expect(cleared).toHaveLength(1);
    expect(((cleared[0]?.detail.checks ?? []) as { id: string }[]).map((c) => c.id).sort()).toEqual(
      [...DRIFT_CHECKS].sort(),
    );
  });
});
