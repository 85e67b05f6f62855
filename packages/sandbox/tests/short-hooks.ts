import type { ClawopsConfigInput } from "@clawops/core/config";
import defaultConfig from "../../../clawops.config.js";

/**
 * The repository's configuration with a one-instance fleet and short hooks and deadlines, so an end-to-end or
 * fault test plays minutes of sandbox time, not hours.
 */
export const shortHooksConfig: ClawopsConfigInput = {
  ...defaultConfig,
  stages: {
    sandbox: {
      fleet: {
        mode: "reference",
        minSize: 1,
        desiredCapacity: 1,
        healthCheckGracePeriodSeconds: 60,
        lifecycleHooks: { launchHeartbeatSeconds: 60 },
      },
      lifecycle: { launchDeadlineSeconds: 300 },
      monitor: { unhealthyAfter: 3 },
    },
  },
};
