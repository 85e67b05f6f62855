export {
  IMPORTED_LAUNCH_HOOK_HEARTBEAT_SECONDS,
  type LifecycleHookIssue,
  type LifecycleHookTimeouts,
  lifecycleActionLimitSeconds,
  lifecycleHookIssues,
  lifecycleHookTimeouts,
  MAX_HEARTBEATS_PER_ACTION,
  MAX_LIFECYCLE_ACTION_SECONDS,
} from "./lifecycle-hooks.js";
export {
  type ClawopsConfigInput,
  defineConfig,
  mergeSettings,
  type ResolvedConfig,
  resolveConfig,
} from "./load.js";
export * from "./schema.js";
