import type { ClawopsEnvironment } from "@clawops/core";
import { type FailureDrillSettings, parseFailureDrillSettings } from "@clawops/core/failure-drill";

let cached: { json: string | undefined; settings: FailureDrillSettings } | undefined;

/** The function's failure-drill settings from `CLAWOPS_SETTINGS`, parsed once per container. */
export function settingsOf(env: ClawopsEnvironment): FailureDrillSettings {
  if (cached && cached.json === env.settings) return cached.settings;
  const settings = parseFailureDrillSettings(env.settings);
  cached = { json: env.settings, settings };
  return settings;
}

/** The Core state table; every failure-drill function is deployed with it. */
export function stateTableOf(env: ClawopsEnvironment): string {
  if (!env.stateTable) throw new TypeError("CLAWOPS_STATE_TABLE is not set for this failure-drill function");
  return env.stateTable;
}
