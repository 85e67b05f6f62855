import { MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  CleanupRefusedError,
  drillNow,
  NotReadyError,
  publishesDaysSincePass,
  sweepTargets,
  tagRecord,
} from "@clawops/core/drills";
import { lambdaHandler } from "@clawops/core/handler";
import { cleanUpFileSystem, describeFileSystem, listFileSystems, tagAsDrill } from "./file-systems.js";
import { daysSinceLastPass } from "./records.js";
import { fleetFileSystemIds, settingsOf } from "./settings.js";

/**
 * Sweeper (schedule): removes this stage's drill file systems older than `drills.sweeperMaxAgeHours` that a
 * stopped or crashed execution (or a `--keep`) left behind, each through the guard as its own drill (another
 * stage's, in the same account and region, are left to that stage's sweeper); and, in the runs of every sixth
 * UTC hour (`publishesDaysSincePass`), publishes days since the last passing drill, which the no-passing-drill
 * alarm watches.
 */
export const handler = lambdaHandler({
  kind: "event",
  parse: () => ({}),
  handler: async (_input, { env, logger, metrics }) => {
    const settings = settingsOf(env);
    const now = drillNow();
    const fleet = fleetFileSystemIds(settings);
    const candidates = (await listFileSystems()).map((fs) => ({
      fileSystemId: fs.FileSystemId ?? "",
      creationToken: fs.CreationToken ?? "",
      creationTime: fs.CreationTime ?? new Date(now),
      tags: tagRecord(fs.Tags),
    }));
    const swept: string[] = [];
    const pending: string[] = [];
    for (const target of sweepTargets(candidates, {
      now,
      maxAgeHours: settings.sweeperMaxAgeHours,
      fleetFileSystemIds: fleet,
      stage: env.stage,
    })) {
      const drill = { drillId: target.drillId, stage: env.stage, fleetFileSystemIds: fleet };
      try {
        const fs = await describeFileSystem(target.fileSystemId);
        if (fs && target.needsTags) await tagAsDrill(fs, drill);
        await cleanUpFileSystem(target.fileSystemId, drill, { keepFileSystem: false });
        swept.push(target.fileSystemId);
      } catch (error) {
        if (!(error instanceof NotReadyError || error instanceof CleanupRefusedError)) throw error;
        pending.push(target.fileSystemId); // mount targets still deleting: the next run finishes it
        logger.warn("sweep deferred", { fileSystemId: target.fileSystemId, reason: error.message });
      }
    }
    if (env.stateTable && publishesDaysSincePass(now)) {
      metrics.addDimension("Fleet", settings.fleetName);
      metrics.addMetric(
        "DrillDaysSinceLastPass",
        MetricUnit.Count,
        await daysSinceLastPass(env.stateTable, now),
      );
    }
    logger.info("sweep done", { swept, pending });
    return { swept, pending };
  },
});
