import type { Sandbox } from "../sandbox.js";

/** Numbers and facts a scene reports in the final table (RTO, probes, calls, ...). */
export type SceneFigures = Readonly<Record<string, string | number>>;

/** How a scene ended. */
export interface SceneResult {
  /** True only when everything behaved as production should. */
  readonly passed: boolean;
  readonly figures: SceneFigures;
  /** Why it failed, in words (shown under the table). */
  readonly reason?: string;
}

/** Where scenes tell the user what happens, stamped with sandbox time. */
export interface Timeline {
  log(message: string): void;
}

/** One step of the game day; each flow adds its scene. */
export interface Scene {
  readonly name: string;
  run(sandbox: Sandbox, timeline: Timeline): Promise<SceneResult>;
}
