import { lambdaHandler } from "@clawops/core/handler";
import { type EvalReport, parseEvalResults } from "@clawops/core/readiness";
import { storeEvals } from "./records.js";

/** `clawops evals report <results.json> [--scheduled]` sends promptfoo's JSON output with this envelope. */
export interface IngestEvalsInput {
  readonly results: unknown;
  readonly scheduled: boolean;
}

function parseIngestInput(event: unknown): IngestEvalsInput {
  const body = event as { results?: unknown; scheduled?: unknown } | null;
  if (!body || body.results === undefined)
    throw new Error('expected { "results": <promptfoo JSON>, "scheduled"?: boolean }');
  return { results: body.results, scheduled: body.scheduled === true };
}

/** Ingests eval results: parsed strictly (a file that is not promptfoo output is refused), stored with a timestamp. */
export function createIngestHandler(options: { now?: () => Date } = {}) {
  const clock = options.now ?? (() => new Date());
  return lambdaHandler({
    kind: "task",
    parse: parseIngestInput,
    handler: async (input, { env, logger }): Promise<EvalReport> => {
      if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
      const report = parseEvalResults(input.results, { ingestedAt: clock(), scheduled: input.scheduled });
      await storeEvals(env.stateTable, report);
      logger.info("eval results ingested", {
        runAt: report.runAt,
        skills: report.skills.length,
        scheduled: report.scheduled,
      });
      return report;
    },
  });
}

export const handler = createIngestHandler();
