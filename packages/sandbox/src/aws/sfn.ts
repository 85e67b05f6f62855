import type { LocalStepFunctions } from "../stepfunctions.js";
import { paginate } from "./pagination.js";
import type { ServiceModel } from "./simulator.js";

type Input = Record<string, unknown>;

/** Step Functions' API over the local engine, so production code that starts executions runs unchanged. */
export function sfnModel(engine: LocalStepFunctions): ServiceModel {
  const describe = (arn: string) => {
    const e = engine.describe(arn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate),
      ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate) }),
      input: e.input,
      ...(e.output === undefined ? {} : { output: e.output }),
      ...(e.error === undefined ? {} : { error: e.error }),
      ...(e.cause === undefined ? {} : { cause: e.cause }),
    };
  };
  return {
    service: "SFN",
    commands: {
      StartExecution(input: Input) {
        const record = engine.start(
          String(input.stateMachineArn),
          JSON.parse(String(input.input ?? "{}")),
          input.name as string | undefined,
        );
        return { executionArn: record.executionArn, startDate: new Date(record.startDate) };
      },
      DescribeExecution: (input: Input) => describe(String(input.executionArn)),
      GetExecutionHistory(input: Input) {
        const { history } = engine.describe(String(input.executionArn));
        const ordered = input.reverseOrder === true ? [...history].reverse() : history;
        const page = paginate(ordered, {
          maxResults: input.maxResults as number | undefined,
          nextToken: input.nextToken as string | undefined,
          defaultSize: 100,
        });
        return { events: page.items, nextToken: page.nextToken };
      },
      ListExecutions(input: Input) {
        const rows = engine.list(String(input.stateMachineArn), input.statusFilter as never).map((e) => {
          const {
            input: _input,
            output: _output,
            error: _error,
            cause: _cause,
            ...summary
          } = describe(e.executionArn);
          return summary;
        });
        const page = paginate(rows, {
          maxResults: input.maxResults as number | undefined,
          nextToken: input.nextToken as string | undefined,
          defaultSize: 100,
        });
        return { executions: page.items, nextToken: page.nextToken };
      },
      StopExecution(input: Input) {
        const record = engine.stop(
          String(input.executionArn),
          input.error as string | undefined,
          input.cause as string | undefined,
        );
        return { stopDate: new Date(record.stopDate ?? record.startDate) };
      },
    },
  };
}
