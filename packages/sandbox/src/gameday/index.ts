import { fleetBootsScene } from "./fleet-boots.js";
import type { Scene } from "./scene.js";
import { alertsScene } from "./scenes/alerts.js";
import { drillsScene } from "./scenes/drills.js";
import { failureDrillScene } from "./scenes/failure-drill.js";
import { lifecycleScene } from "./scenes/lifecycle.js";
import { readinessScene } from "./scenes/readiness.js";

export { fleetBootsScene, watchFleet } from "./fleet-boots.js";
export { type GameDayOptions, runGameDay } from "./runner.js";
export type { Scene, SceneFigures, SceneResult, Timeline } from "./scene.js";

/** The game day's scenes in order; each flow issue adds its scene here. */
export const gameDayScenes: readonly Scene[] = [
  fleetBootsScene,
  lifecycleScene,
  alertsScene,
  drillsScene,
  failureDrillScene,
  readinessScene,
];
