export {
  type ClawopsConfigInput,
  defineConfig,
  mergeSettings,
  type ResolvedConfig,
  resolveConfig,
} from "./load.js";
export * from "./schema.js";
