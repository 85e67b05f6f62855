import type { StateMachine } from "aws-local-stepfunctions";

/** One event of the local engine's log (the package does not export the type). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** A history event before it gets its id and time. */
interface HistoryEventBody {
  readonly type: string;
  readonly [details: string]: unknown;
}

/** One event of an execution's history, in the shape `GetExecutionHistory` returns it. */
export interface HistoryEvent extends HistoryEventBody {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/** `Task` → `TaskStateEntered`: AWS names state events by the state's type. */
function stateEvent(type: string, phase: "Entered" | "Exited"): string {
  return `${type}State${phase}`;
}

/** The AWS history event for one event of the local engine, or undefined for those AWS does not log. */
export function toHistoryEvent(
  event: EventLog,
  typeOf: (stateName: string) => string | undefined = () => undefined,
): HistoryEventBody | undefined {
  switch (event.type) {
    case "ExecutionStarted":
      return { type: "ExecutionStarted", executionStartedEventDetails: { input: json(event.input) } };
    case "ExecutionSucceeded":
      return { type: "ExecutionSucceeded", executionSucceededEventDetails: { output: json(event.output) } };
    case "ExecutionFailed":
      return {
        type: "ExecutionFailed",
        executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? "") },
      };
    case "ExecutionAborted":
      return { type: "ExecutionAborted", executionAbortedEventDetails: {} };
    case "ExecutionTimeout":
      return { type: "ExecutionTimedOut", executionTimedOutEventDetails: {} };
    case "StateEntered":
      return {
        type: stateEvent(typeOf(event.state.name) ?? event.state.type, "Entered"),
        stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input) },
        ...(event.index === undefined ? {} : { mapIterationIndex: event.index }),
      };
    case "StateExited":
      return {
        type: stateEvent(typeOf(event.state.name) ?? event.state.type, "Exited"),
        stateExitedEventDetails: { name: event.state.name, output: json(event.state.output) },
        ...(event.index === undefined ? {} : { mapIterationIndex: event.index }),
      };
    case "StateFailed":
      return (typeOf(event.state.name) ?? event.state.type) === "Task"
        ? {
            type: "TaskFailed",
            taskFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? "") },
          }
        : undefined;
    case "MapIterationStarted":
      return {
        type: "MapIterationStarted",
        mapIterationStartedEventDetails: { name: event.parentState.name, index: event.index },
      };
    case "MapIterationSucceeded":
      return {
        type: "MapIterationSucceeded",
        mapIterationSucceededEventDetails: { name: event.parentState.name, index: event.index },
      };
    case "MapIterationFailed":
      return {
        type: "MapIterationFailed",
        mapIterationFailedEventDetails: { name: event.parentState.name, index: event.index },
      };
    default:
      return undefined;
  }
}

/** Appends the engine's events to `history` as they come, stamped on the sandbox clock, until the run ends. */
export async function recordHistory(
  events: AsyncGenerator<EventLog>,
  history: HistoryEvent[],
  options: { now: () => number; typeOf?: (stateName: string) => string | undefined },
): Promise<void> {
  const { now, typeOf } = options;
  for await (const event of events) {
    const mapped = toHistoryEvent(event, typeOf);
    if (!mapped) continue;
    const id = history.length + 1;
    history.push({
      ...mapped,
      type: String(mapped.type),
      id,
      previousEventId: id - 1,
      timestamp: new Date(now()),
    });
  }
}
