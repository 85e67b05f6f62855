/**
 * Every event schema in one import, for callers that want the schemas without the patterns or the
 * matcher. The schemas live next to their source: `lifecycle.ts`, `alarm.ts`, `backup.ts`, `ssm.ts`,
 * `clawops.ts`, and the envelope in `envelope.ts`.
 */
export * from "./alarm.js";
export * from "./backup.js";
export * from "./clawops.js";
export * from "./envelope.js";
export * from "./lifecycle.js";
export * from "./ssm.js";
