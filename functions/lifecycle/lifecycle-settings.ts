import type { ClawopsEnvironment } from "@clawops/core";
import { type LifecycleSettings, parseLifecycleSettings } from "@clawops/core/lifecycle";

let cached: { json: string | undefined; settings: LifecycleSettings } | undefined;

/** The function's lifecycle settings from `CLAWOPS_SETTINGS`, parsed once per container. */
export function settingsOf(env: ClawopsEnvironment): LifecycleSettings {
  if (cached && cached.json === env.settings) return cached.settings;
  const settings = parseLifecycleSettings(env.settings);
  cached = { json: env.settings, settings };
  return settings;
}
