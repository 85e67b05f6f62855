import type { ClawopsEnvironment } from "@clawops/core";
import { type DrillSettings, parseDrillSettings } from "@clawops/core/drills";

let cached: { json: string | undefined; settings: DrillSettings } | undefined;

/** The drill function's settings from `CLAWOPS_SETTINGS`, parsed once per container. */
export function settingsOf(env: ClawopsEnvironment): DrillSettings {
  if (cached && cached.json === env.settings) return cached.settings;
  const settings = parseDrillSettings(env.settings);
  cached = { json: env.settings, settings };
  return settings;
}

/** The ids of the fleet's own file systems: the cleanup guard never deletes them. */
export function fleetFileSystemIds(settings: DrillSettings): string[] {
  return settings.fileSystems.map((fs) => fs.fileSystemId);
}
