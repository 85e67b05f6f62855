import { readdirSync } from "node:fs";
import { join } from "node:path";
import { BackupClient, DescribeRestoreJobCommand, StartRestoreJobCommand } from "@aws-sdk/client-backup";
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { makeClient } from "@clawops/core/aws";
import { findRestoreRoot, judgeDrill, restoreJobInput, verifyTree } from "@clawops/core/drills";
import { buildManifest } from "@clawops/core/fleet";
import type { Sandbox } from "../../sandbox.js";
import type { ReadinessDeployment } from "./readiness-deployment.js";

/**
 * The backup plan's daily rule runs: one completed backup job (and recovery point) per fleet file system in
 * the fleet's vault, now on the sandbox clock.
 */
export async function runDailyBackups(sandbox: Sandbox): Promise<string[]> {
  const { description: fleet } = sandbox;
  const points: string[] = [];
  for (const id of [fleet.workspace.fileSystemId, fleet.runtime.fileSystemId])
    points.push((await sandbox.aws.models.backup.backup(id, fleet.backupVaultName)).arn);
  return points;
}

/**
 * A restore drill, done as the drills flow does it without its state machine: restore the latest recovery
 * point of each file system to a new file system (StartRestoreJob, polled on the clock), verify the restored
 * tree with the drills verifier (the workspace against the deployed manifest), judge it with the drills judge
 * and store the verdict with the drills flow's own writer, where readiness reads it.
 */
export async function runRestoreDrill(
  sandbox: Sandbox,
  deployment: ReadinessDeployment,
  points: readonly string[],
): Promise<{ passed: boolean; drillId: string }> {
  const { models } = sandbox.aws;
  const backup = makeClient(BackupClient);
  const drillId = `drill-${models.world.uuid("drill").slice(0, 8)}`;
  const startedAt = new Date(sandbox.clock.now()).toISOString();
  const manifest = buildManifest(deployment.workspaceDir);
  const outcomes = [];
  for (const arn of points) {
    const point = models.backup.recoveryPoints.get(arn);
    if (!point) throw new Error(`no recovery point ${arn}`);
    const restoreStartedAt = new Date(sandbox.clock.now()).toISOString();
    const { RestoreJobId } = await backup.send(
      new StartRestoreJobCommand(
        restoreJobInput({
          drillId,
          sourceFileSystemId: point.fileSystemId,
          recoveryPointArn: arn,
          iamRoleArn: `arn:aws:iam::${models.world.account}:role/clawops-${sandbox.config.stage}-drills-restore`,
          kmsKeyArn: sandbox.description.kmsKeyArn,
        }),
      ),
    );
    let status = "PENDING";
    let created = "";
    for (let polls = 0; polls < 120; polls++) {
      const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId }));
      status = job.Status ?? "";
      created = job.CreatedResourceArn?.split("/").pop() ?? "";
      if (status === "COMPLETED" || status === "FAILED" || status === "ABORTED") break;
      await sandbox.clock.advance(30_000);
    }
    const restored = models.efs.fileSystems.get(created);
    if (status !== "COMPLETED" || !restored) {
      outcomes.push({
        sourceFileSystemId: point.fileSystemId,
        recoveryPointArn: arn,
        error: { Error: "RestoreFailed", Cause: `restore ${RestoreJobId} ended ${status}` },
      });
      continue;
    }
    const root = join(restored.dir, findRestoreRoot(readdirSync(restored.dir, { withFileTypes: true })));
    const isWorkspace = point.fileSystemId === sandbox.description.workspace.fileSystemId;
    const { workspacePath, runtimePath } = sandbox.config.settings.drills;
    const tree = join(root, isWorkspace ? workspacePath : runtimePath);
    const verification = await verifyTree(tree, isWorkspace ? { manifest } : {}, { sqliteCheck: null });
    outcomes.push({
      sourceFileSystemId: point.fileSystemId,
      recoveryPointArn: arn,
      rpoSeconds: Math.round((sandbox.clock.now() - point.creationDate) / 1000),
      restoreStartedAt,
      verifiedAt: new Date(sandbox.clock.now()).toISOString(),
      verification,
    });
  }
  const verdict = judgeDrill(drillId, outcomes);
  const { recordDrill } = await import("../../../../../functions/drills/records.js");
  await recordDrill(sandbox.dynamo.table, verdict, startedAt, sandbox.clock.now());
  return { passed: verdict.passed, drillId };
}

/** A test interaction: the instance's CloudWatch agent ships one session log line. */
export async function testInteraction(sandbox: Sandbox, instanceId: string): Promise<void> {
  const logs = makeClient(CloudWatchLogsClient);
  const group = sandbox.description.sessionLogGroupName;
  const stream = `${instanceId}/sessions-${sandbox.clock.now()}`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: [
        { timestamp: sandbox.clock.now(), message: JSON.stringify({ session: "game-day", turn: 1 }) },
      ],
    }),
  );
}

/** promptfoo's JSON output of the scheduled eval run: three cases (normal, decline, edge) per skill. */
export function promptfooResults(skills: readonly string[], at: Date) {
  return {
    evalId: `eval-${at.getTime()}`,
    results: {
      timestamp: at.toISOString(),
      results: skills.flatMap((skill) => [
        { success: true, description: `normal: ${skill} does its job`, vars: { skill } },
        { success: true, description: `decline: ${skill} escalates a risky request`, vars: { skill } },
        { success: true, description: `edge: ${skill} with empty input`, vars: { skill } },
      ]),
    },
  };
}

/** The operator's signed statements for what no machine can verify, dated today on the sandbox clock. */
export function operatorAttestations(sandbox: Sandbox) {
  const today = new Date(sandbox.clock.now()).toISOString().slice(0, 10);
  const expires = new Date(sandbox.clock.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const by = "game-day operator";
  const ids = [
    "soul-documents.pr-review",
    "credentials.integration-bot-accounts",
    "network.tailscale-access",
    "skill-evals.ci-pipeline",
    "approval-gates.documented",
  ];
  return {
    attestations: ids.map((id) => ({
      id,
      by,
      at: today,
      expires,
      note: "recorded for the sandbox game day",
    })),
    reviewed: { reviewedAt: today, reviewedBy: "second operator" },
    testedAt: today,
    testedBy: by,
  };
}
