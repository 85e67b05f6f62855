import { logger } from "@clawops/core";
import type { Context } from "aws-lambda";

/** The reference fleet's two file systems. */
export const FLEET = { workspace: "fs-0fleetworkspace0", runtime: "fs-0fleetruntime000" } as const;
export const STAGE = "test";

/** A Lambda context with a minute left: enough for any one task. */
export const context = {
  functionName: "clawops-test-drills",
  awsRequestId: "r",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

export type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

/** A module's `handler`, typed for a direct call. */
export const handlerOf = (module: { handler: unknown }): Handler => module.handler as Handler;

/**
 * Installs the drills functions' environment as the stack sets it (settings in `CLAWOPS_SETTINGS`, state table,
 * stage), logs silenced: call before the first import of a handler. `fileSystems` defaults to the reference
 * fleet's two; `verifier` adds to the default verifier settings.
 */
export function installDrillEnvironment(
  options: {
    fileSystems?: readonly { fileSystemId: string; kind: "workspace" | "runtime"; path: string }[];
    verifier?: Readonly<Record<string, unknown>>;
  } = {},
): void {
  logger.setLogLevel("SILENT");
  process.env.CLAWOPS_STATE_TABLE = "clawops-test-state";
  process.env.CLAWOPS_STAGE = STAGE;
  process.env.CLAWOPS_SETTINGS = JSON.stringify({
    fleetName: "openclaw",
    vaultName: "clawops-test-openclaw",
    restoreRoleArn: "arn:aws:iam::123456789012:role/clawops-test-restore",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    fileSystems: options.fileSystems ?? [
      { fileSystemId: FLEET.workspace, kind: "workspace", path: "/workspace" },
      { fileSystemId: FLEET.runtime, kind: "runtime", path: "/runtime" },
    ],
    manifestParameterName: "/clawops/test/soul-manifest",
    verifier: {
      functionName: "clawops-test-verifier",
      subnetIds: ["subnet-a"],
      mountTargetSecurityGroupIds: ["sg-0drill"],
      ...options.verifier,
    },
  });
}
