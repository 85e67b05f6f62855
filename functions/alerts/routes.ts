import {
  type AlarmSelector,
  alarmStateChangePattern,
  clawopsAlarmNames,
  clawopsEventPattern,
  type EventPattern,
} from "@clawops/core/events";
import { handler } from "./router.js";

/** One EventBridge route of the alerts flow: the stack deploys it, the sandbox bus matches with it. */
export interface AlertRoute {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly target: typeof handler;
}

/**
 * The alert router's routes: state changes of the selected alarms (the configured names and prefixes, and
 * always this stage's own alarms, by exact name), and every event this stage of clawops publishes (source
 * `clawops`, `detail.stage`).
 */
export function alertRoutes(stage: string, selector: AlarmSelector = {}): AlertRoute[] {
  return [
    {
      id: "AlarmStateChange",
      pattern: alarmStateChangePattern({
        names: [...new Set([...clawopsAlarmNames(stage), ...(selector.names ?? [])])],
        namePrefixes: selector.namePrefixes ?? [],
      }),
      target: handler,
    },
    { id: "ClawopsEvents", pattern: clawopsEventPattern(stage), target: handler },
  ];
}
