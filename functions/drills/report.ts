import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { BackupClient, PutRestoreValidationResultCommand } from "@aws-sdk/client-backup";
import { client } from "@clawops/core/aws";
import {
  type DrillVerdict,
  drillNow,
  type FileSystemDrillOutcome,
  failedDrillVerdict,
  judgeDrill,
} from "@clawops/core/drills";
import { ClawopsDetailType } from "@clawops/core/events";
import { type HandlerContext, lambdaHandler } from "@clawops/core/handler";
import * as z from "zod/mini";
import { putClawopsEvent } from "../clawops-event.js";
import { daysSinceLastPass, recordDrill } from "./records.js";
import { settingsOf } from "./settings.js";
import { type Branch, BranchSchema } from "./task-input.js";

const PlanSchema = z.looseObject({ drillId: z.string(), startedAt: z.string() });
/**
 * The branches' outcomes (Report), or the error of a drill that failed before it had any (ReportFailure: Plan
 * failed, or the Map of branches failed as a whole).
 */
const ReportInputSchema = z.union([
  z.object({ plan: PlanSchema, outcomes: z.array(BranchSchema) }),
  z.object({
    plan: PlanSchema,
    error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
  }),
]);

/**
 * Report task: judges the drill, publishes RTO/RPO/passed/files/bytes (EMF, dimension Fleet), stores the drill
 * record for `clawops drill --history`, posts `DrillCompleted`/`DrillFailed` for the alerts path, and for a
 * restore-testing job sets its validation status (once; AWS refuses a second). A drill that failed before its
 * branches ended is recorded and posted as `DrillFailed` with the error, so a scheduled drill never fails silently.
 */
export const handler = lambdaHandler({
  kind: "task",
  parse: (event) => z.parse(ReportInputSchema, event),
  handler: async (input, context) => {
    const { env, logger } = context;
    const { plan } = input;
    const outcomes = "outcomes" in input ? input.outcomes : [];
    if (!("error" in input) && outcomes.length === 0) return { passed: true, skipped: true };
    const settings = settingsOf(env);
    const verdict =
      "error" in input
        ? failedDrillVerdict(plan.drillId, input.error)
        : judgeDrill(plan.drillId, outcomes.map(outcomeOf));
    const now = drillNow();
    if (!env.stateTable) throw new Error("CLAWOPS_STATE_TABLE is not set");
    await recordDrill(env.stateTable, verdict, plan.startedAt, now);
    await publishEvent(verdict, env);
    for (const branch of outcomes.filter((b) => b.mode === "validation"))
      await putValidation(branch, verdict);
    // Last: a call above that fails is retried by the workflow, and the metrics would be published twice.
    publishMetrics(context, settings.fleetName, verdict, await daysSinceLastPass(env.stateTable, now));
    logger.info("drill reported", { drillId: plan.drillId, passed: verdict.passed, reason: verdict.reason });
    return {
      passed: verdict.passed,
      failed: verdict.failed,
      reason: verdict.reason ?? null,
      fileSystems: verdict.fileSystems,
    };
  },
});

/** A branch's final state as the judge reads it. */
export function outcomeOf(branch: Branch): FileSystemDrillOutcome {
  const verification = branch.verification as FileSystemDrillOutcome["verification"] & {
    verifiedAt?: string;
  };
  return {
    sourceFileSystemId: branch.fileSystem.fileSystemId,
    ...(branch.point
      ? { recoveryPointArn: branch.point.recoveryPointArn, rpoSeconds: branch.point.rpoSeconds }
      : {}),
    ...(branch.restore ? { restoreStartedAt: branch.restore.startedAt } : {}),
    ...(verification
      ? { verification, ...(verification.verifiedAt ? { verifiedAt: verification.verifiedAt } : {}) }
      : {}),
    ...(branch.error ? { error: branch.error } : {}),
  };
}

function publishMetrics(
  { metrics }: HandlerContext,
  fleet: string,
  verdict: DrillVerdict,
  daysSincePass: number,
): void {
  metrics.addDimension("Fleet", fleet);
  const measured = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  const rpo = measured(verdict.fileSystems.map((fs) => fs.rpoSeconds));
  const rto = measured(verdict.fileSystems.map((fs) => fs.rtoSeconds));
  metrics.addMetric("DrillPassed", MetricUnit.Count, verdict.passed ? 1 : 0);
  if (rpo.length > 0) metrics.addMetric("DrillRpoSeconds", MetricUnit.Seconds, Math.max(...rpo));
  if (rto.length > 0) metrics.addMetric("DrillRtoSeconds", MetricUnit.Seconds, Math.max(...rto));
  metrics.addMetric(
    "DrillFilesVerified",
    MetricUnit.Count,
    verdict.fileSystems.reduce((n, fs) => n + fs.filesVerified, 0),
  );
  metrics.addMetric(
    "DrillBytesVerified",
    MetricUnit.Bytes,
    verdict.fileSystems.reduce((n, fs) => n + fs.bytesVerified, 0),
  );
  metrics.addMetric("DrillDaysSinceLastPass", MetricUnit.Count, daysSincePass);
  metrics.publishStoredMetrics();
}

async function publishEvent(
  verdict: DrillVerdict,
  where: { readonly stage: string; readonly eventBusName: string },
): Promise<void> {
  const fileSystems = verdict.fileSystems.map(({ passed: _p, failure: _f, ...fs }) => fs);
  const failed = verdict.failed;
  const detail = failed
    ? { drillId: verdict.drillId, fileSystems, passed: false, reason: verdict.reason ?? "the drill failed" }
    : { drillId: verdict.drillId, fileSystems, passed: verdict.passed };
  // A refused entry is retried by the workflow (Report's Retry), like any throttled call.
  await putClawopsEvent(
    where,
    failed ? ClawopsDetailType.DrillFailed : ClawopsDetailType.DrillCompleted,
    detail,
  );
}

async function putValidation(branch: Branch, verdict: DrillVerdict): Promise<void> {
  if (!branch.restore) return;
  const result = verdict.fileSystems.find((fs) => fs.fileSystemId === branch.fileSystem.fileSystemId);
  const passed = result?.passed ?? false;
  const named = (list: readonly { path: string }[] = []) =>
    list
      .map((m) => m.path)
      .slice(0, 5)
      .join(", ");
  const message = passed
    ? `clawops verified ${result?.filesVerified} files`
    : (result?.failure ??
      [
        `${result?.mismatches.length ?? 0} file(s) differ: ${named(result?.mismatches)}`,
        ...(result?.unverified?.length
          ? [`${result.unverified.length} file(s) could not be verified: ${named(result.unverified)}`]
          : []),
      ].join("; "));
  try {
    await client(BackupClient).send(
      new PutRestoreValidationResultCommand({
        RestoreJobId: branch.restore.restoreJobId,
        ValidationStatus: passed ? "SUCCESSFUL" : "FAILED",
        ValidationStatusMessage: message.slice(0, 1000),
      }),
    );
  } catch (error) {
    // A status can be set only once: a redelivered event or a retried report finds it set. Not an error.
    if ((error as Error).name !== "InvalidRequestException") throw error;
  }
}
