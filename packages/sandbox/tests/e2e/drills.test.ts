import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { logger } from "@clawops/core";
import { DrillTag } from "@clawops/core/drills";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  corruptedDrillFails,
  type DrillsInstall,
  drillLeftovers,
  drillPasses,
  drillsScene,
  installDrills,
  latestRecoveryPoint,
} from "../../src/gameday/scenes/drills.js";
import { createSandbox, type Sandbox } from "../../src/sandbox.js";

const lines: string[] = [];
const timeline = { log: (line: string) => void lines.push(line) };
let box: Sandbox;
let flow: DrillsInstall;

// One sandbox for the file, its steps in order (boot, a passing drill, a corrupted one, the scene), as in the
// game day: the drill handlers, like Lambda containers, read their environment once, at the first invocation.
beforeAll(async () => {
  logger.setLogLevel("SILENT");
  box = await createSandbox({ fleetSize: 1, gateways: false }); // Drills need no gateway processes.
  await box.clock.advance(3 * 3_600_000); // Three hours after the daily backup taken at boot.
  flow = await installDrills(box);
});
afterAll(async () => {
  flow?.uninstall();
  await box?.close();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Every file under a directory with its SHA-256, by relative path. */
async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length + 1)] = sha256(await readFile(path));
    }
  return out;
}

/** The fleet's two file systems' directories and their files' hashes. */
async function fleetTrees() {
  const { efs } = box.aws.models;
  const dirs = [box.description.workspace.fileSystemId, box.description.runtime.fileSystemId].map(
    (id) => efs.fileSystems.get(id)?.dir ?? "",
  );
  return Promise.all(dirs.map(hashes));
}

/** Takes the next daily backup of both fleet file systems (a clean recovery point after the corrupted one). */
async function dailyBackup(): Promise<void> {
  const { backup } = box.aws.models;
  for (const fs of [box.description.workspace, box.description.runtime])
    await backup.backup(fs.fileSystemId, box.description.backupVaultName);
}

describe("Sandbox end to end: restore drills", () => {
  it("boots the fleet's file systems as real directories with the soul documents, runtime data and a daily backup", async () => {
    const [workspace, runtime] = await fleetTrees();
    const manifest = JSON.parse(
      box.aws.models.ssm.parameters.get(box.description.manifestParameterName)?.Value ?? "{}",
    ) as { files: Record<string, string> };

    expect(Object.keys(manifest.files)).toContain("SOUL.md");
    for (const [path, hash] of Object.entries(manifest.files))
      expect(workspace?.[`workspace/${path}`]).toBe(hash);
    expect(Object.keys(runtime ?? {}).some((p) => /^runtime\/sessions\/.+\.jsonl$/.test(p))).toBe(true);
    expect(Object.keys(runtime ?? {})).toContain("runtime/memory/memory.json");
    const point = latestRecoveryPoint(box, box.description.workspace.fileSystemId);
    expect(point?.vaultName).toBe(box.description.backupVaultName);
    expect(await hashes(point?.snapshotDir ?? "")).toEqual(workspace);
  });

  it("passes a drill of the daily backup with RPO and RTO, verifying real files, and leaves no drill resource", async () => {
    const before = await fleetTrees();

    lines.length = 0;
    const result = await drillPasses(box, flow, timeline);

    expect(result).toMatchObject({ passed: true, leftovers: [] });
    const fileSystems = result.verdict?.fileSystems ?? [];
    expect(fileSystems.map((fs) => fs.fileSystemId)).toEqual([
      box.description.workspace.fileSystemId,
      box.description.runtime.fileSystemId,
    ]);
    const soulCount = (await readdir(new URL("../../../../soul/", import.meta.url))).length;
    expect(fileSystems[0]?.filesVerified).toBe(soulCount);
    expect(fileSystems[1]?.filesVerified).toBe(3);
    expect(fileSystems.every((fs) => fs.bytesVerified > 0 && fs.mismatches.length === 0)).toBe(true);
    // The backup was taken at boot, three hours before the drill; the restore alone takes 630 s.
    expect(fileSystems.map((fs) => fs.rpoSeconds)).toEqual([3 * 3600, 3 * 3600]);
    expect(fileSystems.every((fs) => (fs.rtoSeconds ?? 0) >= 630)).toBe(true);
    expect(lines.join("\n")).toMatch(/file system\s+recovery point\s+RPO\s+RTO/);
    expect(lines.join("\n")).toContain("3h 00m");
    // Two restored file systems made and deleted; the fleet's own were never touched.
    const { efs } = box.aws.models;
    expect(efs.deleted).toHaveLength(2);
    expect(efs.deleted).not.toContain(box.description.workspace.fileSystemId);
    expect(efs.deleted).not.toContain(box.description.runtime.fileSystemId);
    expect(await fleetTrees()).toEqual(before);
    expect(box.aws.calls("EFS", "CreateMountTarget").length).toBeGreaterThanOrEqual(2);
    expect(box.aws.calls("Lambda", "UpdateFunctionConfiguration").length).toBeGreaterThanOrEqual(2);
  });

  it("fails a drill of a corrupted recovery point, names the bad soul document, and still cleans up", async () => {
    const before = await fleetTrees();

    lines.length = 0;
    const result = await corruptedDrillFails(box, flow, timeline);

    expect(result).toMatchObject({ passed: true, badFiles: ["SOUL.md"], leftovers: [] });
    expect(result.verdict?.passed).toBe(false);
    const [workspace, runtime] = result.verdict?.fileSystems ?? [];
    expect(workspace?.mismatches.map((m) => m.path)).toEqual(["SOUL.md"]);
    expect(runtime?.passed).toBe(true);
    expect(lines.some((l) => l.includes("mismatch: SOUL.md"))).toBe(true);
    const { efs } = box.aws.models;
    const drillTagged = [...efs.fileSystems.values(), ...efs.accessPoints.values()].filter((r) =>
      r.tags.some((t) => t.Key === DrillTag.DrillId),
    );
    expect(drillTagged).toEqual([]);
    expect(efs.mountTargets.size).toBe(0);
    expect(await drillLeftovers(box)).toEqual([]);
    // The corruption lives in the backup only: the fleet's workspace still matches its manifest.
    expect(await fleetTrees()).toEqual(before);
  });

  it("plays the scene: the passing drill, then the corrupted one, with RPO, RTO and files verified", async () => {
    flow.uninstall(); // The scene installs the flow itself.
    await dailyBackup();
    await box.clock.advance(3_600_000);

    const result = await drillsScene.run(box, timeline);

    expect(result.reason).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(result.figures).toMatchObject({ "bad file named": "SOUL.md" });
    // Both file systems are drilled at once, an hour after the daily backup.
    expect(String(result.figures.RPO)).toBe("1h 00m");
    expect(Number(result.figures["files verified"])).toBeGreaterThan(3);
    expect(String(result.figures.RTO)).toMatch(/^\d+m \d{2}s$/);
  });
});
