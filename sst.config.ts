import { resolveConfig } from "@clawops/core/config";
import type { SSTConfig } from "sst";
import config from "./clawops.config.js";
import { addStacks } from "./stacks/index.js";

export default {
  config(input) {
    const stage = input.stage ?? process.env.SST_STAGE ?? "dev";
    const resolved = resolveConfig(config, stage);
    return { name: resolved.app.name, region: resolved.app.region };
  },
  stacks(app) {
    addStacks(app, resolveConfig(config, app.stage));
  },
} satisfies SSTConfig;
