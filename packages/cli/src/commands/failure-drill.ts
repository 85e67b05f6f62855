import { CliUserError } from "../errors.js";
import type { Output } from "../output.js";
import type { Target } from "../target.js";

/**
 * `clawops drill --failure` is the failure drill of issue 11 (stop a gateway, time the alarm, the Slack alert
 * and the replacement). It is built by that issue, not here: the CLI routes to it only once the module below
 * exists and exports `runFailureDrill`; until then `--failure` is refused with a clear message.
 */
export const FAILURE_DRILL_MODULE = "../../../../functions/failure-drill/run.js";

/** The contract issue 11's module fulfils: run the drill on the target, resolve to passed or not. */
export interface FailureDrillRunner {
  runFailureDrill(
    target: Target,
    options: { readonly output: Output; readonly instanceId?: string; readonly dryRun?: boolean },
  ): Promise<{
    readonly passed: boolean;
  }>;
}

/** The failure drill, or a user error saying it is not available yet. */
export async function loadFailureDrill(specifier = FAILURE_DRILL_MODULE): Promise<FailureDrillRunner> {
  let module: Partial<FailureDrillRunner>;
  try {
    module = (await import(/* @vite-ignore */ specifier)) as Partial<FailureDrillRunner>;
  } catch (error) {
    throw new CliUserError(
      "the failure drill (clawops drill --failure) is not available yet in this version of clawops; run the restore drill without --failure",
      { cause: error },
    );
  }
  if (typeof module.runFailureDrill !== "function")
    throw new CliUserError(
      "the failure drill (clawops drill --failure) is not available yet in this version of clawops",
    );
  return module as FailureDrillRunner;
}
