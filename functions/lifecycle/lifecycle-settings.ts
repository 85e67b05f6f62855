import type { ClawopsEnvironment } from "@clawops/core";
import { type LifecycleSettings, parseLifecycleSettings } from "@clawops/core/lifecycle";

let cached: { json: string | undefined; settings: LifecycleSettings } | undefined;

/**
 * The function's lifecycle settings from `CLAWOPS_SETTINGS`, parsed once per container. The gate reads its probe
 * for the gateway's probe timeout (settings written before the gate carried it fall back to the gateway's).
 */
export function settingsOf(env: ClawopsEnvironment): LifecycleSettings {
  if (cached && cached.json === env.settings) return cached.settings;
  const parsed = parseLifecycleSettings(env.settings);
  const settings: LifecycleSettings = {
    ...parsed,
    gate: {
      ...parsed.gate,
      probeTimeoutSeconds: parsed.gate.probeTimeoutSeconds ?? parsed.gateway.probeTimeoutSeconds,
    },
  };
  cached = { json: env.settings, settings };
  return settings;
}
